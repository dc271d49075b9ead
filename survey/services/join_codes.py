"""Join codes: a short code per side that a room can type instead of a long survey link.

A code is 8 characters of Crockford's base 32 (40 random bits), shown as
``ABCD-EFGH`` and reached as ``BASE_URL/j/ABCDEFGH``, which redirects to the side's
survey link. Typing is as forgiving as for invitation codes (any case, spaces or
dashes, O for 0, I or L for 1). A code only saves typing: it opens nothing the
survey link does not, so a wave in ``codes`` mode still asks for an invitation code.
Unknown codes count against the same per-address limit as unknown survey links
(``survey.respond.limits``), so codes cannot be guessed by trying them.

Every wave gets its codes when it is created; a wave made before codes existed gets
them the first time its presenter view is opened.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import or_, select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment
from survey.services.audit import assessment_target
from survey.services.invitations import ALPHABET
from survey.services.unit_of_work import unit_of_work
from survey.services.wave_lookup import wave_and_side

CODE_LENGTH = 8  # 8 × 5 = 40 bits
GROUP = 4
#: Where a join code is typed: ``BASE_URL`` + this + the code.
PATH_PREFIX = "/j/"
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_COLUMNS = {Side.MARKETING: "marketing_join_code", Side.SALES: "sales_join_code"}


@dataclass(frozen=True)
class JoinCode:
    """One side's code, as stored (``code``) and as printed (``shown``), and its path."""

    side: Side
    code: str

    @property
    def shown(self) -> str:
        return "-".join(self.code[i : i + GROUP] for i in range(0, len(self.code), GROUP))

    @property
    def path(self) -> str:
        return PATH_PREFIX + self.code


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(raw: str | None) -> str | None:
    """The code as stored, from whatever a person typed; ``None`` if it cannot be one."""
    text = "".join((raw or "").upper().split()).replace("-", "").translate(_READS_AS)
    if len(text) != CODE_LENGTH or any(character not in ALPHABET for character in text):
        return None
    return text


def _taken(code: str) -> bool:
    return (
        db.session.scalar(
            select(Assessment.id).where(
                or_(Assessment.marketing_join_code == code, Assessment.sales_join_code == code)
            )
        )
        is not None
    )


def _fresh_code(avoid: set[str]) -> str:
    # 2^40 codes: a clash is rare enough that trying again is the whole answer to it.
    while True:
        code = new_code()
        if code not in avoid and not _taken(code):
            return code


def assign(assessment: Assessment, *, replace: bool = False) -> None:
    """Give the wave a code for each side that has none (every side with ``replace``).

    Call it inside the caller's unit of work; it only sets the two columns.
    """
    made: set[str] = set()
    for column in _COLUMNS.values():
        if replace or getattr(assessment, column) is None:
            code = _fresh_code(made)
            made.add(code)
            setattr(assessment, column, code)
    db.session.flush()


def codes_of(assessment: Assessment) -> dict[Side, JoinCode] | None:
    """The wave's two codes, or ``None`` while it has none yet."""
    codes = {side: getattr(assessment, column) for side, column in _COLUMNS.items()}
    if any(code is None for code in codes.values()):
        return None
    return {side: JoinCode(side, code) for side, code in codes.items()}


def ensure_codes(assessment: Assessment) -> dict[Side, JoinCode]:
    """The wave's codes, made now (and audited) if it has none yet."""
    codes = codes_of(assessment)
    if codes is not None:
        return codes
    with unit_of_work() as work:
        assign(assessment)
        work.audit("assessment.join_codes", assessment_target(assessment.id))
    made = codes_of(assessment)
    assert made is not None
    return made


def replace_codes(assessment: Assessment) -> dict[Side, JoinCode]:
    """New codes for both sides; the old ones stop working at once."""
    with unit_of_work() as work:
        assign(assessment, replace=True)
        work.audit("assessment.replace_join_codes", assessment_target(assessment.id))
    made = codes_of(assessment)
    assert made is not None
    return made


def find(raw: str | None) -> tuple[Assessment, Side] | None:
    """The wave and side a typed code belongs to, or ``None``."""
    code = normalise(raw)
    if code is None:
        return None
    return wave_and_side(Assessment.marketing_join_code, Assessment.sales_join_code, code)

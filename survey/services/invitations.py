"""Single-use invitation codes: who may answer a wave that is not open to anyone with the link.

A code is 12 characters of Crockford's base 32 (60 random bits), shown as
``XXXX-XXXX-XXXX``; typing is forgiving (any case, spaces or dashes, O for 0, I or
L for 1). The respondent enters it on the start page; their draft holds it; when
their response is stored, the code is marked used in the same unit of work. The
code row keeps only ``used`` — no time, no response id — and its table has no row
order to give away (see ``survey.models``), so nothing links a code to answers.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment, InvitationCode
from survey.services.audit import assessment_target
from survey.services.unit_of_work import unit_of_work

#: Crockford's base 32: no I, L, O or U, so nothing reads as something else.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 12 × 5 = 60 bits
GROUP = 4
#: How many codes one request may make (a sheet per person; a typo should not make millions).
MAX_CODES = 2000
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvitationError(ValueError):
    """A code that cannot be used, or a request for codes that cannot be met."""


class CodeUsed(InvitationError):
    """The code was used for a response already."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """``ABCD-EFGH-JKMN``: the code as it is printed."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(raw: str | None) -> str | None:
    """The code as stored, from whatever a person typed; ``None`` if it cannot be one."""
    text = "".join((raw or "").upper().split()).replace("-", "").translate(_READS_AS)
    if len(text) != CODE_LENGTH or any(character not in ALPHABET for character in text):
        return None
    return text


def generate(assessment: Assessment, side: Side, count: int) -> list[str]:
    """``count`` new codes for one side of the wave, in a unit of work of their own."""
    if not 1 <= count <= MAX_CODES:
        raise InvitationError(f"the number of codes must be between 1 and {MAX_CODES}")
    codes = [new_code() for _ in range(count)]
    with unit_of_work() as work:
        db.session.add_all(
            InvitationCode(code=code, assessment_id=assessment.id, side=side.value, used=False)
            for code in codes
        )
        work.audit(
            "invitation_codes.create",
            f"{count} {side.value} codes for {assessment_target(assessment.id)}",
        )
    return codes


def codes_of(assessment: Assessment, side: Side) -> list[InvitationCode]:
    """The side's codes, unused first, then in the order of the codes themselves."""
    return list(
        db.session.scalars(
            select(InvitationCode)
            .where(InvitationCode.assessment_id == assessment.id, InvitationCode.side == side.value)
            .order_by(InvitationCode.used, InvitationCode.code)
        )
    )


def usable(assessment: Assessment, side: Side, raw: str | None) -> str | None:
    """The stored form of the code if it belongs to this side and is unused; else ``None``."""
    code = normalise(raw)
    if code is None:
        return None
    row = db.session.get(InvitationCode, code)
    if row is None or row.assessment_id != assessment.id or row.side != side.value or row.used:
        return None
    return code


def use(assessment: Assessment, side: Side, code: str | None) -> None:
    """Mark the code used, inside the unit of work that stores its response.

    Raises :class:`CodeUsed` (so nothing is stored) if it is gone or used meanwhile.
    """
    row = db.session.scalar(
        select(InvitationCode).where(InvitationCode.code == (code or "")).with_for_update()
    )
    if row is None or row.assessment_id != assessment.id or row.side != side.value or row.used:
        raise CodeUsed("this invitation code was used already")
    row.used = True

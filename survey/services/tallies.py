"""Checking and rebuilding the write-time ledgers of every wave (``flask tallies …``)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.services import releases
from survey.services.assessments import all_assessments
from survey.services.banks import bank_of
from survey.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class TallyCheck:
    assessment_id: int
    agrees: bool


def check_all(*, repair: bool) -> list[TallyCheck]:
    """Replay every wave's ledgers from its stored answers and compare with what is kept.

    With ``repair``, the replayed ledgers replace the kept ones (in one unit of work
    per wave); otherwise nothing is written.
    """
    checks = []
    for assessment in all_assessments():
        with unit_of_work() as work:
            before = releases.stored_state(assessment.id)
            releases.rebuild(assessment, bank_of(assessment))
            agrees = releases.stored_state(assessment.id) == before
            if not repair:
                work.discard()
        checks.append(TallyCheck(assessment.id, agrees))
    return checks

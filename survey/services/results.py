"""A wave's published result: its released tallies, scored with the bank it was created with.

Reading a result costs a few small indexed queries whatever the wave's size: the
released tallies are kept at write time (``survey.services.ledgers``). The scored
result is kept in a small per-process cache under a key made of everything it
depends on — the released state of both sides, the threshold, the advisor's
context and the bank's digest — so a cached result is never stale, in any worker.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from scoring import AssessmentResult, Side, score_assessment
from survey.models import Assessment, SideLedger
from survey.services import ledgers
from survey.services.banks import bank_of

CACHE_SIZE = 512


@dataclass(frozen=True)
class Fingerprint:
    """Everything a wave's published result depends on; equal fingerprints, equal results."""

    assessment_id: int
    bank_digest: str
    threshold: int
    context: str
    #: Per side: (releases, released counted, released excluded).
    released: tuple[tuple[int, int, int], ...]

    @property
    def version(self) -> str:
        """A short tag that changes exactly when the published result may change."""
        return "-".join(str(groups) for groups, _counted, _excluded in self.released)


_results: LRUCache[Fingerprint, AssessmentResult] = LRUCache(CACHE_SIZE)
_results_lock = threading.Lock()
#: How to empty caches of things drawn from results (the charts' own cache registers here).
_derived_caches: list[Callable[[], None]] = []


def fingerprint(assessment: Assessment) -> Fingerprint:
    """The wave's fingerprint, from its two ledger rows (one small query)."""
    return _fingerprint(assessment, ledgers.ledger_rows([assessment.id]))


def _fingerprint(
    assessment: Assessment, rows: Mapping[tuple[int, Side], SideLedger]
) -> Fingerprint:
    released = []
    for side in Side:
        row = rows.get((assessment.id, side))
        released.append(
            (row.groups, row.released_counted, row.released_excluded) if row else (0, 0, 0)
        )
    return Fingerprint(
        assessment_id=assessment.id,
        bank_digest=assessment.bank_digest,
        threshold=assessment.threshold,
        context=json.dumps(assessment.context, sort_keys=True),
        released=tuple(released),
    )


def assessment_result(assessment: Assessment) -> tuple[AssessmentResult, Fingerprint]:
    """The published result of a wave, and the fingerprint it was computed for."""
    return results_of([assessment])[assessment.id]


def results_of(
    assessments: Sequence[Assessment],
) -> dict[int, tuple[AssessmentResult, Fingerprint]]:
    """The published results of many waves in a constant number of queries.

    One query reads every ledger row; only waves whose result is not cached read their
    tallies, all together in two more.
    """
    ids = [assessment.id for assessment in assessments]
    rows = ledgers.ledger_rows(ids)
    found: dict[int, tuple[AssessmentResult, Fingerprint]] = {}
    missing: list[tuple[Assessment, Fingerprint]] = []
    for assessment in assessments:
        key = _fingerprint(assessment, rows)
        with _results_lock:
            cached = _results.get(key)
        if cached is None:
            missing.append((assessment, key))
        else:
            found[assessment.id] = (cached, key)
    if missing:
        published = ledgers.published_ledgers([assessment.id for assessment, _ in missing])
        for assessment, key in missing:
            bank = bank_of(assessment)
            result = score_assessment(
                bank,
                ledgers.published_tallies(bank, published[assessment.id]),
                threshold=assessment.threshold,
                context=assessment.context,
            )
            with _results_lock:
                _results[key] = result
            found[assessment.id] = (result, key)
    return found


@dataclass(frozen=True)
class SideProgress:
    """How far one side of a wave has come; counts only, safe to show to anyone.

    ``counted``/``excluded`` are the released numbers (what the results use);
    ``waiting`` counts responses received since the last release without saying
    whether they count, so watching it reveals nothing about anyone's answers.
    """

    counted: int
    excluded: int
    waiting: int
    #: Counted responses that make a whole group and update the results.
    group: int
    headcount: int | None

    @property
    def received(self) -> int:
        return self.counted + self.excluded + self.waiting

    @property
    def response_rate(self) -> float | None:
        """Received responses as a share of the expected headcount, if one is set."""
        return None if not self.headcount else self.received / self.headcount

    @property
    def full(self) -> bool:
        return self.headcount is not None and self.received >= self.headcount


def progress(assessment: Assessment) -> dict[Side, SideProgress]:
    """Per side: released counts, responses waiting for a group, and the headcount."""
    return progress_of([assessment])[assessment.id]


def progress_of(assessments: Sequence[Assessment]) -> dict[int, dict[Side, SideProgress]]:
    """:func:`progress` of many waves in one query."""
    rows = ledgers.ledger_rows([assessment.id for assessment in assessments])
    return {assessment.id: _progress(assessment, rows) for assessment in assessments}


def _progress(
    assessment: Assessment, rows: Mapping[tuple[int, Side], SideLedger]
) -> dict[Side, SideProgress]:
    result: dict[Side, SideProgress] = {}
    for side in Side:
        row = rows.get((assessment.id, side))
        result[side] = SideProgress(
            counted=row.released_counted if row else 0,
            excluded=row.released_excluded if row else 0,
            waiting=(row.pending_counted + row.pending_excluded) if row else 0,
            group=assessment.threshold,
            headcount=assessment.headcount(side.value),
        )
    return result


def also_clear(clear: Callable[[], None]) -> None:
    """Have :func:`clear_caches` call ``clear`` too: for a cache keyed by fingerprints."""
    if clear not in _derived_caches:
        _derived_caches.append(clear)


def clear_caches() -> None:
    """Forget every kept result and whatever was drawn from them (tests, benchmarks)."""
    with _results_lock:
        _results.clear()
    for clear in _derived_caches:
        clear()

"""From stored answers to a scoring result, with one GROUP BY and a small cache.

The database does the only heavy work: a single aggregation of the counted
answers per side and item (count, sum, sum of squares). ``scoring`` turns
those tallies into the result. A result is cached under a fingerprint of the
assessment (number of responses, newest response id, threshold, context and
bank version), so a refresh with no new responses costs one indexed query.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select

from scoring import AssessmentResult, ItemTally, Side, Tallies, score_assessment
from survey.extensions import db
from survey.models import Answer, Assessment, Response
from survey.services.banks import current_bank

CACHE_SIZE = 64


@dataclass(frozen=True)
class Fingerprint:
    assessment_id: int
    responses: int
    newest_response: int
    threshold: int
    context: str
    bank_version: int


def fingerprint(assessment: Assessment) -> Fingerprint:
    number, newest = db.session.execute(
        select(func.count(Response.id), func.coalesce(func.max(Response.id), 0)).where(
            Response.assessment_id == assessment.id
        )
    ).one()
    return Fingerprint(
        assessment_id=assessment.id,
        responses=number,
        newest_response=newest,
        threshold=assessment.threshold,
        context=json.dumps(assessment.context, sort_keys=True),
        bank_version=current_bank().version,
    )


def load_tallies(assessment_id: int) -> Tallies:
    """Aggregate the counted answers of an assessment in one query."""
    value = Answer.value
    rows = db.session.execute(
        select(
            Response.side,
            Answer.item_id,
            func.count(value),
            func.sum(value),
            func.sum(value * value),
        )
        .join(Response, Answer.response_id == Response.id)
        .where(
            Response.assessment_id == assessment_id,
            Response.counted.is_(True),
            value.is_not(None),
        )
        .group_by(Response.side, Answer.item_id)
    )
    items = {
        (Side(side), item_id): ItemTally(int(count), int(total), int(squares))
        for side, item_id, count, total, squares in rows
    }
    counted = dict.fromkeys(Side, 0)
    excluded = dict.fromkeys(Side, 0)
    for side, is_counted, number in db.session.execute(
        select(Response.side, Response.counted, func.count())
        .where(Response.assessment_id == assessment_id)
        .group_by(Response.side, Response.counted)
    ):
        (counted if is_counted else excluded)[Side(side)] = number
    return Tallies(
        items=MappingProxyType(items),
        counted=MappingProxyType(counted),
        excluded=MappingProxyType(excluded),
    )


class _LruCache:
    """A small thread-safe LRU map; each worker process keeps its own."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_results = _LruCache(CACHE_SIZE)
#: Rendered charts, keyed by (fingerprint, chart name); see ``survey.charts``.
chart_cache = _LruCache(CACHE_SIZE * 4)


def assessment_result(assessment: Assessment) -> tuple[AssessmentResult, Fingerprint]:
    """The scoring result of an assessment, from the cache when nothing changed."""
    key = fingerprint(assessment)
    cached = _results.get(key)
    if cached is not None:
        return cached, key
    result = score_assessment(
        current_bank(),
        load_tallies(assessment.id),
        threshold=assessment.threshold,
        context=assessment.context,
    )
    _results.put(key, result)
    return result, key


def clear_caches() -> None:
    _results.clear()
    chart_cache.clear()

"""How an import shares the database with respondents: its pace of writing.

See :class:`Pace`. The importer asks :class:`Pacer` to run each write transaction; on
SQLite it leaves the write lock free at regular intervals, and longer while others keep
committing; on PostgreSQL it writes without pauses.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from survey.extensions import db

Batch = TypeVar("Batch")


class ImportInterrupted(RuntimeError):
    """The import was asked to stop (``stop`` of ``import_csv``); nothing is kept."""


@dataclass(frozen=True)
class Pace:
    """How an import shares SQLite's single write lock with respondents.

    A submission that finds the database locked sleeps and tries again, at most
    100 ms apart (SQLite's busy handler). So once the importer has held the lock for
    ``hold`` seconds in all, it leaves it free for ``gap`` seconds — longer than that
    longest sleep, so every waiting submission gets its turn — and spends the gap
    reading and preparing the next batches. While others keep committing during a gap,
    the gap is extended, up to ``extensions`` times. A submission therefore waits about
    ``hold`` + one batch at most. On PostgreSQL writers do not exclude each other: no
    gaps.
    """

    hold: float = 0.4
    gap: float = 0.12
    extensions: int = 4
    #: Prepared batches kept while waiting out a gap, at most.
    ahead: int = 64

    @classmethod
    def for_database(cls) -> Pace:
        if db.engine.dialect.name == "sqlite":
            return cls()
        return cls(hold=float("inf"), gap=0.0, extensions=0)


class Pacer:
    """Runs an import's write transactions at its :class:`Pace`."""

    def __init__(
        self,
        pace: Pace,
        others_wrote: Callable[[], int] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.pace = pace
        #: Asked between transactions: whether to give up (a signal arrived).
        self.stop = stop
        #: A number that changes whenever another connection commits (SQLite's data_version).
        self.others_wrote = others_wrote
        self.held = 0.0
        self.gap_ends: float | None = None
        self.extended = 0
        self.seen = 0

    def _start_gap(self, now: float) -> None:
        self.gap_ends = now + self.pace.gap
        self.extended = 0
        if self.others_wrote is not None:
            self.seen = self.others_wrote()

    def in_gap(self) -> bool:
        """Whether the database is being left to others now (extending the gap while
        they keep committing)."""
        if self.gap_ends is None:
            return False
        if time.monotonic() < self.gap_ends:
            return True
        if self.others_wrote is not None and self.extended < self.pace.extensions:
            version = self.others_wrote()
            if version != self.seen:  # respondents are submitting: leave them more time
                self.seen = version
                self.extended += 1
                self.gap_ends = time.monotonic() + self.pace.gap
                return True
        self.gap_ends = None
        self.held = 0.0
        return False

    def wait_out_gap(self) -> None:
        while self.in_gap():
            assert self.gap_ends is not None
            time.sleep(max(0.0, self.gap_ends - time.monotonic()))

    def write(self, action: Callable[[], None]) -> None:
        self.wait_out_gap()
        if self.stop is not None and self.stop():
            self.stop = None  # the clean-up that follows runs to its end
            raise ImportInterrupted("the import was interrupted")
        started = time.monotonic()
        action()
        finished = time.monotonic()
        self.held += finished - started
        if self.held >= self.pace.hold:
            self._start_gap(finished)

    def run(self, batches: Iterator[Batch], write: Callable[[Batch], None]) -> None:
        """Write every batch; prepare the next ones while the database is left to others
        (or when none is ready), so the gaps cost the import little time."""
        queue: deque[Batch] = deque()
        exhausted = False
        while True:
            while not exhausted and (not queue or (self.in_gap() and len(queue) < self.pace.ahead)):
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                else:
                    queue.append(batch)
            if not queue:
                return
            self.write(lambda: write(queue.popleft()))


@contextmanager
def pacer(pace: Pace | None, stop: Callable[[], bool] | None = None) -> Iterator[Pacer]:
    """A pacer; on SQLite with its own connection to see other connections' commits."""
    pace = pace or Pace.for_database()
    if db.engine.dialect.name != "sqlite" or pace.extensions == 0:
        yield Pacer(pace, stop=stop)
        return
    watcher = db.engine.raw_connection()
    try:

        def data_version() -> int:
            cursor = watcher.cursor()
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()

        yield Pacer(pace, data_version, stop)
    finally:
        watcher.close()

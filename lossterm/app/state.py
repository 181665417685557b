"""The run board: every run the TUI knows, in one plain model with no Textual in it.

The App holds one board as a reactive and widgets watch it (``data_bind``);
message handlers change the board and then tell Textual once
(``mutate_reactive``). So the panes cannot drift apart, and the rules (which
status a run of several seeds ends in, what ``c`` clears, what the curves
show) are tested without an app.

Each change bumps ``version`` and the changed runs' revisions, and records
what it was (``last``), so a watcher redraws only what changed and can tell an
epoch (throttled by the curves) from anything else (drawn at once).

Only the UI thread changes a board. The one exception is ``next_queued``,
which the training thread calls to take its next run: a ``deque.popleft`` and
dict reads, atomic under the GIL, and nothing on screen depends on the queue.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import Iterable

from lossterm.app.runs import TRAINING, RunView
from lossterm.engine import RunConfig, get_loss
from lossterm.engine.records import EpochRecord, Job, RunResult
from lossterm.engine.types import Status
from lossterm.errors import UsageError


@dataclass(frozen=True)
class Change:
    """What the board's latest change was, and to which runs."""

    kind: str  # "planned", "history", "started", "epoch", "seed", "finished", "cleared",
    # "overlay", or "none" for a board nothing has happened to yet
    run_ids: tuple[int, ...] = ()


def overall_status(statuses: list[Status], seeds: int) -> Status:
    """A run's status from its seeds': stopped if cut short, else the worst seen."""
    if len(statuses) < seeds or Status.STOPPED in statuses:
        return Status.STOPPED
    for status in (Status.FAILED, Status.DIVERGED):
        if status in statuses:
            return status
    return Status.DONE


def _short_name(loss: str) -> str:
    """The catalogue's short name; a stored loss the catalogue no longer has keeps its own."""
    try:
        return get_loss(loss).short_name
    except UsageError:
        return loss


class RunBoard:
    """The runs, their order, the queue, the run training now and the overlay set."""

    def __init__(self):
        self.runs: dict[int, RunView] = {}  # by id, in the order they were added
        self.queue: deque[int] = deque()
        self.current: int | None = None
        self.version = 0
        self.last = Change("none")
        self._revisions: dict[int, int] = {}
        self._ids = itertools.count(1)

    # -- reading ---------------------------------------------------------------

    def __iter__(self):
        return iter(list(self.runs.values()))

    def get(self, run_id: int | None) -> RunView | None:
        return self.runs.get(run_id) if run_id is not None else None

    def revision(self, run_id: int) -> int:
        """How many times the run changed: a widget redraws a row when this moves."""
        return self._revisions.get(run_id, 0)

    @property
    def training(self) -> RunView | None:
        return self.get(self.current)

    @property
    def has_queued(self) -> bool:
        return bool(self.queue)

    def shown_runs(self) -> list[RunView]:
        """The overlay if any run is in it, else the run training now or the latest."""
        overlay = [r for r in self.runs.values() if r.overlay]
        if overlay:
            return overlay
        latest = self.training
        if latest is None:
            started = [r for r in self.runs.values() if r.results or r.live]
            latest = started[-1] if started else None
        return [latest] if latest else []

    def regions_for(self, problem) -> object | None:
        """The predicted regions of the latest run on ``problem`` (the same object) that has some."""
        done = [r.regions for r in self.runs.values()
                if r.regions is not None and r.jobs and r.jobs[0].problem is problem]
        return done[-1] if done else None

    # -- changing ----------------------------------------------------------------

    def _changed(self, kind: str, runs: Iterable[RunView]) -> None:
        ids = tuple(r.id for r in runs)
        for run_id in ids:
            self._revisions[run_id] = self._revisions.get(run_id, 0) + 1
        self.version += 1
        self.last = Change(kind, ids)

    def _add(self, run: RunView) -> RunView:
        self.runs[run.id] = run
        return run

    def add_planned(self, jobs: list[Job], seeds: int) -> list[RunView]:
        """Queue planned jobs as runs of ``seeds`` consecutive jobs each."""
        added = []
        for at in range(0, len(jobs), seeds):
            run_jobs = jobs[at:at + seeds]
            first, spec = run_jobs[0], run_jobs[0].loss
            config = RunConfig(first.problem.name, spec.name, seed=first.seed,
                               epochs=first.epochs)
            run = self._add(RunView(next(self._ids), config, metric=spec.metric,
                                    short_name=spec.short_name, seeds=seeds, jobs=run_jobs))
            self.queue.append(run.id)
            added.append(run)
        self._changed("planned", added)
        return added

    def add_history(self, results: list[RunResult]) -> list[RunView]:
        """Earlier runs from the store: finished (or still running elsewhere), ready to overlay."""
        added = []
        for result in results:
            config = RunConfig(result.problem, result.loss, seed=result.seed,
                               epochs=result.epochs)
            added.append(self._add(RunView(
                next(self._ids), config, metric=result.metric,
                short_name=_short_name(result.loss), status=result.status,
                results=[result], from_history=True)))
        self._changed("history", added)
        return added

    def next_queued(self) -> RunView | None:
        """Take the next queued run that still exists (called by the training thread)."""
        while self.queue:
            run = self.runs.get(self.queue.popleft())
            if run is not None:
                return run
        return None

    def seed_started(self, run_id: int, seed: int) -> RunView | None:
        run = self.runs.get(run_id)
        if run is None:
            return None
        self.current, run.status, run.live = run.id, TRAINING, []
        self._changed("started", [run])
        return run

    def epoch_done(self, run_id: int, record: EpochRecord) -> RunView | None:
        run = self.runs.get(run_id)
        if run is None:
            return None
        run.live.append(record)
        self._changed("epoch", [run])
        return run

    def seed_finished(self, run_id: int, result: RunResult) -> RunView | None:
        run = self.runs.get(run_id)
        if run is None:
            return None
        run.results.append(result)
        run.live = []
        self._changed("seed", [run])
        return run

    def run_finished(self, run_id: int, error: str = "") -> RunView | None:
        """The worker is done with the run: failed if refused, else what its seeds say."""
        if self.current == run_id:
            self.current = None
        run = self.runs.get(run_id)
        if run is not None:
            run.status = (Status.FAILED if error else
                          overall_status([r.status for r in run.results], run.seeds))
        self._changed("finished", [run] if run else [])
        return run

    def clear_finished(self) -> list[RunView]:
        """Drop every finished run, history runs included (``incomplete`` is finished)."""
        gone = [r for r in self.runs.values() if r.finished]
        self._changed("cleared", gone)
        for run in gone:
            del self.runs[run.id]
            del self._revisions[run.id]
        return gone

    def toggle_overlay(self, run_id: int) -> RunView | None:
        run = self.runs.get(run_id)
        if run is None:
            return None
        run.overlay = not run.overlay
        self._changed("overlay", [run])
        return run

    def stop_all(self) -> None:
        """Quitting: nothing more is taken off the queue and every run stops after its epoch.

        Nothing shown changes, so no version is bumped.
        """
        self.queue.clear()
        for run in self.runs.values():
            run.stop.set()

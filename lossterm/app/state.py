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

import contextlib
import itertools
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

from lossterm.analysis.experiments import experiment_key, run_settings
from lossterm.app.runs import QUEUED, TRAINING, RunView
from lossterm.core.errors import UsageError
from lossterm.core.types import Status
from lossterm.losses import get_loss
from lossterm.training.absurd import absurd_reason
from lossterm.training.records import EpochRecord, Job, RunConfig, RunResult


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


_PERTURBED = re.compile(r"(\+(noise|outliers|imbalance)[0-9.e-]+)+$")

# Seeds that already have a result worth keeping: training them again repeats it exactly.
_KEPT = (Status.DONE, Status.DIVERGED)


def base_problem(name: str) -> str:
    """A problem's name without its perturbation: circles+noise0.2 -> circles.

    Perturbations touch the training split only, so runs on the same base
    problem share a test split and their metrics share an axis.
    """
    return _PERTURBED.sub("", name)


def overlay_refusal(run: RunView, others: list[RunView]) -> str | None:
    """Why ``run`` cannot join ``others`` on one pair of axes, or None if it can."""
    for other in others:
        if other.metric != run.metric or base_problem(other.config.problem_name) != base_problem(
                run.config.problem_name):
            return (f"{run.label} ({run.config.problem}, {run.metric}) cannot share axes with "
                    f"{other.label} ({other.config.problem}, {other.metric}): different "
                    f"{'metric' if other.metric != run.metric else 'problem'}; "
                    f"take {other.label} out of the overlay first (space on its row)")
    return None


def _short_name(loss: str) -> str:
    """The catalogue's short name; a stored loss the catalogue no longer has keeps its own."""
    try:
        return get_loss(loss).short_name
    except UsageError:
        return loss


def _history_run(run_id: int, group: list[tuple[RunResult, dict]]) -> RunView:
    """One row of earlier runs: the seeds of one experiment, oldest first."""
    first, stored = group[0]
    results = [r for r, _ in group]
    config = RunConfig(first.problem, first.loss, seed=first.seed, epochs=first.epochs)
    return RunView(run_id, config, metric=first.metric, short_name=_short_name(first.loss),
                   seeds=len(results), status=_history_status([r.status for r in results]),
                   results=results, from_history=True, settings=stored)


def _history_status(statuses: list[Status]) -> Status:
    """Earlier seeds' status together: the worst of them (as :func:`overall_status`)."""
    for status in (Status.RUNNING, Status.STOPPED, Status.INCOMPLETE, Status.FAILED,
                   Status.DIVERGED):
        if status in statuses:
            return status
    return statuses[0] if statuses else Status.DONE


class OverlayRefused(ValueError):
    """A run that cannot share the overlay's axes; the message says why."""


def _has_epochs(run: RunView) -> bool:
    """Whether the run has an epoch to draw: a finished seed's or a live one's."""
    return any(r.records for r in run.results) or any(run.live.values())


def _seed_range(start: int, count: int) -> str:
    return str(start) if count == 1 else f"{start}-{start + count - 1}"


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

    @property
    def overlay(self) -> list[RunView]:
        return [r for r in self.runs.values() if r.overlay]

    def shown_runs(self) -> list[RunView]:
        """The overlay and the run training now; else the latest run with epochs.

        The run training now joins the overlay when it can share its axes; when
        it cannot (another problem), it is shown alone until it ends
        (:meth:`overlay_hidden` says so). A run shown alone waits for its first
        epoch: until then the curves on screen stay (the overlay, else the
        latest run with epochs), so a queue of runs never blanks the pane for
        the second or so each run spends building its model.
        """
        overlay, training = self.overlay, self.training
        if training is not None and training not in overlay:
            if overlay and overlay_refusal(training, overlay) is None:
                return overlay + [training]
            if _has_epochs(training):
                return [training]
            return overlay or self._latest() or [training]
        return overlay or self._latest()

    def _latest(self) -> list[RunView]:
        """The latest run with an epoch to draw (none: empty)."""
        drawn = [r for r in self.runs.values() if _has_epochs(r)]
        return drawn[-1:]

    def overlay_hidden(self) -> bool:
        """Whether the overlay is off screen for a run training on another problem."""
        overlay = self.overlay
        return bool(overlay) and not any(r in overlay for r in self.shown_runs())

    def used_seeds(self, problem: str, loss: str, epochs: int) -> set[int]:
        """Seeds of (problem, loss, epochs) already queued, training or kept (done,
        diverged), in this session or the store's history: training one again
        would repeat it exactly. Stopped and failed seeds do not count."""
        used: set[int] = set()
        for run in self.runs.values():
            c = run.config
            if (c.problem, c.loss, c.epochs) != (problem, loss, epochs):
                continue
            ended = {r.seed: r.status for r in run.results}
            used |= {s for s, status in ended.items() if status in _KEPT}
            if not run.finished:
                used |= {j.seed for j in run.jobs if j.seed not in ended}
        return used

    def fresh_seeds(self, jobs: list[Job], seeds: int) -> tuple[list[Job], list[str]]:
        """``jobs`` (runs of ``seeds`` jobs each) moved on to seeds not used yet, and a
        line for each run moved: pressing t again trains the next seeds, not the same."""
        fresh, lines = [], []
        for at in range(0, len(jobs), seeds):
            run = jobs[at:at + seeds]
            first = run[0]
            used = self.used_seeds(first.problem.name, first.loss.name, first.epochs)
            if used & {j.seed for j in run}:
                start = max(used) + 1
                run = [j.with_seed(start + i) for i, j in enumerate(run)]
                done = ", ".join(str(s) for s in sorted(used))
                lines.append(f"{first.loss.short_name} on {first.problem.name}: seed "
                             f"{done} already trained; training seed "
                             f"{_seed_range(start, seeds)}")
            fresh += run
        return fresh, lines

    def regions_run(self, problem) -> RunView | None:
        """The latest run on ``problem`` (the same object) that has predicted regions."""
        done = [r for r in self.runs.values()
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
                                    short_name=spec.short_name, seeds=seeds, jobs=run_jobs,
                                    settings=run_settings(first)))
            self.queue.append(run.id)
            added.append(run)
        self._changed("planned", added)
        return added

    def add_history(self, results: list[RunResult],
                    settings: list[dict] | None = None) -> list[RunView]:
        """Earlier runs from the store: finished (or still running elsewhere), ready to
        overlay; ``settings``, one per result, what each trained with as stored.

        Seeds of one experiment (the same problem, loss and every setting but the seed:
        the rule ``v`` groups by, :func:`~lossterm.analysis.experiments.experiment_key`)
        make one row, "done ×3", as the run that trained them did in its session; a seed
        trained again starts a row of its own, and a run still running elsewhere keeps
        its own row."""
        groups: dict[tuple[str, str, str], list[tuple[RunResult, dict]]] = {}
        rows: list[list[tuple[RunResult, dict]]] = []
        for result, stored in zip(results, settings or [{}] * len(results)):
            key = (result.problem, result.loss, experiment_key(stored))
            group = groups.get(key)
            if (group is None or not Status(result.status).finished
                    or any(r.seed == result.seed or not Status(r.status).finished for r, _ in group)):
                group = groups[key] = []
                rows.append(group)
            group.append((result, dict(stored)))
        added = [self._add(_history_run(next(self._ids), group)) for group in rows]
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
        self.current, run.status = run.id, TRAINING
        run.live[seed] = []
        self._changed("started", [run])
        return run

    def epoch_done(self, run_id: int, record: EpochRecord, seed: int | None = None
                   ) -> RunView | None:
        """An epoch of ``seed`` (None: the seed started last)."""
        run = self.runs.get(run_id)
        if run is None:
            return None
        if seed is None:
            seed = next(reversed(run.live), 0)
        run.live.setdefault(seed, []).append(record)
        self._changed("epoch", [run])
        return run

    def seed_finished(self, run_id: int, result: RunResult) -> RunView | None:
        run = self.runs.get(run_id)
        if run is None:
            return None
        if result.status == Status.DONE and run.jobs:
            job = run.jobs[min(len(run.results), len(run.jobs) - 1)]
            why = absurd_reason(result, job.problem)
            if why:  # the engine may already do this; the rule is the same one
                result = replace(result, status=Status.DIVERGED, message=why)
        run.results.append(result)
        run.live.pop(result.seed, None)
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
        """Put a run in the overlay or take it out. Raises OverlayRefused for a run
        whose problem or metric differs from the overlay's: never two metrics on one axis."""
        run = self.runs.get(run_id)
        if run is None:
            return None
        if not run.overlay:
            why = overlay_refusal(run, self.overlay)
            if why:
                raise OverlayRefused(why)
        run.overlay = not run.overlay
        self._changed("overlay", [run])
        return run

    def drop_queued(self, run_id: int) -> RunView | None:
        """Take a queued run off the queue and the board (None if it is not queued). Its
        stop is set too: should the training thread have taken it this instant, it
        stops at its first epoch instead of training unseen."""
        run = self.runs.get(run_id)
        if run is None or run.status != QUEUED or run.from_history:
            return None
        run.stop.set()
        with contextlib.suppress(ValueError):
            self.queue.remove(run_id)
        self._changed("cleared", [run])
        del self.runs[run_id]
        self._revisions.pop(run_id, None)
        return run

    def stop_all(self) -> None:
        """Quitting: nothing more is taken off the queue and every run stops after its epoch.

        Nothing shown changes, so no version is bumped.
        """
        self.queue.clear()
        for run in self.runs.values():
            run.stop.set()

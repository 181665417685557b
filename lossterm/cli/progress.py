"""Progress on stderr for headless runs (Rich): the whole sweep, and each run in flight.

Both bars are run listeners, called from the sweep's worker threads; Rich's
Progress is thread-safe.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from lossterm.training.listener import RunListener
from lossterm.training.records import EpochRecord, Job, RunResult

if TYPE_CHECKING:  # Rich is imported when a bar is shown
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class Progress(RunListener):
    """Plain runs' progress on stderr: a bar over every run's epochs, and a bar per run in
    flight."""

    def __init__(self, *, enabled: bool, runs: list[Job]):
        self.enabled = enabled
        self.runs = runs
        self.total = sum(c.epochs for c in runs)
        self._bar: RichProgress | None = None
        self._tasks: dict[int, TaskID] = {}  # run index -> its task
        self._done: dict[int, int] = {}  # run index -> epochs done

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._bar = RichProgress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )
            self._bar.start()
            self._all = self._bar.add_task(f"{len(self.runs)} runs (epochs)", total=self.total)
        return self

    def __exit__(self, *exc):
        _stop(self._bar)
        return False

    def run_started(self, index: int, config: Job) -> None:
        self._done[index] = 0
        if self._bar is not None:
            name = f"  {config.problem.name}/{config.loss.name} seed {config.seed}"
            with _terminal_may_be_gone():  # add_task draws
                self._tasks[index] = self._bar.add_task(name, total=config.epochs)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        self._done[index] = record.epoch
        if self._bar is not None and index in self._tasks:
            with _terminal_may_be_gone():
                self._bar.advance(self._all)
                self._bar.update(self._tasks[index], completed=record.epoch)

    def run_ended(self, index: int, result: RunResult) -> None:
        """Count epochs a run skipped (stopped, diverged) so the bar still ends full."""
        if self._bar is not None and index in self._tasks:
            with _terminal_may_be_gone():
                self._bar.advance(self._all, result.epochs - self._done.get(index, 0))
                self._bar.remove_task(self._tasks.pop(index))


class StudyProgress(RunListener):
    """A study's progress on stderr: one bar per phase ("tuning circles", "final circles"),
    counting epochs, with the runs done out of the phase's runs."""

    def __init__(self, *, enabled: bool):
        self.enabled = enabled
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self._label, self._runs, self._done = "", 0, 0
        self._groups = ""  # on a cluster: the groups landed so far

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True),
                                     transient=True)
            self._bar.start()
        return self

    def __exit__(self, *exc):
        _stop(self._bar)
        return False

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        """A new phase: ``label`` such as 'tuning circles' over ``jobs``."""
        self._label, self._runs, self._done, self._groups = label, len(jobs), 0, ""
        if self._bar is not None:
            with _terminal_may_be_gone():  # add_task draws: after an SSH drop, EIO
                if self._task is not None:
                    self._bar.remove_task(self._task)
                    self._task = None
                self._task = self._bar.add_task(self._describe(),
                                                total=sum(j.epochs for j in jobs))

    def _describe(self) -> str:
        return f"{self._label}: {self._done}/{self._runs} runs{self._groups}"

    def group_ended(self, groups_done: int, groups: int, runs_done: int, runs: int,
                    placement: str) -> None:
        """On a cluster: the groups (populations) landed from the workers, and where the
        last one trained."""
        self._groups = f" · {groups_done}/{groups} groups landed (last on {placement})"
        if self._bar is not None and self._task is not None:
            with _terminal_may_be_gone():
                self._bar.update(self._task, description=self._describe())

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        if self._bar is not None and self._task is not None:  # a phase has begun
            with _terminal_may_be_gone():
                self._bar.advance(self._task)

    def run_ended(self, index: int, result: RunResult) -> None:
        self._done += 1
        if self._bar is not None and self._task is not None:
            with contextlib.suppress(OSError, ValueError):  # drawn here: the tty may be gone
                self._bar.update(self._task, description=self._describe(),
                                 advance=result.epochs - result.epochs_run,
                                 refresh=self._done == self._runs)  # the phase's end is drawn


def _terminal_may_be_gone() -> contextlib.AbstractContextManager[None]:
    """Around every draw: a terminal that vanished (SSH dropped: EIO, or closed) costs
    the progress bar its drawing, never the runs or the report."""
    return contextlib.suppress(OSError, ValueError)


def _stop(bar) -> None:
    """Take the bar down; a terminal that vanished meanwhile (SSH dropped: EIO) must not
    cost the runs that trained, so a failed last draw is let go."""
    if bar is None:
        return
    with contextlib.suppress(OSError, ValueError):
        bar.stop()

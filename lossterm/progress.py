"""Progress on stderr for headless runs (Rich): the whole sweep, and each run in flight.

Handlers are called from the sweep's worker threads; Rich's Progress is
thread-safe.
"""

from __future__ import annotations

from lossterm.engine.records import EpochRecord, Job, RunResult


class Progress:
    def __init__(self, *, enabled: bool, runs: list[Job]):
        self.enabled = enabled
        self.runs = runs
        self.total = sum(c.epochs for c in runs)
        self._bar = None
        self._tasks: dict[int, int] = {}  # run index -> its task
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
        if self._bar is not None:
            self._bar.stop()
        return False

    def start(self, index: int, config: Job) -> None:
        self._done[index] = 0
        if self._bar is not None:
            name = f"  {config.problem.name}/{config.loss.name} seed {config.seed}"
            self._tasks[index] = self._bar.add_task(name, total=config.epochs)

    def epoch(self, index: int, record: EpochRecord) -> None:
        self._done[index] = record.epoch
        if self._bar is not None:
            self._bar.advance(self._all)
            self._bar.update(self._tasks[index], completed=record.epoch)

    def finish(self, index: int, result: RunResult) -> None:
        """Count epochs a run skipped (stopped, diverged) so the bar still ends full."""
        if self._bar is not None:
            self._bar.advance(self._all, result.epochs - self._done.get(index, 0))
            self._bar.remove_task(self._tasks.pop(index))

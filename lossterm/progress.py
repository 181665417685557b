"""A progress bar on stderr for headless runs (Rich), or nothing at all."""

from __future__ import annotations

from lossterm.engine.records import EpochRecord, RunConfig, RunResult


class Progress:
    def __init__(self, *, enabled: bool, runs: list[RunConfig]):
        self.enabled = enabled
        self.total = sum(c.epochs for c in runs)
        self._bar = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                TimeElapsedColumn,
            )

            self._bar = RichProgress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("loading Keras", total=self.total)
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False

    def start(self, config: RunConfig) -> None:
        self._epochs, self._done = config.epochs, 0
        if self._bar is not None:
            self._bar.update(self._task, description=f"{config.problem}/{config.loss}")

    def epoch(self, record: EpochRecord) -> None:
        self._done = record.epoch
        if self._bar is not None:
            self._bar.advance(self._task)

    def finish(self, result: RunResult) -> None:
        """Count epochs a run skipped (stopped, diverged) so the bar still ends full."""
        if self._bar is not None:
            self._bar.advance(self._task, self._epochs - self._done)

"""The TUI's runs: what was asked, how far each got. Plain state, no widgets.

A run is one (problem, loss, settings) over one or more seeds: the planned
jobs, one per seed. The run board (``state.py``) holds them and is the only
thing that changes them, on the UI thread; the training thread reads
``jobs`` and ``stop`` and reports everything else through messages. Runs
read back from the store have names and results but no jobs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lossterm.analysis.stats import curve_stats, summarize
from lossterm.core.types import FINISHED, Status
from lossterm.training.records import DONE, EpochRecord, Job, RunConfig, RunResult

QUEUED, TRAINING = Status.QUEUED, Status.TRAINING


@dataclass(eq=False)
class RunView:
    id: int  # 1, 2, ... in the order the app queued them
    config: RunConfig  # names, for display; its seed is the first seed
    metric: str
    short_name: str
    seeds: int = 1
    jobs: list[Job] = field(default_factory=list)  # one per seed; none for history runs
    status: Status = QUEUED
    results: list[RunResult] = field(default_factory=list)  # finished seeds, in order
    # The seeds training now, by seed: a run's seeds train together as one population,
    # so their epochs arrive interleaved.
    live: dict[int, list[EpochRecord]] = field(default_factory=dict)
    overlay: bool = False
    from_history: bool = False  # read from the store, not trained in this session
    # what it trained with, seed aside as run_settings records it (the store's copy for a
    # history run): which runs v may judge together
    settings: dict = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def label(self) -> str:
        suffix = f" ×{self.seeds}" if self.seeds > 1 else ""
        return f"#{self.id} {self.short_name}{suffix}"

    @property
    def problem_text(self) -> str:
        return ("↺ " if self.from_history else "") + self.config.problem_name

    @property
    def status_text(self) -> str:
        """The status; with several seeds, how many of them the figures stand on."""
        if self.seeds == 1:
            return self.status
        if self.status == TRAINING:  # the seeds train together: say how many are going
            return f"training ×{len(self.live)}" if len(self.live) > 1 else (
                f"training {len(self.results) + 1}/{self.seeds}")
        if self.status == Status.DONE:
            return f"done ×{self.seeds}"
        if self.status == QUEUED:
            return self.status
        return f"{self.status} {self.figure_seeds}/{self.seeds}"

    @property
    def figure_seeds(self) -> int:
        """How many seeds the train and test figures are the mean of."""
        return len(self._good) or sum(1 for records in self.live.values() if records)

    @property
    def _good(self) -> list[RunResult]:
        return [r for r in self.results if r.status == DONE and r.records]

    @property
    def epoch_text(self) -> str:
        if self.status == TRAINING:
            records = max(self.live.values(), key=len, default=[])
        else:
            records = self.results[-1].records if self.results else []
        # Padded to the width of the total, so the cell never widens: Textual's
        # DataTable does not redraw a row whose column only grew on the last update.
        total = str(self.config.epochs)
        return f"{len(records):>{len(total)}}/{total}"

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.results) + sum(
            r.seconds for records in self.live.values() for r in records)

    def figure(self, split: str) -> float | None:
        """Mean over finished seeds that trained to the end, else over the live seeds' latest."""
        good = self._good
        if good:
            return summarize([getattr(r, f"{split}_metric") for r in good]).mean
        latest = [records[-1] for records in self.live.values() if records]
        if latest:
            return summarize([getattr(r, f"{split}_metric") for r in latest]).mean
        return None

    @property
    def trouble(self) -> str:
        """Why the curves must keep this run out of the axis range: diverged seeds, or ''."""
        bad = [r for r in self.results if r.status in (Status.DIVERGED, Status.FAILED)]
        if not bad:
            return ""
        return "diverged" if len(bad) == len(self.results) else f"{len(bad)} diverged"

    def all_series(self, key: str) -> list[list[float]]:
        """Per-epoch values of ``key`` for each seed (finished ones, then the live ones)."""
        runs = [[r.logs[key] for r in res.records if key in r.logs] for res in self.results]
        live = [[r.logs[key] for r in records if key in r.logs] for records in self.live.values()]
        return [s for s in runs + live if s]

    def series(self, key: str) -> list[float]:
        """The per-epoch mean of ``key`` over seeds (one seed: its values)."""

        return curve_stats(self.all_series(key))[0]

    @property
    def regions(self):
        done = [r for r in self.results if r.regions is not None]
        return done[-1].regions if done else None

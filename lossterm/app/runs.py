"""The TUI's runs: what was asked, how far each got. Plain state, no widgets.

Only the UI thread changes a RunView; the training thread reads ``config``
and ``stop`` and reports everything else through messages.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lossterm.engine.records import EpochRecord, RunConfig, RunResult

QUEUED, TRAINING = "queued", "training"
FINISHED = ("done", "stopped", "diverged", "failed")


@dataclass(eq=False)
class RunView:
    id: int  # 1, 2, ... in the order the app queued them
    config: RunConfig
    metric: str
    status: str = QUEUED
    records: list[EpochRecord] = field(default_factory=list)
    result: RunResult | None = None
    overlay: bool = False
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def label(self) -> str:
        from lossterm.engine import get_loss

        return f"#{self.id} {get_loss(self.config.loss).short_name}"

    @property
    def epoch_text(self) -> str:
        return f"{len(self.records)}/{self.config.epochs}"

    @property
    def seconds(self) -> float:
        if self.result is not None:
            return self.result.seconds
        return sum(r.seconds for r in self.records)

    def series(self, key: str) -> list[float]:
        """Per-epoch values of a Keras-style log key (``loss``, ``val_accuracy``...)."""
        return [r.logs[key] for r in self.records if key in r.logs]

"""What a run is asked to do and what it hands back: plain frozen data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

DONE, STOPPED, DIVERGED, FAILED = "done", "stopped", "diverged", "failed"


@dataclass(frozen=True)
class RunConfig:
    problem: str
    loss: str
    seed: int = 0
    epochs: int | None = None  # None: the problem's default
    learning_rate: float = 0.01
    momentum: float = 0.9
    batch_size: int = 32
    hidden_units: int | None = None  # None: the problem's default


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch. ``logs`` is the Keras-style dict handed to callbacks."""

    epoch: int  # 1-based
    train_loss: float
    test_loss: float
    train_metric: float
    test_metric: float
    seconds: float
    logs: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "logs", MappingProxyType(dict(self.logs)))

    @property
    def finite(self) -> bool:
        return math.isfinite(self.train_loss) and math.isfinite(self.test_loss)


@dataclass
class RunResult:
    """A run's identity, its epochs and how it ended."""

    problem: str
    loss: str
    kind: str
    output_activation: str
    output_layer: str
    target_encoding: str
    metric: str
    seed: int
    epochs: int  # asked for
    status: str = DONE
    records: list[EpochRecord] = field(default_factory=list)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    message: str = ""  # why it diverged, stopped or failed
    seconds: float = 0.0
    regions: tuple | None = None  # (xs, ys, classes) when asked for, 2-D classifiers only

    @property
    def epochs_run(self) -> int:
        return len(self.records)

    @property
    def history(self) -> dict[str, list[float]]:
        """Per-epoch lists keyed as Keras's ``History.history`` is."""
        keys = self.records[0].logs.keys() if self.records else ()
        return {k: [r.logs[k] for r in self.records] for k in keys}

    @property
    def train_metric(self) -> float | None:
        return self.records[-1].train_metric if self.records else None

    @property
    def test_metric(self) -> float | None:
        return self.records[-1].test_metric if self.records else None

"""What a run is asked to do and what it hands back: plain frozen data.

A :class:`RunConfig` is a request, as a person or a test writes it: the
problem and loss by name (or as objects), defaults left open. Planning
resolves it once into a :class:`Job`, which holds the :class:`Problem` and
the loss record themselves and every setting filled in; nothing below
planning looks a name up again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lossterm.core.types import Status

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from lossterm.data.problems import Problem
    from lossterm.losses import LossSpec

DONE, STOPPED, DIVERGED, FAILED = Status.DONE, Status.STOPPED, Status.DIVERGED, Status.FAILED


@dataclass(frozen=True)
class RunConfig:
    problem: str | Problem
    loss: str | LossSpec
    seed: int = 0
    epochs: int | None = None  # None: the problem's default
    learning_rate: float | None = None  # None: the optimizer's usual rate (SGD: 0.01)
    momentum: float = 0.9  # SGD's
    batch_size: int = 32
    hidden_units: int | tuple[int, ...] | None = None  # None: the problem's default
    optimizer: str = "sgd"  # sgd (with ``momentum``), adam, adamw or rmsprop
    checkpoint: str = "last"  # "last" epoch's weights, or the "best" epoch's on the test split
    checkpoint_metric: str | None = None  # what "best" means; None: the loss's fair metric

    @property
    def problem_name(self) -> str:
        """The problem's name, whether the request named it or handed the Problem itself."""
        return self.problem if isinstance(self.problem, str) else self.problem.name

    @property
    def loss_name(self) -> str:
        """The loss's name, whether the request named it or handed the LossSpec itself."""
        return self.loss if isinstance(self.loss, str) else self.loss.name


@dataclass(frozen=True, eq=False)
class Job:
    """One resolved run: the problem and loss themselves, every setting decided."""

    problem: Problem
    loss: LossSpec
    seed: int
    epochs: int
    learning_rate: float
    momentum: float
    batch_size: int
    hidden_units: int | tuple[int, ...]
    optimizer: str = "sgd"
    checkpoint: str = "last"
    checkpoint_metric: str | None = None

    def with_seed(self, seed: int) -> Job:
        return replace(self, seed=seed)

    @property
    def layers(self) -> tuple[int, ...]:
        """The hidden layers' widths, input side first."""
        h = self.hidden_units
        return (int(h),) if isinstance(h, (int, float)) else tuple(int(u) for u in h)

    @property
    def population(self) -> tuple[object, ...]:
        """What jobs differing only in seed and learning rate share: they train together,
        as one population in one compiled program."""
        return (id(self.problem), self.loss.name, self.epochs, self.optimizer, self.momentum,
                self.batch_size, self.layers, self.checkpoint, self.checkpoint_metric)

    @property
    def group(self) -> tuple[object, ...]:
        """What runs differing only in seed share (one population per learning rate)."""
        return (*self.population, self.learning_rate)

    @property
    def settings(self) -> dict[str, float | int | str]:
        """The settings a store or report shows (one width, or widths joined by commas)."""
        out: dict[str, float | int | str] = {
            k: getattr(self, k)
            for k in ("learning_rate", "momentum", "batch_size", "epochs", "seed", "optimizer")}
        out["hidden_units"] = self.layers[0] if len(self.layers) == 1 else ",".join(
            str(u) for u in self.layers)
        if self.checkpoint != "last":
            out["checkpoint"] = self.checkpoint
            if self.checkpoint_metric:
                out["checkpoint_metric"] = self.checkpoint_metric
        return out


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

    def __post_init__(self) -> None:
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
    status: Status = DONE
    records: list[EpochRecord] = field(default_factory=list)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    message: str = ""  # why it diverged, stopped or failed
    seconds: float = 0.0
    regions: tuple[NDArray[Any], NDArray[Any], NDArray[Any]] | None = None  # (xs, ys, classes)
    # when asked for, 2-D classifiers only
    learning_rate: float | None = None
    optimizer: str = "sgd"
    weights: list[NDArray[Any]] | None = field(default=None, repr=False)  # the kept weights, Keras's order
    best_epoch: int | None = None  # the epoch those weights are from
    placement: str = ""  # where a cluster trained it: "HOST (DEVICE)"; "" on this machine

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

"""What every backend's population shares: members, start weights, records, the engine contract.

A backend engine (``tf.py``, ``jax.py``, ``torch.py``) only knows how to run one
epoch of stacked models and how to pick rows of its state: :class:`PopulationEngine`
says exactly that much. Everything a person sees is decided once, here and in
``loop.py``: which member gets which shuffles, when a member has diverged, which
rows the program keeps then, when the population stops, and the ``EpochRecord``
each member gets (same keys and values as Keras's own training of the model,
metrics from :func:`metrics.metrics`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.metric import higher_is_better
from lossterm.core.types import Checkpoint as CheckpointPolicy
from lossterm.core.types import Status
from lossterm.losses import LossSpec, encode_targets
from lossterm.metrics.fair import metric_names, metrics_rows
from lossterm.runtime.backend import load_keras
from lossterm.training.records import DONE, EpochRecord


class StopSignal(Protocol):
    """What ends a population at the next epoch: a ``threading.Event``, or anything with
    its ``is_set`` (fit's either-of-two events)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Member:
    """One model of a population: its seed (weights and shuffles) and learning rate."""

    seed: int
    learning_rate: float


@dataclass
class MemberOutcome:
    """A member's epochs and how it ended.

    ``weights`` are in Keras's order (kernel, bias per layer): with the
    checkpoint ``"last"`` those after its last epoch (``None`` when it
    diverged; its start when stopped before epoch 1); with ``"best"`` those
    after ``best_epoch``, its epoch with the best validation figure, which a
    diverged member has too when one of its epochs was finite (else ``None``).
    ``best_epoch`` is 1-based (the last epoch recorded under ``"last"``),
    ``None`` when no epoch gave the weights.
    """

    member: Member
    records: list[EpochRecord] = field(default_factory=list)
    status: Status = DONE  # DONE | DIVERGED | STOPPED
    message: str = ""  # why it diverged or stopped
    weights: list[np.ndarray] | None = None
    best_epoch: int | None = None


@dataclass(frozen=True)
class Layout:
    """The MLP's shape: widths from inputs to outputs and each layer's activation."""

    widths: tuple[int, ...]
    activations: tuple[str, ...]

    @classmethod
    def of(cls, spec: LossSpec, problem, hidden_units: int | Sequence[int] | None) -> Layout:
        """The tutorial's MLP; ``hidden_units`` may be one width or one per hidden layer."""
        hidden = problem.hidden_units if hidden_units is None else hidden_units
        hidden = ((int(hidden),) if isinstance(hidden, (int, float, np.number))
                  else tuple(int(h) for h in hidden))
        if not hidden or min(hidden) < 1:
            raise UsageError("hidden units must be at least 1 per layer")
        units = spec.output_units(problem.n_classes, problem.n_targets)
        return cls((problem.n_features, *hidden, units),
                   ("relu",) * len(hidden) + (spec.output_activation,))

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """One model's weight shapes in Keras's order: kernel, bias, kernel, bias, ..."""
        pairs = zip(self.widths[:-1], self.widths[1:])
        return [shape for i, o in pairs for shape in ((i, o), (o,))]


def start_weights(layout: Layout, seeds: Sequence[int]) -> list[np.ndarray]:
    """Stacked ``(P, ...)`` weights, member p's equal to ``build_model(seed=seeds[p])``'s.

    Calls the same seeded initializers the Keras layers call (He uniform with
    ``seed + j`` for hidden layer j, Glorot uniform with ``seed + n_hidden`` for
    the output), which is 10x cheaper than building a model per seed.
    """

    keras = load_keras()
    n_hidden = len(layout.widths) - 2
    stacks: list[list[np.ndarray]] = [[] for _ in layout.shapes]
    for seed in seeds:
        for j, (shape_k, shape_b) in enumerate(zip(layout.shapes[::2], layout.shapes[1::2])):
            init = (keras.initializers.HeUniform(seed=seed + j) if j < n_hidden
                    else keras.initializers.GlorotUniform(seed=seed + n_hidden))
            stacks[2 * j].append(keras.ops.convert_to_numpy(init(shape_k, dtype="float32")))
            stacks[2 * j + 1].append(np.zeros(shape_b, dtype=np.float32))
    return [np.stack(s) for s in stacks]


@dataclass(frozen=True)
class Data:
    """The problem's arrays with targets encoded for the loss (float32 inputs)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    targets: tuple[str, ...] = ()  # the target columns' names (several-target regression)

    @classmethod
    def of(cls, spec: LossSpec, problem) -> Data:
        n = problem.n_classes
        return cls(np.asarray(problem.X_train, np.float32), encode_targets(spec, problem.y_train, n),
                   np.asarray(problem.X_test, np.float32), encode_targets(spec, problem.y_test, n),
                   problem.targets)


@dataclass(frozen=True)
class EpochOutput:
    """One epoch of the live members, in NumPy: losses ``(P,)``, predictions ``(P, n, units)``."""

    loss: np.ndarray
    val_loss: np.ndarray
    pred: np.ndarray
    val_pred: np.ndarray


class PopulationEngine(Protocol):
    """What a backend implements to train a population: nothing a person sees.

    The engine holds ``R`` rows of stacked state (weights, optimizer slots, one
    learning rate per row). The shared loop (``loop.py``) decides which rows
    there are: it pads a lone member with a copy of itself, and after a
    divergence it tells the engine which rows to keep (:func:`rows_after`).
    So there is one rule for padding and one for divergence, whatever the
    backend; an engine only gathers the rows it is told.

    Engines are built as ``Engine(layout, spec, data, batch_size, optimizer,
    hyper)`` and registered by backend name (``ENGINES`` in ``__init__``).
    """

    def start(self, weights: list[np.ndarray], learning_rates: np.ndarray) -> None:
        """Re-initialise: stacked ``(R, ...)`` start weights, zeroed slots, ``(R,)`` rates."""

    def epoch(self, permutations: np.ndarray) -> EpochOutput:
        """One epoch of every row, row r shuffled by ``permutations[r]``; outputs of all rows."""

    def keep(self, rows: Sequence[int]) -> None:
        """Gather the state: new row ``k`` is old row ``rows[k]`` (rows may repeat)."""

    def weights(self) -> list[np.ndarray]:
        """Every row's weights, stacked ``(R, ...)``, in Keras's order."""


def mlp(weights: Sequence[Any], x: Any, activations: Sequence[Callable],
        affine: Callable[[Any, Any, Any], Any]) -> Any:
    """The MLP's forward pass, written once for every engine and for :func:`forward`:
    per layer ``activation(affine(x, kernel, bias))``.

    ``affine`` is the backend's own ``x @ kernel + bias`` (TensorFlow's with a
    gradient whose rounding does not depend on the number of rows, PyTorch's
    feature-major); what stays the same everywhere is the layer order and the
    activations, which are Keras's."""
    for kernel, bias, activation in zip(weights[::2], weights[1::2], activations):
        x = activation(affine(x, kernel, bias))
    return x


def epoch_logs(out: EpochOutput, spec: LossSpec, data: Data) -> list[dict[str, float]]:
    """Every row's logs, built as ``Session``'s (loss, val_loss, metrics, val_ metrics),
    the metrics of all rows computed together (:func:`metrics.metrics_rows`)."""
    columns = {"loss": out.loss, "val_loss": out.val_loss}
    columns.update(metrics_rows(spec, data.y_train, out.pred, data.targets))
    columns.update({"val_" + k: v for k, v in
                    metrics_rows(spec, data.y_test, out.val_pred, data.targets).items()})
    names, values = list(columns), np.column_stack([np.asarray(v, np.float64)
                                                    for v in columns.values()]).tolist()
    return [dict(zip(names, row)) for row in values]


CHECKPOINTS = tuple(CheckpointPolicy)  # "last", "best"


@dataclass(frozen=True)
class Checkpoint:
    """Which weights a member keeps: its last epoch's, or those of its best ``val_<metric>``."""

    kind: str = "last"
    metric: str = ""

    @classmethod
    def of(cls, kind: str, metric: str | None, spec: LossSpec) -> Checkpoint:
        """Raise UsageError for an unknown kind, or a metric this loss's logs lack."""
        if kind not in CHECKPOINTS:
            raise UsageError(f"unknown checkpoint {kind!r}; choose from {', '.join(CHECKPOINTS)}")
        metric = metric or spec.metric
        known = ("loss", *metric_names(spec))
        if metric not in known:
            raise UsageError(f"no val_{metric} to checkpoint on; {spec.name} logs "
                             f"{', '.join('val_' + k for k in known)}")
        return cls(kind, metric)

    @property
    def key(self) -> str:
        return "val_" + self.metric

    @functools.cached_property
    def higher(self) -> bool:  # cached: better() asks for every member at every epoch
        return higher_is_better(self.metric)

    def better(self, value: float, best: float | None) -> bool:
        """Strictly better than ``best`` (ties keep the earlier epoch); NaN never is."""
        if not math.isfinite(value):
            return False
        return best is None or (value > best if self.higher else value < best)


def unstack(stacks: Sequence[np.ndarray]) -> list[list[np.ndarray]]:
    """Per-member weight lists from stacked arrays."""
    return [[np.array(s[p]) for s in stacks] for p in range(len(stacks[0]))] if stacks else []

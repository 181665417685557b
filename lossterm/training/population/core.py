"""What every backend's population shares: members, start weights, records, the epoch loop.

A backend engine (``tf.py``, ``jax.py``) only knows how to run one epoch of
stacked models; this module decides everything a person sees: which member
gets which shuffles, when a member has diverged, when the population stops,
and the ``EpochRecord`` each member gets, built exactly as ``Session`` builds
its own (same keys, same values, metrics from :func:`metrics.metrics`).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.metric import higher_is_better
from lossterm.core.types import Checkpoint as CheckpointPolicy
from lossterm.losses import LossSpec, encode_targets
from lossterm.metrics.fair import metric_names, metrics_rows
from lossterm.runtime.backend import load_keras
from lossterm.training.records import DIVERGED, DONE, STOPPED, EpochRecord

MemberHandler = Callable[[int, EpochRecord], None]


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
    status: str = DONE  # DONE | DIVERGED | STOPPED
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
        hidden = (int(hidden),) if np.isscalar(hidden) else tuple(int(h) for h in hidden)
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


def run_members(engine, spec: LossSpec, data: Data, members: Sequence[Member], epochs: int,
                stop: threading.Event | None, on_epoch: MemberHandler | None,
                checkpoint: Checkpoint = Checkpoint()) -> list[MemberOutcome]:
    """The population's epoch loop over a started ``engine``.

    Member p's shuffles come from its own ``default_rng(seed)``, one
    permutation per epoch, as a single run's do. A member whose train or test
    loss is not finite is dropped from the engine before the next epoch; the
    others are unaffected (each model's arithmetic is its own). ``stop`` is
    read before each epoch. ``seconds`` in a record is the epoch's wall time
    shared equally among the members that ran it. Under ``checkpoint`` "best"
    the weights are fetched after an epoch only when some member improved.
    """
    outcomes = [MemberOutcome(m) for m in members]
    best: list[float | None] = [None] * len(members)
    rngs = [np.random.default_rng(m.seed) for m in members]
    live = list(range(len(members)))
    n_train = len(data.x_train)
    for epoch in range(1, epochs + 1):
        if not live:
            break
        if stop is not None and stop.is_set():
            for i in live:
                outcomes[i].status, outcomes[i].message = STOPPED, f"stopped before epoch {epoch}"
            break
        tick = time.perf_counter()
        out = engine.epoch(np.stack([rngs[i].permutation(n_train) for i in live]))
        seconds = (time.perf_counter() - tick) / len(live)
        keep = _record_epoch(epoch, out, live, outcomes, spec, data, seconds, on_epoch)
        if checkpoint.kind == "best":
            _keep_best(engine, checkpoint, epoch, live, keep, outcomes, best)
        if len(keep) < len(live):
            engine.keep(keep)
            live = [live[row] for row in keep]
    if checkpoint.kind == "last":
        for row, weights in enumerate(engine.weights()):
            outcome = outcomes[live[row]]
            outcome.weights = weights
            outcome.best_epoch = outcome.records[-1].epoch if outcome.records else None
    return outcomes


def _keep_best(engine, checkpoint, epoch, live, keep, outcomes, best) -> None:
    """Snapshot the weights of the members whose ``val_<metric>`` improved this epoch."""
    improved = []
    key = checkpoint.key
    for row in keep:
        i = live[row]
        value = outcomes[i].records[-1].logs[key]
        if checkpoint.better(value, best[i]):
            best[i] = value
            improved.append(row)
    if improved:
        weights = engine.weights()
        for row in improved:
            outcomes[live[row]].weights, outcomes[live[row]].best_epoch = weights[row], epoch


def _record_epoch(epoch, out, live, outcomes, spec, data, seconds, on_epoch) -> list[int]:
    """Append each live member's record (or mark it diverged); return the rows kept."""
    keep = []
    finite = np.isfinite(out.loss) & np.isfinite(out.val_loss)
    logs = epoch_logs(out, spec, data)
    metric = spec.metric  # a registry lookup: once per epoch, not once per member
    val_metric = "val_" + metric
    for row, i in enumerate(live):
        if not finite[row]:
            loss, val_loss = float(out.loss[row]), float(out.val_loss[row])
            bad = loss if not math.isfinite(loss) else val_loss
            outcomes[i].status, outcomes[i].message = DIVERGED, f"loss became {bad} at epoch {epoch}"
            continue
        row_logs = logs[row]
        record = EpochRecord(epoch=epoch, train_loss=row_logs["loss"],
                             test_loss=row_logs["val_loss"], train_metric=row_logs[metric],
                             test_metric=row_logs[val_metric], seconds=seconds,
                             logs=row_logs)
        outcomes[i].records.append(record)
        keep.append(row)
        if on_epoch is not None:
            on_epoch(i, record)
    return keep


def unstack(stacks: Sequence[np.ndarray]) -> list[list[np.ndarray]]:
    """Per-member weight lists from stacked arrays."""
    return [[np.array(s[p]) for s in stacks] for p in range(len(stacks[0]))] if stacks else []

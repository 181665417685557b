"""Population training: P models of one (problem, loss, architecture, optimizer) in one program.

A fair comparison trains each loss at several learning rates and seeds (148
runs for one problem and four losses). The models are tiny, so one run at a
time spends its time on per-op dispatch; stacking the runs into ``(P, in,
out)`` weights makes every op P times bigger for the same overhead.

Member p starts from exactly the weights ``build_model(seed=seed_p)`` would
have, shuffles with its own ``default_rng(seed_p)`` as a single run does,
steps with its own learning rate, and gets the same ``EpochRecord`` logs a
single run gets. A member that diverges is dropped; the others go on
unchanged. With TensorFlow (the default) an epoch is one ``tf.function``
call; with JAX, one ``jax.jit`` call of ``vmap`` over members and ``scan``
over mini-batches; with PyTorch, each mini-batch step one traced program (see ``torch.py``).
Each backend's engine implements :class:`core.PopulationEngine` and is found in
:data:`ENGINES` by the loaded Keras backend's name; the loop around it
(``loop.py``) is the same for all of them.

    from lossterm.training.population import Member, train_members
    outcomes = train_members(get_problem("circles"), get_loss("bce"),
                                [Member(seed, lr) for seed in range(3) for lr in (0.01, 0.1)],
                                epochs=200)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.losses import LossSpec, encode_targets
from lossterm.metrics.fair import metrics
from lossterm.runtime.backend import load_keras
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.population.core import (
    CHECKPOINTS,
    Checkpoint,
    Data,
    Layout,
    Member,
    MemberOutcome,
    PopulationEngine,
    StopSignal,
    mlp,
)
from lossterm.training.population.jax import JaxEngine
from lossterm.training.population.loop import Program, run_members
from lossterm.training.population.optimizers import OPTIMIZERS, StackedOptimizer, get_optimizer
from lossterm.training.population.tf import TensorFlowEngine
from lossterm.training.population.torch import TorchEngine

__all__ = [
    "CHECKPOINTS",
    "ENGINES",
    "OPTIMIZERS",
    "Member",
    "MemberOutcome",
    "Population",
    "PopulationEngine",
    "evaluate_weights",
    "forward",
    "register_engine",
    "train_members",
]

EngineFactory = Callable[[Layout, LossSpec, Data, int, StackedOptimizer, dict], PopulationEngine]

ENGINES: dict[str, EngineFactory] = {
    "tensorflow": TensorFlowEngine,
    "jax": JaxEngine,
    "torch": TorchEngine,
}
"""The population engine of each Keras backend, by the backend's name."""


def register_engine(backend: str, factory: EngineFactory) -> None:
    """Train populations on ``backend`` with ``factory``'s engines (another backend, or
    another engine for one of these)."""
    ENGINES[backend] = factory


class Population:
    """A compiled population program for one (problem, loss, architecture, optimizer).

    Build once, ``run`` many times: each run re-initialises weights and slots,
    and the epoch is compiled once per population size (TensorFlow traces it,
    0.1-0.2 s; JAX compiles it, cached on disk).
    """

    def __init__(self, problem, spec: LossSpec, *, batch_size: int = 32,
                 hidden_units: int | Sequence[int] | None = None, optimizer: str = "sgd",
                 **hyper):
        if int(batch_size) < 1:
            raise UsageError("batch size must be at least 1")
        self.problem, self.spec = problem, spec
        self.layout = Layout.of(spec, problem, hidden_units)
        self.optimizer = get_optimizer(optimizer)
        self.hyper = self.optimizer.hyper(**hyper)
        data = Data.of(spec, problem)
        engine = _make_engine(self.layout, spec, data, int(batch_size), self.optimizer,
                              self.hyper)
        self.program = Program(engine, self.layout, spec, data)

    @property
    def engine(self) -> PopulationEngine:
        return self.program.engine

    def run(self, members: Sequence[Member], *, epochs: int,
            stop: StopSignal | None = None, listener: RunListener = SILENT,
            checkpoint: str = "last", checkpoint_metric: str | None = None,
            ) -> list[MemberOutcome]:
        """Train ``members`` from their seeded start for ``epochs``; outcomes in their order.

        ``listener.epoch_ended(index, record)`` is called after each epoch for each
        member still going, from the calling thread. ``stop`` ends the whole
        population at the next epoch boundary (members then ``stopped``).
        ``checkpoint``: each member's ``weights`` are its last epoch's
        (``"last"``), or those after its epoch with the best
        ``val_<checkpoint_metric>`` (``"best"``; the loss's metric unless
        given; the earliest such epoch on ties), see ``MemberOutcome.best_epoch``.
        """
        chosen = Checkpoint.of(checkpoint, checkpoint_metric, self.spec)
        members = list(members)
        if not members:
            return []
        if int(epochs) < 1:
            raise UsageError("epochs must be at least 1")
        if not all(m.learning_rate > 0 for m in members):
            raise UsageError("learning rate must be positive")
        return run_members(self.program, members, epochs=int(epochs), stop=stop,
                           listener=listener, checkpoint=chosen)


def forward(spec: LossSpec, weights: Sequence[np.ndarray], X) -> np.ndarray:
    """One model's outputs on rows ``X``: ReLU hidden layers and the loss's head, in
    float32 with Keras's activations, as a population's epoch computes them.
    ``weights`` in Keras's order (kernel, bias per layer)."""

    keras = load_keras()
    ops = keras.ops
    weights = [np.asarray(w, np.float32) for w in weights]
    names = ["relu"] * (len(weights) // 2 - 1) + [spec.output_activation]
    x = mlp(weights, ops.convert_to_tensor(np.asarray(X, np.float32)),
            [keras.activations.get(name) for name in names],
            lambda x, kernel, bias: ops.add(ops.matmul(x, kernel), bias))
    return ops.convert_to_numpy(x)


def evaluate_weights(problem, spec: LossSpec, weights: Sequence[np.ndarray], X, y,
             hidden_units: int | Sequence[int] | None = None) -> dict[str, float]:
    """One model's figures on rows ``X`` with raw targets ``y``: the Keras loss
    (``"loss"``) and :func:`metrics.metrics`'s logs, as a population's epoch
    computes them (float32 forward pass, the loss object's values averaged).

    ``weights`` in Keras's order, e.g. a ``MemberOutcome.weights``; this is how
    a study reads the test split once, after training.
    """

    ops = load_keras().ops
    layout = Layout.of(spec, problem, hidden_units)
    if [np.shape(w) for w in weights] != layout.shapes:
        raise UsageError(f"weights shaped {[np.shape(w) for w in weights]} do not fit the "
                         f"model {' -> '.join(map(str, layout.widths))}")
    pred = forward(spec, weights, X)
    y_enc = encode_targets(spec, y, problem.n_classes)
    loss = spec.make_keras_loss()
    values = ops.convert_to_numpy(loss.call(ops.cast(ops.convert_to_tensor(y_enc), loss.dtype),
                                            ops.convert_to_tensor(pred)))
    logs = {"loss": float(np.sum(values, dtype=np.float32) / np.float32(max(values.size, 1)))}
    logs.update(metrics(spec, y_enc, pred, problem.targets))
    return logs


def train_members(problem, spec: LossSpec, members: Sequence[Member], *, epochs: int,
                     batch_size: int = 32, hidden_units: int | Sequence[int] | None = None,
                     momentum: float = 0.9, optimizer: str = "sgd",
                     stop: StopSignal | None = None, listener: RunListener = SILENT,
                     checkpoint: str = "last", checkpoint_metric: str | None = None,
                     **hyper) -> list[MemberOutcome]:
    """Train ``members`` together once (see :class:`Population` to reuse the program).

    ``momentum`` is SGD's (the tutorial's 0.9); other optimizers take Keras's
    defaults unless ``hyper`` overrides them (``beta_1=``, ``rho=``, ...).
    """
    if optimizer == "sgd":
        hyper["momentum"] = momentum
    population = Population(problem, spec, batch_size=batch_size, hidden_units=hidden_units,
                            optimizer=optimizer, **hyper)
    return population.run(members, epochs=epochs, stop=stop, listener=listener,
                          checkpoint=checkpoint, checkpoint_metric=checkpoint_metric)


def _make_engine(layout: Layout, spec: LossSpec, data: Data, batch_size: int,
                 optimizer: StackedOptimizer, hyper: dict) -> PopulationEngine:
    """The registered engine for the loaded Keras backend."""

    backend = load_keras().backend.backend()
    factory = ENGINES.get(backend)
    if factory is None:
        raise UsageError(f"population training has no {backend} engine; use "
                         f"{', '.join(ENGINES)}")
    return factory(layout, spec, data, batch_size, optimizer, hyper)

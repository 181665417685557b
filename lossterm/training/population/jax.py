"""The JAX population engine: one ``jax.jit`` call per epoch, ``vmap`` over members,
``lax.scan`` over mini-batches.

Each member's epoch is written for one model (the shapes a single run has) and
``jax.vmap`` stacks it, so the Keras loss object and the optimizer rules see
exactly what they would see in a single run. XLA compiles the epoch once per
(problem, loss, population size); compiled programs are kept in JAX's
persistent cache (``$XDG_CACHE_HOME/lossterm/jax``, else ``~/.cache/lossterm/jax``)
because a cold compile costs a second or two per (problem, loss).

Which rows there are (a lone member's copy, a diverged member's row refilled
with a copy of another, so that the size and the compiled program stay) the
shared loop decides (``loop.py``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lossterm.losses import LossSpec
from lossterm.runtime.backend import load_keras
from lossterm.training.population.core import Data, EpochOutput, Layout, mlp
from lossterm.training.population.optimizers import StackedOptimizer


def cache_dir() -> Path:
    """Where compiled population programs are kept between processes."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lossterm" / "jax"


def enable_compilation_cache() -> None:
    """Point JAX's persistent cache at :func:`cache_dir` unless the user set one."""
    import jax

    # jax declares its flags at run time, so its Config's type does not list them
    if jax.config.jax_compilation_cache_dir is None:  # type: ignore[attr-defined]
        cache_dir().mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(cache_dir()))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


class JaxEngine:
    """A :class:`~lossterm.training.population.core.PopulationEngine` on JAX."""

    def __init__(self, layout: Layout, spec: LossSpec, data: Data, batch_size: int,
                 optimizer: StackedOptimizer, hyper: dict):
        import jax
        import jax.numpy as jnp

        enable_compilation_cache()
        keras = load_keras()
        self._jnp, self.layout, self.optimizer, self.hyper = jnp, layout, optimizer, hyper
        self._loss = spec.make_keras_loss()
        self._activations = [keras.activations.get(a) for a in layout.activations]
        self._data = [jnp.asarray(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test)]
        self._n, self._batch_size = len(data.x_train), int(batch_size)
        self._state: tuple = ()
        self._epoch = jax.jit(jax.vmap(self._member_epoch, in_axes=(0, 0, 0, None, 0)))

    def start(self, weights: list[np.ndarray], learning_rates: np.ndarray) -> None:
        jnp = self._jnp
        stacks = [jnp.asarray(w) for w in weights]
        slots = tuple([jnp.zeros_like(w) for w in stacks] for _ in range(self.optimizer.slots))
        self._state = (stacks, slots, jnp.asarray(learning_rates, jnp.float32), 0)

    def epoch(self, permutations: np.ndarray) -> EpochOutput:
        weights, slots, rates, step = self._state
        perms = np.asarray(permutations, np.int32)
        weights, slots, losses, preds = self._epoch(weights, slots, rates,
                                                    self._jnp.float32(step), perms)
        self._state = (weights, slots, rates, step + -(-self._n // self._batch_size))
        losses = np.asarray(losses)
        return EpochOutput(losses[:, 0], losses[:, 1], np.asarray(preds[0]), np.asarray(preds[1]))

    def keep(self, rows: Sequence[int]) -> None:
        weights, slots, rates, step = self._state
        index = np.asarray(rows, np.int32)
        self._state = ([w[index] for w in weights], tuple([t[index] for t in s] for s in slots),
                       rates[index], step)

    def weights(self) -> list[np.ndarray]:
        return [np.asarray(w) for w in self._state[0]]

    # Traced by jax.jit, for one member (vmap stacks it).
    def _member_epoch(self, weights, slots, lr, step, perm):
        from jax import lax

        x_train, _, x_test, _ = self._data
        full = self._n // self._batch_size * self._batch_size

        def body(carry, idx):
            weights, slots, step = carry
            weights, slots = self._step(weights, slots, lr, step, idx)
            return (weights, slots, step + 1), None

        batches = perm[:full].reshape(-1, self._batch_size)
        (weights, slots, step), _ = lax.scan(body, (weights, slots, step), batches)
        if full < self._n:  # the short last batch, as Keras and TensorFlow have it
            weights, slots = self._step(weights, slots, lr, step, perm[full:])
        pred, val_pred = self._forward(weights, x_train), self._forward(weights, x_test)
        losses = self._jnp.stack([self._mean_loss(self._data[1], pred),
                                  self._mean_loss(self._data[3], val_pred)])
        return weights, slots, losses, (pred, val_pred)

    def _step(self, weights, slots, lr, step, idx):
        import jax

        x, y = self._data[0][idx], self._data[1][idx]
        grads = jax.grad(lambda w: self._mean_loss(y, self._forward(w, x)))(weights)
        return self.optimizer.apply(weights, grads, slots, [lr] * len(weights), step, self.hyper)

    def _forward(self, weights, x):
        return mlp(weights, x, self._activations, lambda x, kernel, bias: x @ kernel + bias)

    def _mean_loss(self, y, pred):
        """The Keras loss as ``sum_over_batch_size`` reduces it: sum, divide by the count."""
        values = self._loss.call(y.astype(self._loss.dtype), pred)
        return self._jnp.sum(values) / values.size

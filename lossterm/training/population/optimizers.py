"""Keras's optimizer rules, written once for stacked weights with one learning rate per model.

Keras's optimizers hold one scalar learning rate and one slot variable per
weight; a population needs P learning rates over ``(P, ...)`` stacks, inside a
traced TensorFlow graph or under ``jax.vmap``. Each rule below is the update
step of the Keras class of the same name, operation for operation, in
``keras.ops`` so it runs on either backend's tensors (``tests/test_population.py``
checks each against ``keras.optimizers.X`` to 1e-6). ``lr`` is broadcastable
to the weight it updates: ``(P, 1, 1)`` for a stacked kernel, a scalar under
``vmap``. ``step`` counts the updates already made (Keras's ``iterations``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lossterm.core.errors import UsageError
from lossterm.runtime.backend import load_keras


def _ops():
    return load_keras().ops


@dataclass(frozen=True)
class StackedOptimizer:
    """One Keras rule: ``slots`` zero-filled states per weight, ``update`` one weight's step.

    ``update(w, g, slots, lr, step, hp, ops) -> (w, slots)``; ``hp`` holds the
    hyper-parameters (Keras's defaults unless given), ``ops`` the operations.
    """

    name: str
    keras_class: str
    slots: int
    update: Callable
    defaults: dict = field(default_factory=dict)

    def hyper(self, **overrides) -> dict:
        """Keras's defaults with ``overrides`` (``None`` values ignored)."""
        unknown = set(overrides) - set(self.defaults)
        if unknown:
            raise UsageError(f"{self.name} takes no {', '.join(sorted(unknown))}")
        return {**self.defaults, **{k: v for k, v in overrides.items() if v is not None}}

    def init(self, weights: Sequence) -> tuple:
        """Zeroed slots: a tuple of ``slots`` lists shaped as ``weights``."""
        ops = _ops()
        return tuple([ops.zeros_like(w) for w in weights] for _ in range(self.slots))

    def apply(self, weights, grads, state, lrs, step, hp: dict, ops=None):
        """One update of every weight; ``lrs`` holds one broadcastable rate per weight.

        ``ops``: the operations the rule is written in, ``keras.ops`` unless
        given (the PyTorch engine passes the same operations on torch tensors
        without Keras's per-call conversion, a third of its epoch)."""
        ops = ops or _ops()
        new_weights: list[Any] = []
        new_state: tuple[list[Any], ...] = tuple([] for _ in range(self.slots))
        for i, (w, g, lr) in enumerate(zip(weights, grads, lrs)):
            w, slots = self.update(w, g, [s[i] for s in state], lr, step, hp, ops)
            new_weights.append(w)
            for kept, value in zip(new_state, slots):
                kept.append(value)
        return new_weights, new_state

    def keras(self, learning_rate: float, **overrides):
        """The Keras optimizer this rule copies, with the same settings (for tests)."""

        return getattr(load_keras().optimizers, self.keras_class)(
            learning_rate=learning_rate, **self.hyper(**overrides))


def _sgd(w, g, slots, lr, step, hp, ops):
    """keras.optimizers.SGD (nesterov=False): ``v = m*v - lr*g; w = w + v``."""
    if hp["momentum"] == 0:
        return ops.subtract(w, ops.multiply(g, lr)), [slots[0]]
    v = ops.subtract(ops.multiply(slots[0], hp["momentum"]), ops.multiply(g, lr))
    return ops.add(w, v), [v]


def _adam_moments(g, m, v, hp, ops):
    m = ops.add(m, ops.multiply(ops.subtract(g, m), 1 - hp["beta_1"]))
    v = ops.add(v, ops.multiply(ops.subtract(ops.square(g), v), 1 - hp["beta_2"]))
    return m, v


def _adam(w, g, slots, lr, step, hp, ops):
    """keras.optimizers.Adam (amsgrad=False), bias correction folded into ``alpha``."""
    t = ops.cast(step + 1, w.dtype)
    b1_power = ops.power(ops.cast(hp["beta_1"], w.dtype), t)
    b2_power = ops.power(ops.cast(hp["beta_2"], w.dtype), t)
    alpha = lr * ops.sqrt(1 - b2_power) / (1 - b1_power)
    m, v = _adam_moments(g, slots[0], slots[1], hp, ops)
    w = ops.subtract(w, ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), hp["epsilon"])))
    return w, [m, v]


def _adamw(w, g, slots, lr, step, hp, ops):
    """keras.optimizers.AdamW: decay ``w - w*wd*lr`` first (every weight), then Adam."""
    w = ops.subtract(w, ops.multiply(ops.multiply(w, hp["weight_decay"]), lr))
    return _adam(w, g, slots, lr, step, hp, ops)


def _rmsprop(w, g, slots, lr, step, hp, ops):
    """keras.optimizers.RMSprop (centered=False), with its optional momentum."""
    rho = hp["rho"]
    velocity = ops.add(ops.multiply(rho, slots[0]), ops.multiply(1 - rho, ops.square(g)))
    increment = ops.divide(ops.multiply(lr, g), ops.sqrt(ops.add(velocity, hp["epsilon"])))
    if hp["momentum"] > 0:
        momentum = ops.add(ops.multiply(hp["momentum"], slots[1]), increment)
        return ops.subtract(w, momentum), [velocity, momentum]
    return ops.subtract(w, increment), [velocity, slots[1]]


_ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
OPTIMIZERS: dict[str, StackedOptimizer] = {
    o.name: o for o in (
        StackedOptimizer("sgd", "SGD", 1, _sgd, {"momentum": 0.9}),
        StackedOptimizer("adam", "Adam", 2, _adam, dict(_ADAM)),
        StackedOptimizer("adamw", "AdamW", 2, _adamw, {**_ADAM, "weight_decay": 0.004}),
        StackedOptimizer("rmsprop", "RMSprop", 2, _rmsprop,
                         {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7}),
    )
}


def get_optimizer(name: str) -> StackedOptimizer:
    try:
        return OPTIMIZERS[name.strip().lower()]
    except KeyError:
        raise UsageError(
            f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}") from None

"""The probe an own loss passes before it trains: called as training will call it, on
``(n, units)`` and stacked ``(P, n, units)`` batches, inside the backend's compiled
function, it must return one finite value per sample and a finite gradient.
Anything else is one line (:class:`UsageError`) naming the file."""

from __future__ import annotations

import contextlib
import sys

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.types import Kind
from lossterm.losses.encodings import encode
from lossterm.losses.heads import SIGMOID, SOFTMAX, SOFTPLUS, TANH, Head
from lossterm.losses.spec import LossSpec
from lossterm.runtime.backend import load_keras

PROBE_ROWS, PROBE_MEMBERS, PROBE_CLASSES = 8, 2, 3


@contextlib.contextmanager
def stdout_to_stderr():
    """What the user's code prints goes to stderr, never into a report on stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def one_line(exc: BaseException, limit: int = 160) -> str:
    """``Type: first line of the message``, cut at ``limit`` characters."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    first = first if len(first) <= limit else first[:limit - 1].rstrip() + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def probe_batch(spec: LossSpec, members: int | None = None, seed: int = 0):
    """(y, pred) as training hands them to the loss: targets encoded for ``spec``, outputs
    in its head's range; with a leading member axis of ``members`` when given."""
    rng = np.random.default_rng(seed)
    n, k = PROBE_ROWS, PROBE_CLASSES
    labels: np.ndarray  # regression's floats, or class indices
    if spec.kind == Kind.REGRESSION:
        labels = rng.normal(size=n)
    else:
        labels = np.arange(n) % (2 if spec.kind == Kind.BINARY else k)
    y = encode(spec.target_encoding, labels, k)
    units = spec.head.units(k if spec.kind == Kind.MULTICLASS else 2)
    shape = (n, units) if members is None else (members, n, units)
    pred = _head_values(spec.head, rng, shape)
    if members is not None:
        y = np.broadcast_to(y, (members, *y.shape)).copy()
    return y, pred.astype(np.float32)


def _head_values(head: Head, rng, shape) -> np.ndarray:
    if head == SIGMOID:
        return rng.uniform(0.05, 0.95, shape)
    if head == TANH:
        return rng.uniform(-0.9, 0.9, shape)
    if head == SOFTPLUS:
        return rng.uniform(0.1, 3.0, shape)
    if head == SOFTMAX:
        z = np.exp(rng.normal(size=shape))
        return z / z.sum(axis=-1, keepdims=True)
    return rng.normal(size=shape)


def probe(where: str, spec: LossSpec) -> None:
    """Call the loss as training will, on (n, units) and (P, n, units) probe batches,
    compiled as the backend compiles it; refuse what would not train."""
    loss = spec.make_keras_loss()
    for members in (None, PROBE_MEMBERS):
        y, pred = probe_batch(spec, members)
        expected = pred.shape[:-1]
        try:
            with stdout_to_stderr():
                values, gradient = _values_and_gradient(loss, y, pred)
        except UsageError:
            raise
        except SystemExit as exc:  # the user's function exiting is a refusal, not our exit
            raise UsageError(f"{where}: {spec.name} called sys.exit({exc.code!r}) on a probe "
                             "batch; a loss returns values") from None
        except Exception as exc:
            raise UsageError(f"{where}: {spec.name} failed on a probe batch of shape "
                             f"{pred.shape}: {one_line(exc)} (is it written with keras.ops, "
                             f"no NumPy?)") from None
        if values.shape != expected:
            raise UsageError(
                f"{where}: {spec.name} returned shape {values.shape} for predictions of shape "
                f"{pred.shape}; it must return one value per sample, shape {expected}: "
                f"reduce over the last axis only, e.g. keras.ops.mean(..., axis=-1)")
        if not np.all(np.isfinite(values)):
            raise UsageError(f"{where}: {spec.name} returned NaN or infinite values on a "
                             f"probe batch of shape {pred.shape} ({spec.head.key} outputs)")
        if gradient is None or not np.all(np.isfinite(gradient)):
            what = "no gradient" if gradient is None else "a NaN or infinite gradient"
            raise UsageError(f"{where}: {spec.name} has {what} with respect to the "
                             f"prediction on a probe batch of shape {pred.shape}")


def _values_and_gradient(loss, y, pred):
    """The loss's per-sample values and the gradient of their sum with respect to ``pred``,
    computed inside the backend's compiled function (graph or jit), as training runs it."""

    keras = load_keras()
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(autograph=False)
        def both(y, pred):
            with tf.GradientTape() as tape:
                tape.watch(pred)
                values = loss.call(y, pred)
                total = tf.reduce_sum(values)
            return values, tape.gradient(total, pred)

        values, gradient = both(tf.constant(y), tf.constant(pred))
        return values.numpy(), None if gradient is None else gradient.numpy()
    if backend == "jax":
        import jax

        def total(pred, y):
            values = loss.call(y, pred)
            return values.sum(), values

        (_, values), gradient = jax.jit(jax.value_and_grad(total, has_aux=True))(pred, y)
        return np.asarray(values), np.asarray(gradient)
    import torch

    tensor = torch.tensor(pred, requires_grad=True)
    values = loss.call(torch.tensor(y), tensor)
    values.sum().backward()
    grad = None if tensor.grad is None else tensor.grad.numpy()
    return values.detach().cpu().numpy(), grad

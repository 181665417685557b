"""The TensorFlow population engine: one ``tf.function`` call per epoch for all members.

An epoch of one tiny model is some 1,800 graph ops for 2 MFLOP, so time goes
to op dispatch. Stacking P models makes each op P times bigger for the same
dispatch cost: weights are ``(P, in, out)`` tensors, mini-batches come from
``tf.gather`` with a ``(P, n)`` permutation, layers are batched matmuls, and
the mini-batch loop is a ``tf.while_loop`` (unrolled, tracing took 2 s per
(problem, loss) instead of 0.3 s, and ran no faster).

The weights and optimizer slots go in and out of the function as tensors.
The function is traced once per number of rows with that number known:
TensorFlow then drops the shape arithmetic its gradients need for an unknown
batch axis, 10-18% of an epoch, for a trace of 0.1-0.2 s per size. Which rows
there are (a lone member's copy, a diverged member's row refilled) the shared
loop decides (``loop.py``), so that few sizes are traced. A member's numbers are
the same, bit for bit, whatever else shares its population (see :func:`_add_bias`).
The epoch is called through its concrete function, which skips the signature
matching a ``tf.function`` call does.

Kernels run on one thread each (:func:`~lossterm.runtime.backend.configure_threads`): every op here is
tiny, and handing each to a pool of threads costs more than it saves. On
two cores that halved the CPU time of the nine x 10 seeds and left the
other core to a second population (the sweep runs two at a time).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lossterm.losses import LossSpec
from lossterm.runtime.backend import configure_threads, load_keras
from lossterm.training.population.core import Data, EpochOutput, Layout, mlp
from lossterm.training.population.optimizers import StackedOptimizer


class TensorFlowEngine:
    """A :class:`~lossterm.training.population.core.PopulationEngine` on TensorFlow."""

    def __init__(self, layout: Layout, spec: LossSpec, data: Data, batch_size: int,
                 optimizer: StackedOptimizer, hyper: dict):
        import tensorflow as tf

        keras = load_keras()
        configure_threads()
        self._tf, self.layout, self.optimizer, self.hyper = tf, layout, optimizer, hyper
        self._loss = spec.make_keras_loss()
        self._activations = [keras.activations.get(a) for a in layout.activations]
        self._data = [tf.constant(a) for a in (data.x_train, data.y_train, data.x_test, data.y_test)]
        self._batch_size = batch_size
        self._epoch = tf.function(self._epoch_graph, autograph=False)
        self._calls: dict = {}  # rows -> the epoch's concrete function for that many rows
        self._state: tuple = ()

    @property
    def traces(self) -> int:
        """How many times the epoch graph was traced: once per number of rows run."""
        return self._epoch.experimental_get_tracing_count()

    def start(self, weights: list[np.ndarray], learning_rates: np.ndarray) -> None:
        tf = self._tf
        stacks = [tf.constant(w) for w in weights]
        slots = tuple([tf.zeros_like(w) for w in stacks] for _ in range(self.optimizer.slots))
        self._state = (stacks, slots, tf.constant(np.asarray(learning_rates, np.float32)),
                       tf.constant(0.0))

    def epoch(self, permutations: np.ndarray) -> EpochOutput:
        weights, slots, rates, step = self._state
        rows = len(permutations)
        perm = self._tf.constant(permutations, self._tf.int32)
        if rows not in self._calls:
            self._calls[rows] = self._epoch.get_concrete_function(weights, slots, rates, step, perm)
        weights, slots, step, losses, preds = self._calls[rows](weights, slots, rates, step, perm)
        self._state = (weights, slots, rates, step)
        losses = losses.numpy()
        return EpochOutput(losses[0], losses[1], preds[0].numpy(), preds[1].numpy())

    def keep(self, rows: Sequence[int]) -> None:
        tf = self._tf
        weights, slots, rates, step = self._state
        index = tf.constant(list(rows), tf.int32)

        def pick(ts):
            return [tf.gather(t, index) for t in ts]

        self._state = (pick(weights), tuple(pick(s) for s in slots), tf.gather(rates, index), step)

    def weights(self) -> list[np.ndarray]:
        return [w.numpy() for w in self._state[0]]

    # Traced once per number of rows; everything below runs inside the graph.
    def _epoch_graph(self, weights, slots, rates, step, perm):
        tf = self._tf
        x_train, y_train, x_test, y_test = self._data
        lrs = [tf.reshape(rates, [-1] + [1] * (len(s))) for s in self.layout.shapes]
        n, size = tf.shape(perm)[1], self._batch_size

        def batch(start, weights, slots, step):
            idx = perm[:, start:tf.minimum(start + size, n)]
            xb, yb = tf.gather(x_train, idx), tf.gather(y_train, idx)
            with tf.GradientTape() as tape:
                tape.watch(weights)
                total = tf.reduce_sum(self._member_losses(yb, self._forward(weights, xb)))
            grads = tape.gradient(total, weights)
            weights, slots = self.optimizer.apply(weights, grads, slots, lrs, step, self.hyper)
            return start + size, weights, slots, step + 1.0

        _, weights, slots, step = tf.while_loop(
            lambda start, *_: start < n, batch, (tf.constant(0), weights, slots, step))
        pred, val_pred = self._forward(weights, x_train), self._forward(weights, x_test)
        losses = tf.stack([self._member_losses(y_train, pred, shared=True),
                           self._member_losses(y_test, val_pred, shared=True)])
        return weights, slots, step, losses, (pred, val_pred)

    def _forward(self, weights, x):
        """Stacked MLP: ``x`` is ``(P, B, in)``, or ``(n, in)`` shared by every member."""
        tf = self._tf  # (n, in) @ (P, in, out) broadcasts too
        return mlp(weights, x, self._activations,
                   lambda x, kernel, bias: _add_bias(tf.matmul(x, kernel), bias))

    def _member_losses(self, y, pred, shared: bool = False):
        """Each member's Keras loss: the loss object's unreduced values, averaged per member
        as Keras's ``sum_over_batch_size`` does (sum, then divide by the count).

        ``shared``: ``y`` is the split's targets, the same for every member."""
        tf = self._tf
        if shared:
            y = tf.broadcast_to(y, tf.concat([tf.shape(pred)[:1], tf.shape(y)], 0))
        y = tf.cast(y, self._loss.dtype)
        values = self._loss.call(y, pred)  # (P, n)
        return tf.math.divide_no_nan(tf.reduce_sum(values, axis=1),
                                     tf.cast(tf.shape(values)[1], values.dtype))


def _add_bias(x, bias):
    """``x + bias`` per member, whose gradient does not depend on how many members there are.

    TensorFlow's gradient of a broadcast add sums ``(P, B, out)`` over its middle
    axis, and that reduction's rounding changes with P on CPU: a member's history
    would then depend on which others share its population (one diverging, say).
    Summing over the innermost axis of the transpose is the same sum, computed
    row by row."""
    import tensorflow as tf

    @tf.custom_gradient
    def add(x, bias):
        def grad(dy):
            return dy, tf.reduce_sum(tf.transpose(dy, [0, 2, 1]), axis=2)

        return x + bias[:, None, :], grad

    return add(x, bias)

"""One compiled epoch over Keras's own model, loss and optimizer objects.

``model.fit`` spends most of its time on per-batch Python work when the model
is this small. Here a whole epoch (every mini-batch step, then evaluation of
the train and test sets) is one ``tf.function`` call, traced once per run.
The arithmetic is Keras's: its layers, its loss object, its SGD update.
"""

from __future__ import annotations

import numpy as np

from lossterm.engine.backend import load_keras
from lossterm.engine.losses import LossSpec
from lossterm.engine.problems import REGRESSION


def metric_names(spec: LossSpec) -> tuple[str, ...]:
    """The metrics in each epoch's logs, the one a person reads first."""
    if spec.kind == REGRESSION:
        return ("mse", "rmse", "mae")
    if spec.output_activation == "tanh":
        return ("accuracy", "keras2_accuracy", "keras3_accuracy")
    return ("accuracy",)


class EpochStepper:
    """Trains ``model`` one epoch per call; returns Keras-style logs as floats."""

    def __init__(self, model, spec: LossSpec, optimizer, data, batch_size: int):
        import tensorflow as tf

        self._tf = tf
        self.model, self.spec, self.optimizer = model, spec, optimizer
        self.loss = spec.make_keras_loss()
        self.x_train, self.y_train, self.x_test, self.y_test = (
            tf.constant(a) for a in data
        )
        self.batch_size = int(batch_size)
        optimizer.build(model.trainable_variables)
        self._epoch = tf.function(self._epoch_graph)

    def __call__(self, permutation: np.ndarray) -> dict[str, float]:
        out = self._epoch(self._tf.constant(permutation, dtype=self._tf.int32))
        return {k: float(v) for k, v in out.items()}

    # Traced once; every line below runs inside the graph.
    def _epoch_graph(self, perm):
        tf = self._tf
        n = tf.shape(perm)[0]
        variables = self.model.trainable_variables
        for start in tf.range(0, n, self.batch_size):
            idx = perm[start : tf.minimum(start + self.batch_size, n)]
            xb, yb = tf.gather(self.x_train, idx), tf.gather(self.y_train, idx)
            with tf.GradientTape() as tape:
                batch_loss = self.loss(yb, self.model(xb, training=True))
            grads = tape.gradient(batch_loss, [v.value for v in variables])
            self.optimizer.apply(grads, variables)
        logs = self._evaluate(self.x_train, self.y_train, "")
        logs.update(self._evaluate(self.x_test, self.y_test, "val_"))
        return logs

    def _evaluate(self, x, y, prefix: str) -> dict:
        pred = self.model(x, training=False)
        logs = {prefix + "loss": self.loss(y, pred)}
        for name, value in _metrics(self._tf, self.spec, y, pred).items():
            logs[prefix + name] = value
        return logs


def _metrics(tf, spec: LossSpec, y, pred) -> dict:
    """The fair metrics for ``spec``'s kind, read correctly for its encoding."""
    if spec.kind == REGRESSION:
        residual = tf.reshape(pred, [-1]) - tf.reshape(tf.cast(y, pred.dtype), [-1])
        mse = tf.reduce_mean(tf.square(residual))
        return {"mse": mse, "rmse": tf.sqrt(mse), "mae": tf.reduce_mean(tf.abs(residual))}
    truth, guess = _classes(tf, spec, y, pred)
    logs = {"accuracy": tf.reduce_mean(tf.cast(tf.equal(truth, guess), tf.float32))}
    if spec.output_activation == "tanh":
        logs.update(_legacy_accuracies(tf, y, pred))
    return logs


def _legacy_accuracies(tf, y, pred) -> dict:
    """What ``metrics=["accuracy"]`` reports for a tanh output and {-1, 1} labels.

    Keras 2 compared labels with ``round(f)``: right only when the sign is right
    *and* |f| >= 0.5 (the tutorial's figures). Keras 3 compares them with
    ``f > 0.5`` cast to {0, 1}, so no -1 label ever matches.
    """
    def share_equal(guess):
        return tf.reduce_mean(tf.cast(tf.equal(y, tf.cast(guess, y.dtype)), tf.float32))

    return {"keras2_accuracy": share_equal(tf.round(pred)),
            "keras3_accuracy": share_equal(pred > 0.5)}


def _classes(tf, spec: LossSpec, y, pred):
    """Integer classes of the targets and of the predictions."""
    if spec.output_activation == "softmax":
        guess = tf.argmax(pred, axis=-1, output_type=tf.int32)
        if spec.target_encoding == "integer":
            truth = tf.reshape(tf.cast(y, tf.int32), [-1])
        else:
            truth = tf.argmax(y, axis=-1, output_type=tf.int32)
        return truth, guess
    threshold = 0.0 if spec.output_activation == "tanh" else 0.5
    truth = tf.cast(tf.reshape(y, [-1]) > threshold, tf.int32)
    guess = tf.cast(tf.reshape(pred, [-1]) > threshold, tf.int32)
    return truth, guess


def make_optimizer(learning_rate: float, momentum: float):
    return load_keras().optimizers.SGD(learning_rate=learning_rate, momentum=momentum)

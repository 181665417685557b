"""One epoch per call, over Keras's own model, loss and optimizer objects.

``model.fit`` spends most of its time on per-batch Python work when the model
is this small. With TensorFlow, a whole epoch (every mini-batch step, then the
predictions on the train and test sets) is one ``tf.function`` call, traced
once per session. With JAX or PyTorch, the generic stepper calls Keras's
``train_on_batch`` for each mini-batch (Keras compiles the step). Either way
the metrics are computed from the predictions by :mod:`lossterm.metrics.fair`.
"""

from __future__ import annotations

import numpy as np

from lossterm.losses import LossSpec
from lossterm.metrics.fair import metrics
from lossterm.runtime.backend import load_keras


def make_stepper(model, spec: LossSpec, optimizer, data, batch_size: int):
    if load_keras().backend.backend() == "tensorflow":
        return TensorFlowStepper(model, spec, optimizer, data, batch_size)
    return GenericStepper(model, spec, optimizer, data, batch_size)


def make_optimizer(learning_rate: float, momentum: float):
    return load_keras().optimizers.SGD(learning_rate=learning_rate, momentum=momentum)


class _Stepper:
    """Shared: data, and turning losses and predictions into Keras-style logs."""

    def __init__(self, model, spec: LossSpec, optimizer, data, batch_size: int):
        self.model, self.spec, self.optimizer = model, spec, optimizer
        self.loss = spec.make_keras_loss()
        self.data = data  # numpy: x_train, y_train, x_test, y_test
        self.batch_size = int(batch_size)
        optimizer.build(model.trainable_variables)

    def _logs(self, losses, preds) -> dict[str, float]:
        _, y_train, _, y_test = self.data
        logs = {"loss": float(losses[0]), "val_loss": float(losses[1])}
        logs.update(metrics(self.spec, y_train, preds[0]))
        logs.update({"val_" + k: v for k, v in metrics(self.spec, y_test, preds[1]).items()})
        return logs


class TensorFlowStepper(_Stepper):
    def __init__(self, model, spec, optimizer, data, batch_size):
        super().__init__(model, spec, optimizer, data, batch_size)
        import tensorflow as tf

        self._tf = tf
        self._tensors = [tf.constant(a) for a in data]
        self._epoch = tf.function(self._epoch_graph)

    def __call__(self, permutation: np.ndarray) -> dict[str, float]:
        loss, val_loss, pred, val_pred = self._epoch(
            self._tf.constant(permutation, dtype=self._tf.int32))
        return self._logs((loss.numpy(), val_loss.numpy()), (pred.numpy(), val_pred.numpy()))

    # Traced once; every line below runs inside the graph.
    def _epoch_graph(self, perm):
        tf = self._tf
        x_train, y_train, x_test, y_test = self._tensors
        n = tf.shape(perm)[0]
        variables = self.model.trainable_variables
        for start in tf.range(0, n, self.batch_size):
            idx = perm[start : tf.minimum(start + self.batch_size, n)]
            xb, yb = tf.gather(x_train, idx), tf.gather(y_train, idx)
            with tf.GradientTape() as tape:
                batch_loss = self.loss(yb, self.model(xb, training=True))
            grads = tape.gradient(batch_loss, [v.value for v in variables])
            self.optimizer.apply(grads, variables)
        pred = self.model(x_train, training=False)
        val_pred = self.model(x_test, training=False)
        return self.loss(y_train, pred), self.loss(y_test, val_pred), pred, val_pred


class GenericStepper(_Stepper):
    """Any Keras backend: ``train_on_batch`` per mini-batch, predictions per epoch."""

    def __call__(self, permutation: np.ndarray) -> dict[str, float]:
        keras = load_keras()
        x_train, y_train, x_test, y_test = self.data
        for start in range(0, len(permutation), self.batch_size):
            idx = permutation[start : start + self.batch_size]
            self.model.train_on_batch(x_train[idx], y_train[idx])
        preds = [self.model.predict_on_batch(x) for x in (x_train, x_test)]
        losses = [keras.ops.convert_to_numpy(self.loss(y, p))
                  for y, p in ((y_train, preds[0]), (y_test, preds[1]))]
        return self._logs(losses, [np.asarray(p) for p in preds])

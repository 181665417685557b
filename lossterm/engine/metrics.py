"""The fair metrics, from predictions, in NumPy: one implementation for every backend.

Regression: MSE (read first), RMSE, MAE. Classification: accuracy, reading
the class off the output the way its head means it (``head.classes``: sigmoid
p > 0.5, tanh f > 0, softmax or scores argmax) and the true class off the
encoded targets. For tanh outputs the two misreadings of Keras's plain
``accuracy`` are kept beside it, so reports can say why figures differ.
"""

from __future__ import annotations

import numpy as np

from lossterm.engine.losses import TANH, LossSpec, true_classes
from lossterm.engine.types import Kind


def metric_names(spec: LossSpec) -> tuple[str, ...]:
    """The metrics in each epoch's logs, the one a person reads first."""
    if spec.kind == Kind.REGRESSION:
        return ("mse", "rmse", "mae")
    if spec.head is TANH:
        return ("accuracy", "keras2_accuracy", "keras3_accuracy")
    return ("accuracy",)


def metrics(spec: LossSpec, y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """One model's metrics: its predictions ``pred`` against the encoded targets ``y``."""
    pred = np.asarray(pred)
    rows = metrics_rows(spec, y, pred.reshape(1, len(pred), -1))
    return {name: float(values[0]) for name, values in rows.items()}


def metrics_rows(spec: LossSpec, y: np.ndarray, preds: np.ndarray) -> dict[str, np.ndarray]:
    """The metrics of P models at once: ``preds`` is ``(P, n, units)``, each figure ``(P,)``.

    Row p is computed exactly as :func:`metrics` computes model p alone (each
    row's mean is the same pairwise sum over the same contiguous row).
    """
    y, preds = np.asarray(y), np.asarray(preds, dtype=np.float64)
    models = len(preds)
    if spec.kind == Kind.REGRESSION:
        residual = preds.reshape(models, -1) - y.reshape(-1).astype(np.float64)
        mse = np.mean(residual**2, axis=1)
        return {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(residual), axis=1)}
    truth = true_classes(spec.target_encoding, y)
    guess = spec.head.classes(preds.reshape(models * preds.shape[1], -1)).reshape(models, -1)
    logs = {"accuracy": np.mean(truth == guess, axis=1)}
    if spec.head is TANH:
        logs.update(legacy_accuracies(y, preds.reshape(models, -1)))
    return logs


def legacy_accuracies(y: np.ndarray, f: np.ndarray) -> dict[str, np.ndarray]:
    """What ``metrics=["accuracy"]`` reports for a tanh output and {-1, 1} labels,
    per row of ``f`` (``(P, n)``).

    Keras 2 compared labels with ``round(f)``: right only when the sign is right
    *and* |f| >= 0.5 (the tutorial's figures). Keras 3 compares them with
    ``f > 0.5`` cast to {0, 1}, so no -1 label ever matches.
    """
    y = y.reshape(-1).astype(np.float64)
    return {"keras2_accuracy": np.mean(y == np.round(f), axis=1),
            "keras3_accuracy": np.mean(y == (f > 0.5).astype(np.float64), axis=1)}

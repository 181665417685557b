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
    y, pred = np.asarray(y), np.asarray(pred, dtype=np.float64)
    if spec.kind == Kind.REGRESSION:
        residual = pred.reshape(-1) - y.reshape(-1).astype(np.float64)
        mse = float(np.mean(residual**2))
        return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(residual)))}
    truth, guess = true_classes(spec.target_encoding, y), spec.head.classes(pred)
    logs = {"accuracy": float(np.mean(truth == guess))}
    if spec.head is TANH:
        logs.update(legacy_accuracies(y, pred))
    return logs


def legacy_accuracies(y: np.ndarray, f: np.ndarray) -> dict[str, float]:
    """What ``metrics=["accuracy"]`` reports for a tanh output and {-1, 1} labels.

    Keras 2 compared labels with ``round(f)``: right only when the sign is right
    *and* |f| >= 0.5 (the tutorial's figures). Keras 3 compares them with
    ``f > 0.5`` cast to {0, 1}, so no -1 label ever matches.
    """
    y = y.reshape(-1).astype(np.float64)
    f = f.reshape(-1)
    return {"keras2_accuracy": float(np.mean(y == np.round(f))),
            "keras3_accuracy": float(np.mean(y == (f > 0.5).astype(np.float64)))}

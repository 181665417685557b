"""The fair metrics, from predictions, in NumPy: one implementation for every backend.

Regression: MSE (read first), RMSE, MAE; with several targets each is the mean over
targets (every cell of the ``(n, targets)`` residual counts once, as Keras averages a
loss over the last axis) and ``mse[name]`` gives each target's own MSE. Multilabel:
subset accuracy (every label of a row right; read first), Hamming loss (the share of
wrong labels), micro and macro F1 (per-label F1 set to 0 where a label is never true
nor predicted, scikit-learn's ``zero_division=0``). Classification: accuracy, reading
the class off the output the way its head means it (``head.classes``: sigmoid
p > 0.5, tanh f > 0, softmax or scores argmax) and the true class off the
encoded targets. For tanh outputs the two misreadings of Keras's plain
``accuracy`` are kept beside it, so reports can say why figures differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lossterm.core.metric import epoch_metric_names
from lossterm.core.types import Kind
from lossterm.losses import TANH, LossSpec, true_classes


def metric_names(spec: LossSpec) -> tuple[str, ...]:
    """The metrics in each epoch's logs, the one a person reads first (besides these, a
    regression on several targets logs ``mse[name]`` per target): the registry's
    (:func:`lossterm.core.metric.epoch_metric_names`) for the loss's kind and head."""
    return epoch_metric_names(spec.kind, tanh=spec.head == TANH)


def metrics(spec: LossSpec, y: np.ndarray, pred: np.ndarray,
            targets: Sequence[str] = ()) -> dict[str, float]:
    """One model's metrics: its predictions ``pred`` against the encoded targets ``y``."""
    pred = np.asarray(pred)
    rows = metrics_rows(spec, y, pred.reshape(1, len(pred), -1), targets)
    return {name: float(values[0]) for name, values in rows.items()}


def metrics_rows(spec: LossSpec, y: np.ndarray, preds: np.ndarray,
                 targets: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """The metrics of P models at once: ``preds`` is ``(P, n, units)``, each figure ``(P,)``.

    Row p is computed exactly as :func:`metrics` computes model p alone (each
    row's mean is the same pairwise sum over the same contiguous row).
    ``targets`` names the columns of a several-target regression (``mse[name]``);
    default y1, y2, ...
    """
    y, preds = np.asarray(y), np.asarray(preds, dtype=np.float64)
    models = len(preds)
    if spec.kind == Kind.REGRESSION:
        residual = preds.reshape(models, -1) - y.reshape(-1).astype(np.float64)
        mse = np.mean(residual**2, axis=1)
        logs = {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(residual), axis=1)}
        if y.ndim == 2 and y.shape[1] > 1:
            logs.update(per_target_mse(residual.reshape(models, len(y), -1), targets))
        return logs
    if spec.kind == Kind.MULTILABEL:
        truth = true_classes(spec.target_encoding, y)
        return multilabel_rows(truth, spec.head.classes(preds))
    truth = true_classes(spec.target_encoding, y)
    guess = spec.head.classes(preds.reshape(models * preds.shape[1], -1)).reshape(models, -1)
    logs = {"accuracy": np.mean(truth == guess, axis=1)}
    if spec.head == TANH:
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


def target_names(targets: Sequence[str], n: int) -> tuple[str, ...]:
    """``targets`` when it names ``n`` columns, else y1 ... yn."""
    return tuple(targets) if len(targets) == n else tuple(f"y{j + 1}" for j in range(n))


def per_target_mse(residual: np.ndarray, targets: Sequence[str]) -> dict[str, np.ndarray]:
    """``mse[name]`` per target from residuals ``(P, n, targets)``, each ``(P,)``."""
    names = target_names(targets, residual.shape[2])
    return {f"mse[{name}]": np.mean(residual[:, :, j] ** 2, axis=1)
            for j, name in enumerate(names)}


def multilabel_rows(truth: np.ndarray, guess: np.ndarray) -> dict[str, np.ndarray]:
    """Subset accuracy, Hamming loss, micro and macro F1 of P models: ``truth`` is
    ``(n, labels)`` of 0/1, ``guess`` ``(P, n, labels)``; each figure ``(P,)``. A label
    with no true and no predicted 1 has F1 0 (scikit-learn's ``zero_division=0``)."""
    truth = np.asarray(truth, dtype=bool)
    guess = np.asarray(guess, dtype=bool)
    right = guess == truth
    tp = np.sum(guess & truth, axis=1, dtype=np.float64)  # (P, labels)
    fp = np.sum(guess & ~truth, axis=1, dtype=np.float64)
    fn = np.sum(~guess & truth, axis=1, dtype=np.float64)
    return {"subset_accuracy": np.mean(np.all(right, axis=2), axis=1),
            "hamming_loss": np.mean(~right, axis=(1, 2)),
            "micro_f1": _f1(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1)),
            "macro_f1": np.mean(_f1(tp, fp, fn), axis=-1)}


def _f1(tp, fp, fn) -> np.ndarray:
    """2·tp / (2·tp + fp + fn), 0 where that is 0 / 0."""
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros_like(denominator), where=denominator > 0)

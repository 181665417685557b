"""The metric matrix: one model's predictions scored on every metric of its kind.

- regression: MSE, RMSE, MAE, median absolute error, R²
- binary: accuracy, balanced accuracy, F1 (class 1), ROC AUC, log loss, Brier score, ECE
- multiclass: accuracy, balanced accuracy, macro F1, log loss, Brier score, ECE

Each figure comes from ``sklearn.metrics`` where it has the metric; the two
written here are stated in full:

- **Brier score, multiclass**: Brier's own (1950) definition, the mean over
  rows of the sum over classes of (p_k - 1[y = k])², from 0 (perfect) to 2.
  The binary Brier score is scikit-learn's ``brier_score_loss``, the mean of
  (p - y)² for the probability of class 1: half the two-class sum above.
- **Expected calibration error** (Guo et al., 2017): each row's top-class
  confidence (max(p, 1 - p) for a sigmoid, the largest softmax entry) falls in
  one of 15 equal-width bins (lo, hi] over [0, 1]; ECE is the mean over bins,
  weighted by their share of rows, of |accuracy - mean confidence| in the bin.

Classes are read off the output the way its head means it (``head.classes``)
and off the targets by ``true_classes``. The probability metrics (log loss,
Brier, ECE) need a head whose outputs are probabilities (sigmoid, softmax);
for a tanh margin or raw class scores they are None, shown once as
:data:`NOT_A_PROBABILITY`. ROC AUC only ranks the rows, so it is reported for
every binary head: any output that grows with the evidence for class 1 (a
probability or a tanh margin) gives the same AUC.

Where a figure is undefined (ROC AUC with one class in the targets, R² on
constant targets, a diverged model's non-finite outputs) its value is None and
:func:`unavailable` says why; no scikit-learn warning reaches stderr.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from lossterm.engine.losses import LossSpec, true_classes
from lossterm.engine.types import Encoding, Kind
from lossterm.errors import UsageError

ECE_BINS = 15

NOT_A_PROBABILITY = "n/a — not a probability"
ONE_CLASS = "n/a — only one class in the targets"
CONSTANT_TARGETS = "n/a — the targets are constant"
NOT_FINITE = "n/a — the model's outputs are not finite"
NO_ROWS = "n/a — no rows to score"


@dataclass(frozen=True)
class Metric:
    name: str
    title: str  # how a report heads its column
    higher_is_better: bool
    needs_probabilities: bool = False


_ALL = (
    Metric("mse", "MSE", False),
    Metric("rmse", "RMSE", False),
    Metric("mae", "MAE", False),
    Metric("median_absolute_error", "median AE", False),
    Metric("r2", "R²", True),
    Metric("accuracy", "accuracy", True),
    Metric("balanced_accuracy", "balanced accuracy", True),
    Metric("f1", "F1", True),
    Metric("macro_f1", "macro F1", True),
    Metric("roc_auc", "ROC AUC", True),
    Metric("log_loss", "log loss", False, needs_probabilities=True),
    Metric("brier", "Brier", False, needs_probabilities=True),
    Metric("ece", "ECE", False, needs_probabilities=True),
)
METRICS = MappingProxyType({m.name: m for m in _ALL})

_KIND_METRICS = MappingProxyType({
    Kind.REGRESSION: ("mse", "rmse", "mae", "median_absolute_error", "r2"),
    Kind.BINARY: ("accuracy", "balanced_accuracy", "f1", "roc_auc", "log_loss", "brier",
                  "ece"),
    Kind.MULTICLASS: ("accuracy", "balanced_accuracy", "macro_f1", "log_loss", "brier", "ece"),
})


def metric_names_for(kind: Kind | str) -> tuple[str, ...]:
    """Every metric of the matrix for a problem kind, in report order."""
    return _KIND_METRICS[Kind(kind)]


def higher_is_better(name: str) -> bool:
    return _metric(name).higher_is_better


def metric_title(name: str) -> str:
    return _metric(name).title


def check_metric(kind: Kind | str, name: str) -> str:
    """``name`` if it is a metric of ``kind``; else a usage error naming the choices."""
    names = metric_names_for(kind)
    if name not in names:
        raise UsageError(f"{name!r} is no metric for {Kind(kind)} problems; choose from "
                         f"{', '.join(names)}", field="metric")
    return name


def _metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise UsageError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}",
                         field="metric") from None


def score(spec: LossSpec, y, pred, n_classes: int) -> dict[str, float | None]:
    """Every metric of ``spec.kind`` for predictions ``pred`` (the model's raw outputs).

    ``y`` may be the targets as ``spec`` encodes them ({-1, 1}, one-hot rows,
    integers) or the plain labels 0 .. n_classes - 1. A figure that cannot be
    computed is None; :func:`unavailable` gives the reason.
    """
    y, pred = np.asarray(y), np.asarray(pred, dtype=np.float64)
    missing = unavailable(spec, y, pred)
    names = metric_names_for(spec.kind)
    if len(missing) == len(names):
        return dict.fromkeys(names)
    if spec.kind == Kind.REGRESSION:
        values = _regression(y.reshape(-1).astype(np.float64), pred.reshape(-1), missing)
    else:
        values = _classification(spec, _truth(spec, y), pred, n_classes, missing)
    return {name: None if name in missing else float(values[name]) for name in names}


def unavailable(spec: LossSpec, y, pred) -> dict[str, str]:
    """The metrics :func:`score` leaves as None for these inputs, each with its reason."""
    y, pred = np.asarray(y), np.asarray(pred, dtype=np.float64)
    names = metric_names_for(spec.kind)
    if len(y) == 0:
        return dict.fromkeys(names, NO_ROWS)
    if not np.all(np.isfinite(pred)):
        return dict.fromkeys(names, NOT_FINITE)
    missing: dict[str, str] = {}
    if not spec.head.probabilities:
        missing.update((n, NOT_A_PROBABILITY) for n in names if METRICS[n].needs_probabilities)
    if spec.kind == Kind.REGRESSION:
        if np.ptp(y.astype(np.float64)) == 0:
            missing["r2"] = CONSTANT_TARGETS
    elif "roc_auc" in names and len(np.unique(_truth(spec, y))) < 2:
        missing["roc_auc"] = ONE_CLASS
    return missing


def _truth(spec: LossSpec, y: np.ndarray) -> np.ndarray:
    """True classes from encoded targets, or from plain labels where the encoding wants rows."""
    if spec.target_encoding == Encoding.ONE_HOT and (y.ndim == 1 or y.shape[-1] == 1):
        return y.reshape(-1).astype(int)
    return true_classes(spec.target_encoding, y)


def _regression(y: np.ndarray, pred: np.ndarray, missing) -> dict[str, float]:
    from sklearn import metrics as sk

    mse = sk.mean_squared_error(y, pred)
    rmse = getattr(sk, "root_mean_squared_error", None)  # scikit-learn >= 1.4
    return {"mse": mse, "rmse": rmse(y, pred) if rmse else np.sqrt(mse),
            "mae": sk.mean_absolute_error(y, pred),
            "median_absolute_error": sk.median_absolute_error(y, pred),
            "r2": None if "r2" in missing else sk.r2_score(y, pred)}


def _classification(spec, truth, pred, n_classes, missing) -> dict[str, float]:
    from sklearn import metrics as sk

    guess = spec.head.classes(pred)
    with warnings.catch_warnings():  # a class predicted but absent from the targets
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        balanced = sk.balanced_accuracy_score(truth, guess)
    values = {"accuracy": sk.accuracy_score(truth, guess), "balanced_accuracy": balanced}
    if spec.kind == Kind.BINARY:
        # An undefined precision or recall (no row predicted or truly 1) counts as 0.
        values["f1"] = sk.f1_score(truth, guess, zero_division=0.0)
        if "roc_auc" not in missing:
            values["roc_auc"] = sk.roc_auc_score(truth, pred.reshape(-1))
    else:
        values["macro_f1"] = sk.f1_score(truth, guess, average="macro", zero_division=0.0)
    if spec.head.probabilities:
        values.update(_probability_scores(spec.kind, truth, pred, n_classes))
    return values


def _probability_scores(kind, truth, pred, n_classes) -> dict[str, float]:
    from sklearn import metrics as sk

    if kind == Kind.BINARY:
        p = np.clip(pred.reshape(-1), 0.0, 1.0)
        rows = np.column_stack([1.0 - p, p])
        brier = sk.brier_score_loss(truth, p, pos_label=1)
        log_loss = sk.log_loss(truth, p, labels=[0, 1])
    else:
        # float32 softmax rows sum to 1 within about 1e-7; renormalised in float64
        # so that scikit-learn takes them as the probabilities they are.
        rows = pred / pred.sum(axis=1, keepdims=True)
        brier = multiclass_brier(truth, rows)
        log_loss = sk.log_loss(truth, rows, labels=list(range(n_classes)))
    correct = rows.argmax(axis=1) == truth
    return {"log_loss": log_loss, "brier": brier,
            "ece": expected_calibration_error(rows.max(axis=1), correct)}


def multiclass_brier(truth, probabilities) -> float:
    """Mean over rows of sum over classes of (p_k - 1[y = k])²; 0 best, 2 worst."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    one_hot = np.eye(probabilities.shape[1])[np.asarray(truth, dtype=int)]
    return float(np.mean(np.sum((probabilities - one_hot) ** 2, axis=1)))


def expected_calibration_error(confidence, correct, bins: int = ECE_BINS) -> float:
    """Sum over equal-width bins (lo, hi] of (rows in bin / rows) × |accuracy - confidence|.

    ``confidence`` is each row's top-class probability; ``correct`` whether
    that class is the true one. Per bin, n_b / N × |acc_b - conf_b| equals
    |Σ correct - Σ confidence| / N, which is how it is summed here.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    gap = np.bincount(index, correct, bins) - np.bincount(index, confidence, bins)
    return float(np.abs(gap).sum() / len(confidence))

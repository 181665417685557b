"""The metric matrix: one model's predictions scored on every metric of its kind
(which metrics, their directions and titles: :mod:`lossterm.core.metric`).

- regression: MSE, RMSE, MAE, median absolute error, R²; with several targets each is
  scikit-learn's ``multioutput="uniform_average"`` (the mean over targets), and
  ``mse[name]``, ``r2[name]`` give each target's own figure
- binary: accuracy, balanced accuracy, F1 (class 1), ROC AUC, log loss, Brier score, ECE
- multiclass: accuracy, balanced accuracy, macro F1, log loss, Brier score, ECE
- multilabel: subset accuracy (``accuracy_score`` on label rows: every label right),
  Hamming loss, micro and macro F1 (``zero_division=0``)

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
probability or a tanh margin) gives the same AUC. A multiclass loss in its
two-node form on a binary problem (:mod:`.losses.twonode`) has two output
columns: P(class 1) is its softmax's column 1, and for categorical hinge's two
raw scores AUC ranks their difference s1 - s0 (``head.positive_score``).

Where a figure is undefined (ROC AUC with one class in the targets, R² on
constant targets, a diverged model's non-finite outputs) its value is None and
:func:`unavailable` says why; no scikit-learn warning reaches stderr.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from lossterm.core.metric import METRICS, metric_names_for
from lossterm.core.types import Encoding, Kind
from lossterm.losses import LossSpec, true_classes
from lossterm.metrics.fair import target_names

ECE_BINS = 15

NOT_A_PROBABILITY = "n/a — not a probability"
ONE_CLASS = "n/a — only one class in the targets"
CONSTANT_TARGETS = "n/a — the targets are constant"
NOT_FINITE = "n/a — the model's outputs are not finite"
NO_ROWS = "n/a — no rows to score"


def score(spec: LossSpec, y, pred, n_classes: int,
          targets: Sequence[str] = ()) -> dict[str, float | None]:
    """Every metric of ``spec.kind`` for predictions ``pred`` (the model's raw outputs).

    ``y`` may be the targets as ``spec`` encodes them ({-1, 1}, one-hot rows,
    integers) or the plain labels 0 .. n_classes - 1. A figure that cannot be
    computed is None; :func:`unavailable` gives the reason. A regression on
    several targets (``y`` of shape ``(n, targets)``) adds ``mse[name]`` and
    ``r2[name]`` per target, named by ``targets`` (default y1, y2, ...).
    """
    y, pred = np.asarray(y), np.asarray(pred, dtype=np.float64)
    missing = unavailable(spec, y, pred)
    names = metric_names_for(spec.kind)
    several = spec.kind == Kind.REGRESSION and y.ndim == 2 and y.shape[1] > 1
    if several:
        names = names + per_target_names(target_names(targets, y.shape[1]))
    if len(missing) >= len(metric_names_for(spec.kind)):
        return dict.fromkeys(names)
    values: Mapping[str, float | None]
    if several:
        values = _regression_targets(y.astype(np.float64), pred.reshape(y.shape),
                                     target_names(targets, y.shape[1]), missing)
    elif spec.kind == Kind.REGRESSION:
        values = _regression(y.reshape(-1).astype(np.float64), pred.reshape(-1), missing)
    elif spec.kind == Kind.MULTILABEL:
        values = _multilabel(_truth(spec, y), spec.head.classes(pred))
    else:
        values = _classification(spec, _truth(spec, y), pred, n_classes, missing)
    return {name: None if name in missing or (v := values.get(name)) is None else float(v)
            for name in names}


def per_target_names(targets: Sequence[str]) -> tuple[str, ...]:
    """The metric matrix's per-target columns: MSE then R² of each target."""
    return (*(f"mse[{t}]" for t in targets), *(f"r2[{t}]" for t in targets))


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
        if np.any(np.ptp(y.astype(np.float64).reshape(len(y), -1), axis=0) == 0):
            missing["r2"] = CONSTANT_TARGETS  # some target is constant: no mean R²
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


def _regression_targets(y: np.ndarray, pred: np.ndarray, targets,
                        missing) -> dict[str, float | None]:
    """The averaged figures (scikit-learn's uniform average over targets) and each
    target's MSE and R² (None for a constant target)."""
    from sklearn import metrics as sk

    averaged = _regression(y, pred, missing)  # sklearn averages 2-D targets uniformly...
    values: dict[str, float | None] = {**averaged}
    values["rmse"] = np.sqrt(averaged["mse"])  # ...RMSE too; here the root of the mean MSE,
    # as the epoch logs (and Keras's RootMeanSquaredError over every cell) have it
    mse = sk.mean_squared_error(y, pred, multioutput="raw_values")
    constant = np.ptp(y, axis=0) == 0
    r2 = sk.r2_score(y[:, ~constant], pred[:, ~constant], multioutput="raw_values") \
        if (~constant).any() else np.array([])
    r2_by = dict(zip(np.flatnonzero(~constant), r2))
    for j, name in enumerate(targets):
        values[f"mse[{name}]"] = mse[j]
        values[f"r2[{name}]"] = r2_by.get(j)
    return values


def _multilabel(truth: np.ndarray, guess: np.ndarray) -> dict[str, float]:
    """Label rows ``(n, labels)`` of 0/1: scikit-learn's multilabel figures."""
    from sklearn import metrics as sk

    return {"subset_accuracy": sk.accuracy_score(truth, guess),
            "hamming_loss": sk.hamming_loss(truth, guess),
            "micro_f1": sk.f1_score(truth, guess, average="micro", zero_division=0.0),
            "macro_f1": sk.f1_score(truth, guess, average="macro", zero_division=0.0)}


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
            values["roc_auc"] = sk.roc_auc_score(truth, spec.head.positive_score(pred))
    else:
        values["macro_f1"] = sk.f1_score(truth, guess, average="macro", zero_division=0.0)
    if spec.head.probabilities:
        values.update(_probability_scores(spec, truth, pred, n_classes))
    return values


def _probability_scores(spec, truth, pred, n_classes) -> dict[str, float]:
    from sklearn import metrics as sk

    if spec.kind == Kind.BINARY:  # one sigmoid unit, or a two-node softmax's column 1
        p = np.clip(spec.head.positive_score(pred), 0.0, 1.0)
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

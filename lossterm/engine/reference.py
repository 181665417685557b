"""Plain NumPy reference implementations of every loss in the catalogue.

Each follows Keras 3's arithmetic exactly (clipping epsilon, renormalisation,
label conversion), so it agrees with Keras's loss objects to 1e-6 on float64
inputs; where scikit-learn has the same loss, the known differences are
written next to it (and tested as differences, not hidden).

Reduction everywhere: the loss of a sample is averaged (or, for the
categorical losses, summed) over its last axis, then averaged over samples
(Keras's "sum_over_batch_size").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

EPS = 1e-7  # keras.backend.epsilon()


@dataclass(frozen=True)
class Reference:
    function: Callable[[np.ndarray, np.ndarray], float]
    formula: str
    epsilon: float | None
    reduction: str
    sklearn: str = ""  # the scikit-learn counterpart, if any
    sklearn_difference: str = ""  # how it differs, if it does


def _column(a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(-1, 1) if a.ndim <= 1 else a


def _per_sample_mean(values: np.ndarray) -> float:
    return float(np.mean(np.mean(values, axis=-1)))


def _pair(y, p):
    return _column(y), _column(p)


def mse(y, p):
    y, p = _pair(y, p)
    return _per_sample_mean((y - p) ** 2)


def mae(y, p):
    y, p = _pair(y, p)
    return _per_sample_mean(np.abs(y - p))


def msle(y, p):
    y, p = _pair(y, p)
    return _per_sample_mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2)


def mape(y, p):
    y, p = _pair(y, p)
    return 100.0 * _per_sample_mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)))


def huber(y, p, delta=1.0):
    y, p = _pair(y, p)
    r = np.abs(p - y)
    return _per_sample_mean(np.where(r <= delta, 0.5 * r**2, delta * r - 0.5 * delta**2))


def log_cosh(y, p):
    y, p = _pair(y, p)
    x = p - y
    return _per_sample_mean(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0))  # log(cosh x), stably


def poisson(y, p):
    y, p = _pair(y, p)
    return _per_sample_mean(p - y * np.log(p + EPS))


def _bce_terms(y, p):
    q = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def bce(y, p):
    y, p = _pair(y, p)
    return _per_sample_mean(_bce_terms(y, p))


def binary_focal(y, p, gamma=2.0):
    y, p = _pair(y, p)
    p_t = y * p + (1 - y) * (1 - p)
    return _per_sample_mean((1 - p_t) ** gamma * _bce_terms(y, p))


def _hinge_labels(y):
    """Keras maps labels to {-1, 1} when every label is 0 or 1."""
    return 2 * y - 1 if np.all((y == 0) | (y == 1)) else y


def hinge(y, f):
    y, f = _pair(y, f)
    return _per_sample_mean(np.maximum(1 - _hinge_labels(y) * f, 0))


def squared_hinge(y, f):
    y, f = _pair(y, f)
    return _per_sample_mean(np.maximum(1 - _hinge_labels(y) * f, 0) ** 2)


def _rows(y, p):
    return np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)


def cce(y, p):
    y, p = _rows(y, p)
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)  # renormalised, then clipped
    return float(np.mean(-np.sum(y * np.log(q), axis=-1)))


def cce_textbook(y, p):
    """Σ y·log p with no renormalisation: the formula as printed in many texts."""
    y, p = _rows(y, p)
    return float(np.mean(-np.sum(y * np.log(np.clip(p, EPS, 1 - EPS)), axis=-1)))


def scce(labels, p):
    labels = np.asarray(labels).reshape(-1).astype(int)
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    log_softmax = np.log(p) - np.log(p.sum(axis=-1, keepdims=True))  # softmax(log p)
    return float(np.mean(-log_softmax[np.arange(labels.size), labels]))


def kld(y, p):
    y, p = _rows(y, p)
    y, p = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    return float(np.mean(np.sum(y * np.log(y / p), axis=-1)))


def categorical_hinge(y, p):
    y, p = _rows(y, p)
    positive = np.sum(y * p, axis=-1)
    negative = np.max((1 - y) * p, axis=-1)
    return float(np.mean(np.maximum(negative - positive + 1, 0)))


def categorical_focal(y, p, alpha=0.25, gamma=2.0):
    y, p = _rows(y, p)
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return float(np.mean(np.sum(alpha * (1 - q) ** gamma * -y * np.log(q), axis=-1)))


MEAN = "mean over the last axis, then over samples"
SUM = "sum over classes, then mean over samples"

REFERENCES: dict[str, Reference] = {
    "mean_squared_error": Reference(mse, "mean((y - ŷ)²)", None, MEAN, "mean_squared_error"),
    "mean_squared_logarithmic_error": Reference(
        msle, "mean((log(1 + max(ŷ, ε)) - log(1 + max(y, ε)))²)", EPS, MEAN,
        "mean_squared_log_error",
        "scikit-learn takes log(1 + x) as it is and refuses values below 0 (or -1 in "
        "newer versions); Keras clamps them to ε first"),
    "mean_absolute_error": Reference(mae, "mean(|y - ŷ|)", None, MEAN, "mean_absolute_error"),
    "huber": Reference(huber, "mean(½r² if |r| ≤ δ else δ·(|r| - ½δ)), r = ŷ - y, δ = 1",
                       None, MEAN),
    "log_cosh": Reference(log_cosh, "mean(log(cosh(ŷ - y))), computed as x + softplus(-2x) - "
                          "log 2", None, MEAN),
    "mean_absolute_percentage_error": Reference(
        mape, "100 · mean(|y - ŷ| / max(|y|, ε))", EPS, MEAN, "mean_absolute_percentage_error",
        "scikit-learn returns a fraction, not a percentage, and floors |y| at machine "
        "epsilon (2.2e-16) instead of 1e-7"),
    "poisson": Reference(
        poisson, "mean(ŷ - y·log(ŷ + ε))", EPS, MEAN, "mean_poisson_deviance",
        "scikit-learn's mean Poisson deviance is 2·mean(y·log(y/ŷ) - y + ŷ): twice Keras's "
        "Poisson plus a term that depends on y alone"),
    "binary_crossentropy": Reference(
        bce, "-mean(y·log p + (1 - y)·log(1 - p)), p = clip(ŷ, ε, 1 - ε)", EPS, MEAN, "log_loss",
        "scikit-learn clips at machine epsilon (2.2e-16) rather than 1e-7, so they differ "
        "only for predictions within 1e-7 of 0 or 1"),
    "hinge": Reference(
        hinge, "mean(max(0, 1 - y·ŷ)), y in {-1, 1} ({0, 1} labels are mapped to {-1, 1})",
        None, MEAN, "hinge_loss",
        "when y holds a single class, scikit-learn's binary hinge_loss encodes it as -1, "
        "whatever it is"),
    "squared_hinge": Reference(
        squared_hinge, "mean(max(0, 1 - y·ŷ)²), y in {-1, 1} ({0, 1} labels mapped)",
        None, MEAN),
    "binary_focal_crossentropy": Reference(
        binary_focal, "mean((1 - p_t)^γ · BCE), p_t = y·ŷ + (1 - y)·(1 - ŷ), γ = 2", EPS, MEAN),
    "categorical_crossentropy": Reference(
        cce, "-mean(Σ_k y_k·log p_k), p = clip(ŷ / Σ_k ŷ_k, ε, 1 - ε)", EPS, SUM, "log_loss",
        "Keras renormalises predicted rows that do not sum to 1; scikit-learn 1.9 takes them "
        "as they are (with a warning), like the plain Σ y·log ŷ (older versions renormalised)"),
    "sparse_categorical_crossentropy": Reference(
        scce, "-mean(log p_y), p = clip(ŷ, ε, 1 - ε) / Σ_k clip(ŷ_k, ε, 1 - ε), y an integer",
        EPS, SUM, "log_loss"),
    "kl_divergence": Reference(
        kld, "mean(Σ_k y_k·log(y_k / p_k)), y and ŷ clipped to [ε, 1]", EPS, SUM),
    "categorical_hinge": Reference(
        categorical_hinge, "mean(max(0, 1 + max_k((1 - y_k)·ŷ_k) - Σ_k y_k·ŷ_k))", None, MEAN,
        "hinge_loss",
        "scikit-learn's multi-class hinge takes the best wrong score as it is; Keras takes "
        "max((1 - y)·ŷ), which is 0 when every wrong score is negative"),
    "categorical_focal_crossentropy": Reference(
        categorical_focal, "mean(Σ_k α·(1 - p_k)^γ · (-y_k·log p_k)), p = clip(ŷ / Σ ŷ, ε, "
        "1 - ε), α = 0.25, γ = 2", EPS, SUM),
}


def reference_for(name: str) -> Reference:
    from lossterm.engine.losses import get_loss

    return REFERENCES[get_loss(name).name]

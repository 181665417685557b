"""Plain NumPy reference implementations of every loss in the catalogue.

Each record in :mod:`catalogue` names its function here, with the formula as
written and scikit-learn's counterpart (:class:`Reference`).

Each follows Keras 3's arithmetic exactly (clipping epsilon, renormalisation,
label conversion), so it agrees with Keras's loss objects to 1e-6 on float64
inputs; where scikit-learn has the same loss, the known differences are
written next to it (and tested as differences, not hidden).

Reduction everywhere: the loss of a sample is averaged (or, for the
categorical losses, summed) over its last axis, then averaged over samples
(Keras's "sum_over_batch_size").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    """``p`` are scores (any real numbers), not probabilities: see its record's head."""
    y, p = _rows(y, p)
    positive = np.sum(y * p, axis=-1)
    negative = np.max((1 - y) * p, axis=-1)
    return float(np.mean(np.maximum(negative - positive + 1, 0)))


def categorical_focal(y, p, alpha=0.25, gamma=2.0):
    y, p = _rows(y, p)
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return float(np.mean(np.sum(alpha * (1 - q) ** gamma * -y * np.log(q), axis=-1)))


# Noise-robust losses. Their Keras forms are Keras's own (gce) or lossterm's
# (keras_forms.py); each reference below follows that form's arithmetic and takes the
# papers' defaults as keyword arguments (the catalogue's parameters bind them).
LABEL_FLOOR = 1e-4  # the reverse cross-entropy's floor for log 0 of a one-hot label


def gce(labels, p, q=0.7):
    """Keras's CategoricalGeneralizedCrossEntropy (integer labels) on p clipped to [1e-7, 1]
    first, as the papers' code does (Keras takes p_y as it is)."""
    labels = np.asarray(labels).reshape(-1).astype(int)
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0)
    p_y = p[np.arange(labels.size), labels]
    return float(np.mean((1 - p_y**q) / q))


def _reverse_ce(y, p):
    """-Σ_k p_k·log(clip(y_k, 1e-4, 1)): for a one-hot y, -log(1e-4)·(1 - p_y) = 9.21·(1 - p_y)."""
    return -np.sum(p * np.log(np.clip(y, LABEL_FLOOR, 1.0)), axis=-1)


def sce(y, p, alpha=0.1, beta=1.0):
    """Wang et al.'s Keras code: CE on p clipped to [1e-7, 1] (not renormalised), plus the
    reverse CE on p as it is."""
    y, p = _rows(y, p)
    ce = -np.sum(y * np.log(np.clip(p, EPS, 1.0)), axis=-1)
    return float(np.mean(alpha * ce + beta * _reverse_ce(y, p)))


def nce_rce(y, p, alpha=1.0, beta=1.0):
    """Ma et al.'s code: NCE = -Σ y·log p / -Σ_k log p_k and the reverse CE, both on p
    clipped to [1e-7, 1]."""
    y, p = _rows(y, p)
    q = np.clip(p, EPS, 1.0)
    log_q = np.log(q)
    nce = np.sum(y * log_q, axis=-1) / np.sum(log_q, axis=-1)
    return float(np.mean(alpha * nce + beta * _reverse_ce(y, q)))


def mae_prob(y, p):
    """Σ_k |y_k - p_k|: 2 - 2·p_y for a one-hot y and p summing to 1."""
    y, p = _rows(y, p)
    return float(np.mean(np.sum(np.abs(y - p), axis=-1)))


def _true_class_probability(y, p):
    q = np.clip(p, EPS, 1 - EPS)
    return y * q + (1 - y) * (1 - q)


def binary_gce(y, p, q=0.7):
    """GCE of the two-class distribution (1 - p, p): (1 - p_t^q) / q, p clipped to
    [1e-7, 1 - 1e-7]."""
    y, p = _pair(y, p)
    return _per_sample_mean((1 - _true_class_probability(y, p) ** q) / q)


def binary_sce(y, p, alpha=0.1, beta=1.0):
    """α·BCE + β·reverse BCE; the reverse term is -(p·log y + (1 - p)·log(1 - y)) with the
    labels clipped to [1e-4, 1], i.e. 9.21·(1 - p_t)."""
    y, p = _pair(y, p)

    def floor(t):
        return np.log(np.clip(t, LABEL_FLOOR, 1.0))

    reverse = -(p * floor(y) + (1 - p) * floor(1 - y))
    return _per_sample_mean(alpha * _bce_terms(y, p) + beta * reverse)


MEAN = "mean over the last axis, then over samples"
SUM = "sum over classes, then mean over samples"

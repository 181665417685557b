"""Scoring kept weights on a split: the MLP's outputs in NumPy, then the metric matrix
(:func:`lossterm.engine.scores.score`, scikit-learn's metrics). A study reads the test
split only through here, once per final model, after training."""

from __future__ import annotations

import numpy as np


def predict(spec, weights: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """The MLP's outputs from its weights (Keras's order: kernel, bias per layer; ReLU
    hidden layers, the loss's head on top), in float64."""
    x = np.asarray(X, np.float64)
    n_layers = len(weights) // 2
    for j in range(n_layers):
        x = x @ np.asarray(weights[2 * j], np.float64) + np.asarray(weights[2 * j + 1], np.float64)
        x = np.maximum(x, 0.0) if j < n_layers - 1 else _activate(spec.output_activation, x)
    return x


def _activate(name: str, x: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "softplus":
        return np.logaddexp(0.0, x)
    if name == "linear":
        return x
    raise ValueError(f"no NumPy form of the {name!r} activation")


def scores_on(spec, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray,
              n_classes: int) -> dict[str, float | None]:
    """Every metric of the loss's kind for ``weights`` on rows ``X``, ``y`` (plain labels)."""
    from lossterm.engine.scores import score

    with np.errstate(over="ignore", invalid="ignore"):
        pred = predict(spec, weights, X)
    return score(spec, y, pred, n_classes)

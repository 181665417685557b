"""Outputs a model with a given head can produce, for the score and record tests."""

import numpy as np

from lossterm.losses import SIGMOID, SOFTMAX, SOFTPLUS, TANH, Head


def outputs(head: Head, rng, n: int, k: int) -> np.ndarray:
    """What a model with ``head`` can output: drawn from the head alone."""
    raw = rng.normal(0, 2, (n, head.units(k)))
    if head is SOFTPLUS:
        return np.logaddexp(0, raw)
    if head.activation == "sigmoid":
        return 1 / (1 + np.exp(-raw))
    if head is TANH:
        return np.tanh(raw)
    if head is SOFTMAX:
        return np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    return raw  # linear: a regression value or a class's score




def predictions(spec, rng, n: int, k: int) -> np.ndarray:
    """Outputs a model with this head could give, straddling its decision boundary."""
    raw = rng.normal(0, 2, (n, spec.output_units(k)))
    if spec.head is SIGMOID:
        return 1 / (1 + np.exp(-raw))
    if spec.head is TANH:
        return np.tanh(raw)
    if spec.head is SOFTMAX:
        return np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    return raw



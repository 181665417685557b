"""Scoring kept weights on a split: the model's outputs (the population engine's own
forward pass, :func:`lossterm.training.population.forward`), then the metric matrix
(:func:`lossterm.metrics.matrix.score`, scikit-learn's metrics). A study reads the test
split only through here, once per final model, after training."""

from __future__ import annotations

import numpy as np

from lossterm.metrics.matrix import score
from lossterm.training.population import forward


def scores_on(spec, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray,
              n_classes: int, targets=()) -> dict[str, float | None]:
    """Every metric of the loss's kind for ``weights`` on rows ``X``, ``y`` (plain labels);
    ``targets`` names the columns of a several-target regression."""

    return score(spec, y, forward(spec, weights, X), n_classes, targets)

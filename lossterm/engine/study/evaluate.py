"""Scoring kept weights on a split: the model's outputs (the population engine's own
forward pass, :func:`lossterm.engine.population.forward`), then the metric matrix
(:func:`lossterm.engine.scores.score`, scikit-learn's metrics). A study reads the test
split only through here, once per final model, after training."""

from __future__ import annotations

import numpy as np


def scores_on(spec, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray,
              n_classes: int, targets=()) -> dict[str, float | None]:
    """Every metric of the loss's kind for ``weights`` on rows ``X``, ``y`` (plain labels);
    ``targets`` names the columns of a several-target regression."""
    from lossterm.engine.population import forward
    from lossterm.engine.scores import score

    return score(spec, y, forward(spec, weights, X), n_classes, targets)

"""A trained classifier's predicted class over a grid of its 2-D input space."""

from __future__ import annotations

import numpy as np

from lossterm.data.problems import MULTILABEL, REGRESSION, Problem
from lossterm.losses import LossSpec
from lossterm.runtime.backend import load_keras
from lossterm.training.population import forward


def decision_grid(model, spec: LossSpec, problem: Problem, columns: int = 64, rows: int = 24):
    """(xs, ys, classes) on a ``columns`` x ``rows`` grid; None if not a 2-D classifier
    of one target (a multilabel model has a class per label: no one region map)."""
    if problem.kind in (REGRESSION, MULTILABEL) or problem.n_features != 2:
        return None
    X = np.concatenate([problem.X_train, problem.X_test])
    (x0, y0), (x1, y1) = X.min(axis=0), X.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(x0, x1, columns), np.linspace(y0, y1, rows))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)

    out = load_keras().ops.convert_to_numpy(model(grid, training=False))
    return xs.ravel(), ys.ravel(), spec.head.classes(out)


def decision_grid_of(weights, job, columns: int = 64, rows: int = 24):
    """``decision_grid`` for a model with these ``weights`` (Keras's order) and ``job``'s
    loss, through the population engine's forward pass (no Keras model built)."""

    def model(grid, training=False):
        return forward(job.loss, weights, grid)

    return decision_grid(model, job.loss, job.problem, columns, rows)

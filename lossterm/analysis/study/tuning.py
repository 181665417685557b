"""Choosing a loss's learning rate and checkpoint on validation figures only.

A run's *score* is its validation metric at its checkpoint: the last epoch,
or the epoch with the best validation metric (the first such epoch, as Keras's
``ModelCheckpoint(save_best_only=True)`` keeps it). A grid point's score is the
mean over the tuning seeds. A run that diverged (or stopped, or failed) has no
score, and a grid point with any such run ranks below every point without one:
a rate that blows up on some seeds is not one to recommend.

Ties between grid points (accuracy on 100 validation rows takes few values)
go to the point nearest the grid's centre, the optimizer's usual rate: when
validation cannot tell rates apart, the study does not move off the usual one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lossterm.losses import LossSpec
from lossterm.training.evaluate import scores_on
from lossterm.training.records import DONE, RunResult


def checkpoint_index(values: list[float], policy: str, higher: bool) -> int:
    """Which epoch (0-based) the policy keeps: the last, or the first best."""
    if policy == "last" or not values:
        return len(values) - 1
    best = 0
    for i, v in enumerate(values):
        if (v > values[best]) if higher else (v < values[best]):
            best = i
    return best


@dataclass(frozen=True)
class Scoring:
    """How a run is scored on validation: ``metric`` at the checkpoint that ``policy``
    picks on the per-epoch ``epoch_metric``. When ``metric`` is not in the epoch logs
    (a metric of the matrix: ROC AUC, log loss, ...), it is computed from the run's
    kept weights on ``validation`` (X, y, n_classes)."""

    metric: str
    higher: bool
    epoch_metric: str
    epoch_higher: bool
    policy: str
    spec: LossSpec | None = None
    validation: tuple[np.ndarray, np.ndarray, int] | None = None

    @property
    def needs_weights(self) -> bool:
        return self.metric != self.epoch_metric


def run_score(result: RunResult, scoring: Scoring) -> tuple[float | None, int | None]:
    """(validation score, 1-based checkpoint epoch), or (None, None) for a run that did
    not train to its end."""
    if result.status != DONE or not result.records:
        return None, None
    values = [r.logs["val_" + scoring.epoch_metric] for r in result.records]
    i = checkpoint_index(values, scoring.policy, scoring.epoch_higher)
    epoch = result.records[i].epoch
    if not scoring.needs_weights:
        return float(values[i]), epoch
    if result.weights is None:
        return None, None
    if scoring.validation is None:  # the study builds Scoring with both or neither
        raise ValueError(f"scoring {scoring.metric} needs the validation rows")

    value = scores_on(scoring.spec, result.weights, *scoring.validation)[scoring.metric]
    return (None, None) if value is None else (float(value), epoch)


@dataclass
class GridPoint:
    """One learning rate of a loss's search: its tuning runs' scores and checkpoints."""

    learning_rate: float
    scores: list[float | None] = field(default_factory=list)  # one per tuning seed
    epochs: list[int | None] = field(default_factory=list)  # each run's checkpoint epoch

    @property
    def score(self) -> float | None:
        """Mean over tuning seeds; None when any run has no score."""
        known = [s for s in self.scores if s is not None]
        if not self.scores or len(known) < len(self.scores):
            return None
        return sum(known) / len(known)

    @property
    def failed(self) -> int:
        return sum(s is None for s in self.scores)


def rate_of(run: RunResult) -> float:
    """A tuning run's learning rate: the study plans every job with one."""
    if run.learning_rate is None:
        raise ValueError(f"a tuning run of {run.loss} without its learning rate")
    return run.learning_rate


def score_points(rates: list[float], runs: list[RunResult], scoring: Scoring) -> list[GridPoint]:
    """Grid points in rate order from ``runs`` (each has ``learning_rate``)."""
    points = {lr: GridPoint(lr) for lr in sorted(rates)}
    for run in runs:
        score, epoch = run_score(run, scoring)
        point = points[rate_of(run)]
        point.scores.append(score)
        point.epochs.append(epoch)
    return list(points.values())


def choose(points: list[GridPoint], centre: float, higher: bool) -> int | None:
    """The index of the best point (ties: nearest ``centre`` in log scale, then the lower
    rate); None when no point has a score."""
    scored = [i for i, p in enumerate(points) if p.score is not None]
    if not scored:
        return None
    sign = -1.0 if higher else 1.0

    def key(i):
        p = points[i]
        return (sign * p.score, abs(math.log(p.learning_rate / centre)), p.learning_rate)

    return min(scored, key=key)


def edge(points: list[GridPoint], index: int) -> str | None:
    """'lower' or 'upper' when the chosen point is the grid's first or last."""
    if index == 0:
        return "lower"
    if index == len(points) - 1:
        return "upper"
    return None

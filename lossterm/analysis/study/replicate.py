"""Selection inside each replicate: the unit a study's verdict replicates is the whole
procedure it compares.

A study's verdict is a paired test over replicates, so a replicate must carry every
random choice the study makes: the initial weights and shuffles, *and* the choice of
learning rate and checkpoint made from them. If the rate were chosen once and the
replicates were only final seeds at that rate, the test would compare one rate with
another and call the difference a loss's (measured: an A/A study of MSE against
itself, tuned once, claimed a difference in 15% of studies on regression and 20% on
circles; ``benchmarks/bench_calibration.py``).

So replicate *r* of a loss trains the whole grid from its own seeds -- ``seed(r, i)``,
the same for every loss, so losses stay paired -- scores each rate on the validation
rows at each run's checkpoint, chooses its rate, and its chosen model(s) are its final
models: the test split is read once per chosen model, after every choice. With one
seed per rate (the default) a replicate's test figure is its chosen model's; with
``k`` it is the mean of the ``k`` models at its chosen rate.

The validation rows are the same in every replicate (drawn once, with the data
seed): a verdict is conditional on the data, as every figure on this data is.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from lossterm.analysis.study.protocol import TUNE_SEED_OFFSET
from lossterm.analysis.study.tuning import GridPoint, Scoring, choose, edge, rate_of, run_score
from lossterm.training.records import RunResult


def replicate_seeds(seed: int, per_rate: int) -> tuple[int, ...]:
    """The seeds replicate ``seed`` trains at every rate: ``seed``, ``seed + 1000``, ..."""
    return tuple(seed + TUNE_SEED_OFFSET * i for i in range(per_rate))


@dataclass
class Replicate:
    """One paired replicate of one loss: its own search, its own choice, its test figure."""

    seed: int  # the replicate's own seed: its key, paired across losses
    seeds: tuple[int, ...]  # the seeds it trains at every rate (``seed`` first)
    runs: list[RunResult] = field(default_factory=list)  # every run: rate order, seeds inner
    points: list[GridPoint] = field(default_factory=list)
    chosen: int | None = None  # index into points
    extended: str | None = None  # 'lower' / 'upper' when its grid was extended once
    test_metrics: dict[str, float | None] = field(default_factory=dict)  # mean over chosen

    @property
    def chosen_learning_rate(self) -> float | None:
        return None if self.chosen is None else self.points[self.chosen].learning_rate

    @property
    def chosen_runs(self) -> list[RunResult]:
        """The models at the chosen rate: the replicate's final models."""
        lr = self.chosen_learning_rate
        return [] if lr is None else [r for r in self.runs if r.learning_rate == lr]

    @property
    def validation(self) -> float | None:
        return None if self.chosen is None else self.points[self.chosen].score

    @property
    def checkpoint(self) -> int | None:
        """The chosen model's kept epoch (with several seeds per rate: the first seed's)."""
        return None if self.chosen is None else self.points[self.chosen].epochs[0]

    def select(self, scoring: Scoring, centre: float, higher: bool) -> None:
        """Score every rate on validation and choose (ties: nearest ``centre``)."""
        self.points = points_of(self.runs, scoring)
        self.chosen = choose(self.points, centre, higher)

    @property
    def at_edge(self) -> str | None:
        return None if self.chosen is None else edge(self.points, self.chosen)


def points_of(runs: list[RunResult], scoring: Scoring) -> list[GridPoint]:
    """Grid points in rate order from ``runs``: each rate's scores and checkpoints."""
    points: dict[float, GridPoint] = {}
    for run in runs:
        score, epoch = run_score(run, scoring)
        rate = rate_of(run)
        point = points.setdefault(rate, GridPoint(rate))
        point.scores.append(score)
        point.epochs.append(epoch)
    return [points[lr] for lr in sorted(points)]


def pooled_points(replicates: list[Replicate]) -> list[GridPoint]:
    """Every replicate's scores at each rate together: the isolation view a report draws
    (each rate's validation score over all replicates that tried it)."""
    pooled: dict[float, GridPoint] = {}
    for rep in replicates:
        for p in rep.points:
            point = pooled.setdefault(p.learning_rate, GridPoint(p.learning_rate))
            point.scores += p.scores
            point.epochs += p.epochs
    return [pooled[lr] for lr in sorted(pooled)]


def chosen_counts(replicates: list[Replicate]) -> Counter:
    """How many replicates chose each rate."""
    return Counter(r.chosen_learning_rate for r in replicates if r.chosen is not None)


def modal_index(points: list[GridPoint], counts: Counter, centre: float) -> int | None:
    """The index of the rate most replicates chose (ties: nearest ``centre``, then lower)."""
    if not counts:
        return None
    rates = [p.learning_rate for p in points]
    best = min(counts, key=lambda lr: (-counts[lr], abs(math.log(lr / centre)), lr))
    return rates.index(best)


def mean_metrics(matrices: list[dict[str, float | None]]) -> dict[str, float | None]:
    """Each metric's mean over the chosen models (None where any model has none)."""
    if not matrices:
        return {}
    out: dict[str, float | None] = {}
    for name in matrices[0]:
        values = [v for m in matrices if (v := m.get(name)) is not None]
        out[name] = float(sum(values) / len(values)) if len(values) == len(matrices) else None
    return out

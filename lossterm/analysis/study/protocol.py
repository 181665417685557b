"""What a study promises before it trains: the grid, the seeds, the split, the checkpoint
and the metric. Every report prints it (the protocol block), so a verdict can be
reproduced and judged by what it was allowed to look at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.metric import canonical_metric, default_metric
from lossterm.core.types import Checkpoint, Optimizer

DECADES = 4  # the default grid spans 10^-2 to 10^2 times the usual rate...
POINTS = 9  # ...in half-decade steps
MAX_GRID_POINTS = 100  # a bound on what one typo costs: every point is a run per loss and seed
EXTEND_POINTS = 2  # a best rate at an edge adds this many steps beyond it, once
TUNE_SEED_OFFSET = 1000  # shared selection: tuning seeds base + 1000, ... (final runs: base, ...)
CHECKPOINTS = tuple(Checkpoint)  # "last", "best"
# Where the choice of rate and checkpoint is made: inside every paired replicate (each
# replicate tunes from its own seeds, so the verdict's replicates carry the selection),
# or once for all ("shared": the earlier protocol, kept so benchmarks can measure both).
REPLICATE, SHARED = "replicate", "shared"
SELECTIONS = (REPLICATE, SHARED)


def default_grid(optimizer: str = "sgd") -> tuple[float, ...]:
    """Nine rates over four decades, geometrically centred on the optimizer's usual rate
    (SGD: 1e-4 ... 1): wide enough that the usual rate is never an edge, and at half a
    decade per step fine enough that the best point is within a factor of 1.8 of the
    true best."""
    centre = Optimizer(optimizer).usual_learning_rate
    return _rates(centre * 10.0 ** (-DECADES / 2), centre * 10.0 ** (DECADES / 2), POINTS)


def _rates(low: float, high: float, n: int) -> tuple[float, ...]:
    """``n`` log-spaced rates, each rounded to 6 significant digits (for people to read)."""
    return tuple(float(f"{v:.6g}") for v in np.geomspace(low, high, n))


def parse_lr_grid(text: str) -> tuple[float, ...]:
    """``LOW:HIGH:N`` as a log grid; UsageError naming the field when it is not one."""
    parts = str(text).split(":")
    try:
        low, high, n = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
    except (ValueError, IndexError):
        raise UsageError(f"{{field}} takes LOW:HIGH:N, e.g. 1e-4:1:9; got {text!r}",
                         field="lr_grid") from None
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        raise UsageError(f"{{field}} needs 0 < LOW < HIGH; got {text!r}", field="lr_grid")
    if not 2 <= n <= MAX_GRID_POINTS:
        raise UsageError(f"{{field}} needs N from 2 to {MAX_GRID_POINTS} points (each point "
                         f"trains every loss once more); got {text!r}", field="lr_grid")
    rates = _rates(low, high, n)
    if len(set(rates)) < n:
        raise UsageError(f"{{field}} {text!r}: LOW and HIGH are too close for {n} distinct "
                         "rates at 6 significant digits; widen the range or take fewer points",
                         field="lr_grid")
    return rates


def extension(grid: tuple[float, ...], side: str, points: int = EXTEND_POINTS) -> tuple[float, ...]:
    """``points`` more rates beyond the ``side`` ('lower'/'upper') edge, at the grid's step."""
    step = (grid[-1] / grid[0]) ** (1 / (len(grid) - 1))
    if side == "lower":
        return tuple(float(f"{grid[0] / step ** k:.6g}") for k in range(points, 0, -1))
    return tuple(float(f"{grid[-1] * step ** k:.6g}") for k in range(1, points + 1))


@dataclass(frozen=True)
class Protocol:
    """A study's rules. ``grid`` None: :func:`default_grid` for the optimizer; ``metric``
    None: MSE for regression (the mean over targets), accuracy for classification,
    subset accuracy for multilabel.

    ``seeds``: paired replicates per loss. ``tune_seeds``: seeds per rate within each
    replicate (``selection="replicate"``; the replicate's figure is the mean of its
    models at its chosen rate), or per rate in the one tuning (``"shared"``)."""

    grid: tuple[float, ...] | None = None
    tune_seeds: int = 1
    seeds: int = 10
    validation_share: float = 0.2
    checkpoint: str = "best"
    metric: str | None = None
    extend_points: int = EXTEND_POINTS
    notes: tuple[str, ...] = field(default=())
    selection: str = REPLICATE

    def __post_init__(self) -> None:
        if self.metric is not None:
            object.__setattr__(self, "metric", canonical_metric(self.metric))
        if self.grid is not None:
            grid = tuple(float(v) for v in self.grid)
            if len(grid) < 2 or min(grid) <= 0 or list(grid) != sorted(set(grid)):
                raise UsageError("{field} needs two or more increasing positive rates",
                                 field="lr_grid")
            object.__setattr__(self, "grid", grid)
        if self.tune_seeds < 1:
            raise UsageError("{field} must be at least 1", field="tune_seeds")
        if self.seeds < 1:
            raise UsageError("{field} must be at least 1", field="seeds")
        if not 0 < self.validation_share < 1:
            raise UsageError("{field} must be between 0 and 1 (a share of the training rows)",
                             field="val_size")
        if self.selection not in SELECTIONS:
            raise UsageError(f"{{field}} is 'replicate' or 'shared', not {self.selection!r}",
                             field="selection")
        if self.checkpoint not in CHECKPOINTS:
            raise UsageError(f"{{field}} is 'last' or 'best', not {self.checkpoint!r}",
                             field="checkpoint")

    def check_for_study(self) -> None:
        """What only a study needs (the options may hold a protocol no study uses)."""
        if self.seeds < 2:
            raise UsageError("a study needs {field} of at least 2 (paired seeds per loss; "
                             "10 by default)", field="seeds")

    def grid_for(self, optimizer: str) -> tuple[float, ...]:
        return self.grid if self.grid is not None else default_grid(optimizer)

    def metric_for(self, kind: str) -> str:
        return self.metric or default_metric(kind)

    def tuning_seeds(self, base_seed: int) -> list[int]:
        """Every seed a tuning run trains with: each replicate's own (base + r, then
        + 1000, + 2000, ... with several per rate), or the shared tuning's base + 1000 + i."""
        if self.selection == REPLICATE:
            return sorted(base_seed + r + TUNE_SEED_OFFSET * i for r in range(self.seeds)
                          for i in range(self.tune_seeds))
        return [base_seed + TUNE_SEED_OFFSET + i for i in range(self.tune_seeds)]

    def final_seeds(self, base_seed: int) -> list[int]:
        return [base_seed + i for i in range(self.seeds)]

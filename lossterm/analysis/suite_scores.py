"""The score side of a suite verdict (rliable, Agarwal et al. 2021, NeurIPS, "Deep RL at
the edge of the statistical precipice"): scores normalised per problem, their
interquartile mean (IQM) with a stratified bootstrap confidence interval, and the
probability of improvement P(A > B).

Why these beside the ranks (:mod:`.suite`): an average rank says who is ahead, not by how
much, and it throws away the replicates; the IQM of normalised scores keeps every
replicate of every problem, is not ruled by one collapsed seed (the lowest and highest
quarter are trimmed), and its bootstrap interval says how much a re-run with other seeds
could move it. P(A > B) says how often A's run beats B's on a problem picked at random.

**Normalisation** (our choice; rliable leaves it to the user): on each problem, min–max over
every replicate figure of the losses the suite ranks there, turned so that 1 is the best
figure any of them reached and 0 the worst (for a metric where lower is better, the
figure is flipped). So problems with different metrics and scales weigh alike, and the
numbers are relative to the losses compared, not absolute: adding a loss can move them.
A problem where every run scored the same gives 0.5 to every run; a non-finite figure (a
run that diverged) scores 0, the worst.

**Stratified bootstrap** (rliable's ``StratifiedBootstrap``, ``task_bootstrap=False``): each
resample draws, on each problem separately, as many replicates as it has, with
replacement; the problems themselves are kept (the suite is fixed; the seeds are what a
re-run changes). The interval is the percentile interval of the resampled IQMs. The
indices are drawn from ``numpy.random.RandomState(seed)`` exactly as rliable draws them
from NumPy's global state (``np.random.choice(runs, (runs, problems))`` per resample, the
losses one after another), so ``np.random.seed(seed)`` before rliable's
``get_interval_estimates`` over the same losses in the same order gives the same interval:
the unit tests check that. Problems with unequal replicate counts (rliable refuses those)
are drawn one problem at a time.

**P(A > B)'s interval** is rliable's too (``get_interval_estimates`` with a pair ``[x, y]``:
``StratifiedIndependentBootstrap``): each resample redraws A's replicates within each
problem, then B's, independently, and the interval is the percentile interval of the
resampled probabilities. The pairs draw from a ``RandomState(seed)`` of their own, one
pair after another in the report's order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_REPS = 10_000  # rliable's default is 50 000; 10 000 puts the 2.5% tail on 250 draws
PAIR_REPS = 2_000  # per pair: a resample compares every replicate of A with every one of B
BOOTSTRAP_SEED = 0
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap interval."""

    value: float
    low: float
    high: float


def normalise(figures: Sequence[np.ndarray], higher: bool) -> list[np.ndarray]:
    """Each loss's replicate figures on one problem, min–max normalised over all of them
    (1 = the best figure on the problem, 0 = the worst; non-finite figures score 0)."""
    arrays = [np.asarray(f, dtype=float) for f in figures]
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.array([])
    if finite.size == 0:
        return [np.zeros(a.shape) for a in arrays]
    low, high = float(finite.min()), float(finite.max())
    out = []
    for a in arrays:
        if high == low:
            scaled = np.full(a.shape, 0.5)
        else:
            scaled = (a - low) / (high - low)
            if not higher:
                scaled = 1.0 - scaled
        out.append(np.where(np.isfinite(a), scaled, 0.0))
    return out


def iqm(values: np.ndarray) -> float:
    """The interquartile mean: the mean of the middle half of all the values (scipy's
    ``trim_mean`` at 25%, as rliable's ``aggregate_iqm``)."""
    from scipy.stats import trim_mean

    return float(trim_mean(np.asarray(values, dtype=float), 0.25, axis=None))


def _iqm_rows(draws: np.ndarray) -> np.ndarray:
    from scipy.stats import trim_mean

    return np.asarray(trim_mean(draws.reshape(draws.shape[0], -1), 0.25, axis=1))


def iqm_interval(columns: Sequence[np.ndarray], *, reps: int = BOOTSTRAP_REPS,
                 rng: np.random.RandomState | None = None, level: float = LEVEL) -> Interval:
    """The IQM of one loss's normalised scores over the problems (``columns``: one array
    of replicate scores per problem) and its stratified-bootstrap percentile interval.
    ``rng`` carries on from call to call, so several losses' intervals from one
    ``RandomState(seed)`` follow rliable's draws from one ``np.random.seed(seed)``."""
    rng = rng if rng is not None else np.random.RandomState(BOOTSTRAP_SEED)
    cols = [np.asarray(c, dtype=float) for c in columns]
    point = iqm(np.concatenate(cols))
    counts = {c.size for c in cols}
    if len(counts) == 1:
        matrix = np.stack(cols, axis=1)  # replicates x problems, rliable's layout
        n, m = matrix.shape
        chunks = []
        for start in range(0, reps, 2000):  # the same stream as one draw per resample
            size = min(2000, reps - start)
            index = rng.choice(n, (size, n, m), replace=True)
            chunks.append(_iqm_rows(matrix[index, np.arange(m)[None, None, :]]))
        stats = np.concatenate(chunks)
    else:
        draws = np.concatenate([c[rng.choice(c.size, (reps, c.size), replace=True)]
                                for c in cols], axis=1)
        stats = _iqm_rows(draws)
    alpha = (1.0 - level) / 2
    low, high = np.percentile(stats, [100 * alpha, 100 * (1 - alpha)])
    return Interval(point, float(low), float(high))


def improvement_probability(x: Sequence[np.ndarray], y: Sequence[np.ndarray]) -> float:
    """P(X > Y) as rliable defines it: on each problem, the chance that a random replicate
    of X scores above a random replicate of Y (ties count half: the Mann–Whitney U over
    the product of the counts), averaged over the problems with equal weight."""
    per_problem = []
    for a, b in zip(x, y):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.size == 0 or b.size == 0:
            continue
        greater = (a[:, None] > b[None, :]).sum()
        equal = (a[:, None] == b[None, :]).sum()
        per_problem.append((greater + 0.5 * equal) / (a.size * b.size))
    return float(np.mean(per_problem)) if per_problem else math.nan


def _improvement_rows(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """P(X > Y) of each resample: ``xs`` (resamples x runs_x x problems), ``ys`` likewise."""
    greater = (xs[:, :, None, :] > ys[:, None, :, :]).sum(axis=(1, 2))
    equal = (xs[:, :, None, :] == ys[:, None, :, :]).sum(axis=(1, 2))
    return ((greater + 0.5 * equal) / (xs.shape[1] * ys.shape[1])).mean(axis=1)


def improvement_interval(x: Sequence[np.ndarray], y: Sequence[np.ndarray], *,
                         reps: int = PAIR_REPS, rng: np.random.RandomState | None = None,
                         level: float = LEVEL) -> Interval:
    """P(X > Y) (:func:`improvement_probability`) and its stratified bootstrap interval,
    drawn as rliable draws it: per resample, X's indices ``choice(runs_x, (runs_x,
    problems))`` then Y's. Where a loss's replicate counts differ between problems
    (rliable refuses those) each resample draws each problem's replicates in turn."""
    rng = rng if rng is not None else np.random.RandomState(BOOTSTRAP_SEED)
    cols_x = [np.asarray(c, dtype=float) for c in x]
    cols_y = [np.asarray(c, dtype=float) for c in y]
    point = improvement_probability(cols_x, cols_y)
    if len({c.size for c in cols_x}) == 1 and len({c.size for c in cols_y}) == 1:
        mx, my = np.stack(cols_x, axis=1), np.stack(cols_y, axis=1)
        (nx, m), ny = mx.shape, my.shape[0]
        task = np.arange(m)[None, None, :]
        chunks = []
        for start in range(0, reps, 1000):
            size = min(1000, reps - start)
            if nx == ny:  # one call draws the same stream as rliable's two per resample
                index = rng.choice(nx, (size, 2, nx, m), replace=True)
                ix, iy = index[:, 0], index[:, 1]
            else:
                pairs = [(rng.choice(nx, (nx, m), replace=True),
                          rng.choice(ny, (ny, m), replace=True)) for _ in range(size)]
                ix, iy = np.stack([a for a, _ in pairs]), np.stack([b for _, b in pairs])
            chunks.append(_improvement_rows(mx[ix, task], my[iy, task]))
        stats = np.concatenate(chunks)
    else:
        stats = np.empty(reps)
        for r in range(reps):
            rx = [c[rng.choice(c.size, c.size, replace=True)] for c in cols_x]
            ry = [c[rng.choice(c.size, c.size, replace=True)] for c in cols_y]
            stats[r] = improvement_probability(rx, ry)
    alpha = (1.0 - level) / 2
    low, high = np.percentile(stats, [100 * alpha, 100 * (1 - alpha)])
    return Interval(point, float(low), float(high))

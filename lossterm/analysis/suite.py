"""A verdict across problems: the losses ranked on every problem of a study, as Demšar
(2006, JMLR, "Statistical comparisons of classifiers over multiple data sets") set it out,
with rliable's scores beside the ranks (:mod:`.suite_scores`).

What is ranked: on each problem, each loss's **mean test figure** over its final
replicates (the figure its own verdict ranks on), best = rank 1, ties sharing the average
of the ranks they span (Demšar §3.2.2). Problems with different metrics are each ranked
in their own metric's direction.

**Friedman test**, chi-square form with scipy's correction for tied ranks (so it equals
``scipy.stats.friedmanchisquare``), df = k − 1. Iman and Davenport's F (less conservative,
Demšar's advice) is given beside it; the verdict quotes the chi-square.

**Pairs: Wilcoxon signed-rank tests over problems, Holm-adjusted.** Why not Nemenyi (or
Conover) on the mean ranks: Benavoli, Corani and Mangili (2016, JMLR, "Should we really
use post-hoc tests based on mean-ranks?") show that whether A and B differ by a mean-rank
test depends on which other losses are in the study — adding a loss can turn a win into a
tie. The Wilcoxon test of A against B reads only A's and B's figures, pairs them by
problem, and weighs large gaps above small ones. The differences are of the mean test
figures, turned so that positive means A is better; where the suite's problems use
different metrics (or a figure is non-finite), of the per-problem min–max normalised
means instead, so that no problem's unit rules the ranks of the gaps. Its price is said
in every verdict: with N problems no two-sided exact p can fall below 2 / 2^N (0.125 at
4 problems), so a small suite cannot separate any pair. Holm: :func:`.stats.holm`.

The **critical-difference diagram** joins the losses that no Holm-adjusted test tells
apart (cliques of the pairwise tests, as autorank draws them), not Nemenyi's CD.

**Which losses, which problems.** Binary, multiclass and regression problems have
different losses, so a study's problems are grouped by kind, one suite per kind with at
least two problems; within a suite only the losses with figures on every one of its
problems are ranked (the shared subset), and the others are named with the problems they
have. Fewer than two problems or two shared losses: no suite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from lossterm.analysis.stats import holm
from lossterm.analysis.suite_scores import (
    BOOTSTRAP_REPS,
    BOOTSTRAP_SEED,
    PAIR_REPS,
    Interval,
    improvement_interval,
    improvement_probability,
    iqm_interval,
    normalise,
)

ALPHA = 0.05
POSTHOC = "Wilcoxon signed-rank over problems, Holm-adjusted"


@dataclass(frozen=True)
class ScoreMatrix:
    """What a suite is computed from: per problem, each loss's replicate test figures
    (``figures[p][l]``, one array per loss) and the metric's direction."""

    problems: list[str]
    losses: list[str]
    figures: list[list[np.ndarray]]
    higher: list[bool]
    metrics: list[str]

    def means(self) -> np.ndarray:
        """problems x losses: each loss's mean test figure (NaN where it has none)."""
        return np.array([[float(np.mean(f)) if len(f) else math.nan for f in row]
                         for row in self.figures])


@dataclass(frozen=True)
class Friedman:
    n: int  # problems
    k: int  # losses
    chi2: float
    df: int
    p: float
    f: float  # Iman–Davenport
    f_df: tuple[int, int]
    f_p: float


@dataclass(frozen=True)
class SuitePair:
    """``a`` against ``b`` (``a`` the better average rank); ``wins``/``losses``/``ties``
    count problems from a's side."""

    a: str
    b: str
    wins: int
    losses: int
    ties: int
    statistic: float
    p: float
    p_holm: float


@dataclass
class Suite:
    kind: str
    matrix: ScoreMatrix
    ranks: np.ndarray  # problems x losses
    average_ranks: dict[str, float]  # best first
    friedman: Friedman
    pairs: list[SuitePair]
    scale: str  # what the Wilcoxon differences are of: "mean test figure" or "normalised mean"
    iqm: dict[str, Interval]
    p_improve: dict[tuple[str, str], float]  # every ordered pair
    p_improve_ci: dict[tuple[str, str], Interval]  # each pair as ``pairs`` orders it
    cliques: list[list[str]]
    tied_for_best: list[str]
    left_out: dict[str, list[str]] = field(default_factory=dict)  # loss -> problems it has
    alpha: float = ALPHA
    reps: int = BOOTSTRAP_REPS
    seed: int = BOOTSTRAP_SEED
    pair_reps: int = PAIR_REPS
    verdict: str = ""

    @property
    def ranking(self) -> list[str]:
        return list(self.average_ranks)


def rank_matrix(means: np.ndarray, higher: Sequence[bool]) -> np.ndarray:
    """problems x losses ranks, 1 = best on that problem, ties averaged; a non-finite mean
    (no figure, or diverged) ranks last."""
    from scipy.stats import rankdata

    rows = []
    for row, up in zip(np.asarray(means, dtype=float), higher):
        good = np.where(np.isfinite(row), row if up else -row, -np.inf)
        rows.append(rankdata(-good, method="average"))
    return np.array(rows)


def friedman(ranks: np.ndarray) -> Friedman:
    """The Friedman test on a problems x losses rank matrix, with the tie correction
    ``1 − Σ(t³ − t) / (N k (k² − 1))`` (as scipy), and Iman–Davenport's F."""
    from scipy.stats import chi2 as chi2_dist
    from scipy.stats import f as f_dist

    n, k = ranks.shape
    sums = ranks.sum(axis=0)
    ties = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts ** 3 - counts).sum())
    correction = 1.0 - ties / (n * k * (k * k - 1))
    raw = 12.0 / (n * k * (k + 1)) * float((sums ** 2).sum()) - 3.0 * n * (k + 1)
    chi2 = raw / correction if correction > 0 else math.nan
    df = k - 1
    p = float(chi2_dist.sf(chi2, df)) if math.isfinite(chi2) else math.nan
    f_df = (k - 1, (k - 1) * (n - 1))
    denominator = n * (k - 1) - chi2
    if not math.isfinite(chi2):
        f, f_p = math.nan, math.nan
    elif denominator <= 0:  # every problem ranks the losses alike
        f, f_p = math.inf, 0.0
    else:
        f = (n - 1) * chi2 / denominator
        f_p = float(f_dist.sf(f, *f_df))
    return Friedman(n, k, float(chi2), df, p, float(f), f_df, f_p)


def wilcoxon_pairs(scores: np.ndarray, losses: Sequence[str],
                   order: Sequence[str]) -> list[SuitePair]:
    """Every pair of ``losses`` (``scores``: problems x losses, higher = better), ``a``
    the one earlier in ``order``; two-sided Wilcoxon signed-rank (scipy's defaults: zero
    differences dropped, exact p where it can be), Holm-adjusted over all pairs. A pair
    with every difference zero has nothing to test: p = 1."""
    from scipy.stats import wilcoxon

    column = {name: i for i, name in enumerate(losses)}
    ordered = sorted(losses, key=list(order).index)
    raw = []
    for a, b in combinations(ordered, 2):
        d = scores[:, column[a]] - scores[:, column[b]]
        if not np.any(d):
            stat, p = 0.0, 1.0
        else:
            result = wilcoxon(scores[:, column[a]], scores[:, column[b]])
            stat, p = float(result.statistic), float(result.pvalue)
        raw.append((a, b, int((d > 0).sum()), int((d < 0).sum()), int((d == 0).sum()), stat, p))
    adjusted = holm([r[-1] for r in raw])
    return [SuitePair(*r, p_holm=q) for r, q in zip(raw, adjusted)]


def cliques(order: Sequence[str], pairs: Sequence[SuitePair], alpha: float) -> list[list[str]]:
    """The CD diagram's bars: maximal runs of consecutive losses (by average rank) whose
    every pair the Holm-adjusted tests do not tell apart; runs of one are not drawn."""
    apart = {frozenset((p.a, p.b)) for p in pairs if p.p_holm < alpha}
    runs: list[list[str]] = []
    for i in range(len(order)):
        j = i
        while j + 1 < len(order) and all(frozenset((order[m], order[j + 1])) not in apart
                                          for m in range(i, j + 1)):
            j += 1
        run = list(order[i:j + 1])
        if len(run) > 1 and not any(set(run) <= set(r) for r in runs):
            runs.append(run)
    return runs


def compute_suite(matrix: ScoreMatrix, *, kind: str = "", alpha: float = ALPHA,
                  reps: int = BOOTSTRAP_REPS, pair_reps: int = PAIR_REPS,
                  seed: int = BOOTSTRAP_SEED,
                  left_out: dict[str, list[str]] | None = None) -> Suite:
    """Every statistic of a suite from its score matrix (its verdict line is
    :func:`lossterm.analysis.suites.judge`'s). ``seed`` seeds the bootstrap
    (a ``RandomState``, the losses drawn in ``matrix.losses`` order: see
    :mod:`.suite_scores`)."""
    means = matrix.means()
    ranks = rank_matrix(means, matrix.higher)
    average = ranks.mean(axis=0)
    order = [matrix.losses[i] for i in np.argsort(average, kind="stable")]
    normalised = [normalise(row, up) for row, up in zip(matrix.figures, matrix.higher)]
    oriented = np.where(np.array(matrix.higher)[:, None], means, -means)
    if len(set(matrix.metrics)) == 1 and np.all(np.isfinite(means)):
        scale, scores = "mean test figure", oriented
    else:
        scale = "normalised mean"
        scores = np.array([[float(np.mean(c)) for c in row] for row in normalised])
    pairs = wilcoxon_pairs(scores, matrix.losses, order)
    rng = np.random.RandomState(seed)
    iqm = {loss: iqm_interval([row[j] for row in normalised], reps=reps, rng=rng)
           for j, loss in enumerate(matrix.losses)}
    column = {name: j for j, name in enumerate(matrix.losses)}
    p_improve = {(a, b): improvement_probability([row[column[a]] for row in normalised],
                                                 [row[column[b]] for row in normalised])
                 for a in order for b in order if a != b}
    pair_rng = np.random.RandomState(seed)
    p_improve_ci = {(p.a, p.b): improvement_interval(
        [row[column[p.a]] for row in normalised], [row[column[p.b]] for row in normalised],
        reps=pair_reps, rng=pair_rng) for p in pairs}
    best = order[0]
    tied = [best] + [p.b for p in pairs if p.a == best and not p.p_holm < alpha]
    suite = Suite(kind=kind, matrix=matrix, ranks=ranks,
                  average_ranks={loss: float(average[column[loss]]) for loss in order},
                  friedman=friedman(ranks), pairs=pairs, scale=scale, iqm=iqm,
                  p_improve=p_improve, p_improve_ci=p_improve_ci,
                  cliques=cliques(order, pairs, alpha),
                  tied_for_best=tied, left_out=dict(left_out or {}), alpha=alpha,
                  reps=reps, seed=seed, pair_reps=pair_reps)
    return suite

"""Statistics over seeds: means with t confidence intervals, paired t-tests.

Why a paired t-test and not Wilcoxon's signed-rank test: the differences
between two losses over seeds are differences of means over 500 test rows,
close to normal; the t-test gives a confidence interval of the difference that
agrees with its p-value, which a quotable verdict needs; it keeps its power at
5-10 seeds, where Wilcoxon's exact p cannot go below 2/2^n (0.002 at 10
seeds); and Wilcoxon drops zero differences, which losses that train
identically (categorical vs sparse cross-entropy) produce on every seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
MIN_SEEDS_FOR_TEST = 5  # below this a t interval (2-3 df) is too wide to say anything


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    std: float  # sample standard deviation (ddof=1); nan for one value
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PairedTest:
    """``a - b`` over paired seeds."""

    n: int
    mean_diff: float
    ci_low: float
    ci_high: float
    p: float  # two-sided; nan when n < 2
    identical: bool  # every difference is exactly zero


def _t_quantile(n: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, df=n - 1))


def summarize(values) -> Summary:
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Summary(1, mean, math.nan, math.nan, math.nan)
    std = float(x.std(ddof=1))
    half = _t_quantile(n) * std / math.sqrt(n)
    return Summary(n, mean, std, mean - half, mean + half)


def paired_test(a, b) -> PairedTest:
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = d.size
    if n < 2:
        mean = float(d.mean()) if n else math.nan
        return PairedTest(n, mean, math.nan, math.nan, math.nan, bool(n and not d.any()))
    s = summarize(d)
    if s.std == 0:  # the same difference on every seed: no spread to test against
        return PairedTest(n, s.mean, s.mean, s.mean, 1.0 if s.mean == 0 else 0.0,
                          identical=s.mean == 0)
    from scipy import stats

    p = float(stats.ttest_rel(a, b).pvalue)
    return PairedTest(n, s.mean, s.ci_low, s.ci_high, p, identical=False)


def curve_stats(series: list[list[float]]) -> tuple[list[float], list[float], list[int]]:
    """Per-epoch mean, std (ddof=0) and count over runs that reached each epoch."""
    longest = max((len(s) for s in series), default=0)
    means, stds, counts = [], [], []
    for epoch in range(longest):
        values = np.array([s[epoch] for s in series if len(s) > epoch], dtype=float)
        means.append(float(values.mean()))
        stds.append(float(values.std()))
        counts.append(int(values.size))
    return means, stds, counts


def holm(pvalues) -> list[float]:
    """Holm's step-down adjustment of ``pvalues`` (NaN stays NaN and is not counted).

    Why Holm: a study compares every pair of losses, so some comparison is
    "significant" by chance far more often than 5% of the time. Holm's method
    keeps the family-wise error rate (the chance of any false claim) at the
    level under any dependence between the tests (the pairs share losses and
    seeds, so they are dependent), and it is uniformly more powerful than
    Bonferroni: it rejects everything Bonferroni rejects, and more.

    With m finite p-values sorted ascending, p_(i) becomes
    ``max_{j <= i} min(1, (m - j + 1) * p_(j))`` (j counted from 1).
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = finite.size
    running = 0.0
    for rank, index in enumerate(finite[np.argsort(p[finite], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[index]))
        out[index] = running
    return [float(v) for v in out]


def tied_for_best(best: str, p_holm_against_best: dict[str, float],
                  level: float = LEVEL) -> list[str]:
    """The best and every other whose (Holm-adjusted) p against it is not below 1 - level:
    the ones the data cannot tell apart from the best. An untestable pair (NaN p) ties."""
    alpha = round(1 - level, 12)  # 0.05, not 0.050000000000000044
    return [best] + [name for name, p in p_holm_against_best.items()
                     if name != best and not p < alpha]

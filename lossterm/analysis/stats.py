"""Statistics over seeds: means with confidence intervals, paired tests, the smallest
difference a test could see, and a check for replicates that fall in two groups.

Why a paired t-test and not Wilcoxon's signed-rank test: the differences
between two losses over seeds are differences of means over 500 test rows,
close to normal; the t-test gives a confidence interval of the difference that
agrees with its p-value, which a quotable verdict needs; it keeps its power at
5-10 seeds, where Wilcoxon's exact p cannot go below 2/2^n (0.002 at 10
seeds); and Wilcoxon drops zero differences, which losses that train
identically (categorical vs sparse cross-entropy) produce on every seed.

Two cases the t-test cannot judge are said for what they are (:func:`paired_test`):
every difference exactly zero is *identical*, with nothing to test; the same non-zero
difference on every seed has no spread, so a t statistic would be infinite and p = 0;
there an exact sign test (n of n differences on one side: p = 2 · 0.5^n) gives the
honest figure, which at 5 seeds is 0.0625: no claim.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from lossterm.core.metric import is_share

LEVEL = 0.95
POWER = 0.8  # the power a tie's detectable difference is stated at
MIN_SEEDS_FOR_TEST = 5  # below this a t interval (2-3 df) is too wide to say anything

T_TEST, SIGN_TEST, IDENTICAL, NO_TEST = "t", "sign", "identical", "none"


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    std: float  # sample standard deviation (ddof=1); nan for one value
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PairedTest:
    """``a - b`` over paired seeds. ``method``: :data:`T_TEST` (Student's paired t),
    :data:`SIGN_TEST` (the same non-zero difference on every seed), :data:`IDENTICAL`
    (every difference exactly zero) or :data:`NO_TEST` (fewer than two pairs)."""

    n: int
    mean_diff: float
    ci_low: float
    ci_high: float
    p: float  # two-sided; nan when n < 2
    identical: bool  # every difference is exactly zero
    method: str = T_TEST
    sd: float = math.nan  # of the differences (ddof 1); nan when n < 2


def _t_quantile(n: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, df=n - 1))


def summarize(values: Iterable[float], metric: str | None = None) -> Summary:
    """Mean, sample SD and the 95% interval of the mean of ``values`` (figures over seeds):
    every mean ± CI a report or screen shows comes from here.

    The interval is Student's t. For a **share** (the registry's ``share``: accuracy,
    F1, AUC, ...) it is the t-interval intersected with [0, 1]. Why this and not a
    transform: the mean of a share lies in [0, 1], so for every possible true mean the
    clipped interval contains it exactly when the t-interval does: the coverage is the
    t-interval's, unchanged, and only the impossible part ("0.942–1.006" at 3 seeds)
    is gone. Tried and not chosen, on the figures this tool sees: the t-interval on
    the arcsine-square-root scale (finite at 0 and 1) stretches near a bound under a
    binomial model that seed-to-seed spread does not follow (0 and 0.02 at 2 seeds:
    0–0.68, where the t-interval says −0.12–0.14); the logit needs an arbitrary
    continuity constant for figures of exactly 1.0, and its width depends on it; a
    percentile bootstrap cannot be wider than the figures' own range, far too narrow
    at 3-5 seeds. Inside the bounds the interval is the plain t-interval.
    """
    x = np.asarray(list(values), dtype=float)
    n = x.size
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Summary(1, mean, math.nan, math.nan, math.nan)
    std = float(x.std(ddof=1))
    half = _t_quantile(n) * std / math.sqrt(n)
    low, high = mean - half, mean + half
    if metric is not None and is_share(metric):
        low, high = max(0.0, low), min(1.0, high)
    return Summary(n, mean, std, low, high)


def interval_words(metric: str | None) -> str:
    """How :func:`summarize` made a metric's interval, for a report to say."""
    if metric is not None and is_share(metric):
        return "95% t-interval, within [0, 1] (a share)"
    return "95% t-interval"


def paired_test(a: ArrayLike, b: ArrayLike) -> PairedTest:
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = d.size
    if n < 2:
        mean = float(d.mean()) if n else math.nan
        same = bool(n and not d.any())
        return PairedTest(n, mean, math.nan, math.nan, math.nan, same,
                          IDENTICAL if same else NO_TEST)
    s = summarize(d)
    if not d.any():
        return PairedTest(n, 0.0, 0.0, 0.0, 1.0, identical=True, method=IDENTICAL, sd=0.0)
    if np.allclose(d, d[0], rtol=1e-9, atol=1e-12):
        # the same difference on every seed (to float rounding: two accuracies a fixed
        # number of rows apart differ in the 16th digit): no spread for a t statistic
        return PairedTest(n, s.mean, s.mean, s.mean, sign_test_p(int((d > 0).sum()), n),
                          identical=False,
                          method=SIGN_TEST, sd=0.0)
    from scipy import stats

    p = float(stats.ttest_rel(a, b).pvalue)
    return PairedTest(n, s.mean, s.ci_low, s.ci_high, p, identical=False, sd=s.std)


def sign_test_p(positive: int, n: int) -> float:
    """Two-sided exact binomial (sign) test of ``positive`` of ``n`` differences above
    zero (scipy's ``binomtest``): ``2 · 0.5^n`` when all n are on one side."""
    from scipy.stats import binomtest

    return float(binomtest(positive, n, 0.5).pvalue)


def detectable_difference(sd: float, n: int, level: float = LEVEL,
                          power: float = POWER) -> float:
    """The smallest true mean difference a two-sided paired t-test at ``1 - level`` over
    ``n`` pairs finds with probability ``power``, given ``sd``, the standard deviation
    of the paired differences (nan when ``n < 2`` or ``sd`` is not finite).

    It is ``d · sd`` where ``d`` solves ``P(|T| > t_crit) = power`` for T of Student's
    noncentral t with n - 1 degrees of freedom and noncentrality ``d · sqrt(n)``
    (``scipy.stats.nct``; statsmodels' ``TTestPower`` solves the same equation, and is
    not a dependency here). The observed ``sd`` stands in for the true one, so the figure
    is an estimate ("about"); and Holm divides the level among the pairs, so the gap a
    whole study detects is if anything larger.
    """
    if n < 2 or not math.isfinite(sd):
        return math.nan
    return _detectable_effect(n, level, power) * sd


@functools.lru_cache(maxsize=64)
def _detectable_effect(n: int, level: float, power: float) -> float:
    from scipy import optimize, stats

    df = n - 1
    critical = stats.t.ppf(0.5 + level / 2, df)

    def shortfall(d: float) -> float:
        nc = d * math.sqrt(n)  # the lower tail as the upper one at -nc: scipy's cdf of a
        # far tail can be nan where its sf is a clean 0
        lower = float(np.nan_to_num(stats.nct.sf(critical, df, -nc)))
        return float(stats.nct.sf(critical, df, nc)) + lower - power

    high = 1.0
    while shortfall(high) < 0:
        high *= 2
    return float(optimize.brentq(shortfall, 0.0, high, xtol=1e-10))


@dataclass(frozen=True)
class Modes:
    """Figures that fall in two groups, split at their widest gap."""

    low: tuple[float, ...]
    high: tuple[float, ...]

    @property
    def gap(self) -> float:
        return self.high[0] - self.low[-1]


def two_modes(values: Iterable[float]) -> Modes | None:
    """The two groups ``values`` fall in, or None when they form one.

    The rule: sort the figures and split them at the widest gap between neighbours;
    they form two groups when there are at least 3 figures, the gap is more than three
    times the range within each side, and it is at least a quarter of the largest
    figure's magnitude. The first condition says the gap dominates the spread; the
    second that it is large in the figure's own terms, so a run of tied figures and
    one a step away (accuracies 0.850, 0.850, 0.852) is one group. A collapsed seed
    passes both: circles' accuracy 0.504 among figures of 0.85 ± 0.01, or an MSE of 1.0
    among figures of 0.02. Drawn from one normal distribution (simulated, 4,000 draws
    each), ten figures are flagged about 0.1% of the time or less at any spread; five, under
    0.5% at a coefficient of variation of 10%; three, about 2% at 10% (and about a
    third at 30%: three figures that spread cannot say much either way).
    """
    x = np.sort(np.asarray([v for v in values if math.isfinite(v)], dtype=float))
    if x.size < 3:
        return None
    gaps = np.diff(x)
    i = int(np.argmax(gaps))
    low, high = x[:i + 1], x[i + 1:]
    gap = float(gaps[i])
    spread = max(float(np.ptp(low)), float(np.ptp(high)))
    if gap <= 3 * spread or gap < 0.25 * float(np.max(np.abs(x))):
        return None
    return Modes(tuple(map(float, low)), tuple(map(float, high)))


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


def holm(pvalues: Sequence[float]) -> list[float]:
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

"""Comparing losses honestly: per-loss summaries over seeds, a ranking per problem
by the problem's one fair metric, and a paired test of the best against each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from lossterm.engine.metric import get_metric, higher_is_better
from lossterm.engine.records import DONE, RunResult
from lossterm.engine.stats import (
    LEVEL,
    MIN_SEEDS_FOR_TEST,
    PairedTest,
    Summary,
    curve_stats,
    holm,
    paired_test,
    summarize,
)


@dataclass
class Arm:
    """One (problem, loss, settings) over its seeds."""

    problem: str
    loss: str
    metric: str
    results: list[RunResult] = field(default_factory=list)

    @property
    def good(self) -> list[RunResult]:
        """Runs that trained to their end (diverged or failed ones are counted apart)."""
        return [r for r in self.results if r.status == DONE and r.records]

    @property
    def diverged(self) -> int:
        return sum(r.status == "diverged" for r in self.results)

    def summary(self, split: str) -> Summary:
        return summarize([getattr(r, f"{split}_metric") for r in self.good])

    def by_seed(self) -> dict[int, float]:
        return {r.seed: r.test_metric for r in self.good}

    def curves(self) -> dict[str, dict[str, list[float]]]:
        keys = self.good[0].history.keys() if self.good else ()
        out = {}
        for key in keys:
            mean, std, _ = curve_stats([r.history[key] for r in self.good])
            out[key] = {"mean": mean, "std": std}
        return out


@dataclass
class Versus:
    other: str
    test: PairedTest
    verdict: str


@dataclass
class Comparison:
    problem: str
    metric: str
    ranking: list[Arm]
    versus: list[Versus]

    @property
    def higher_is_better(self) -> bool:
        return higher_is_better(self.metric)


def arms(results: list[RunResult]) -> list[Arm]:
    """Group results by (problem, loss) in first-seen order."""
    grouped: dict[tuple[str, str], Arm] = {}
    for r in results:
        arm = grouped.setdefault((r.problem, r.loss), Arm(r.problem, r.loss, r.metric))
        arm.results.append(r)
    return list(grouped.values())


def compare(all_arms: list[Arm]) -> list[Comparison]:
    """Per problem with two or more losses: the ranking and the best against each other."""
    comparisons = []
    problems = dict.fromkeys(a.problem for a in all_arms)
    for problem in problems:
        group = [a for a in all_arms if a.problem == problem and a.good]
        if len(group) < 2:
            continue
        metric = group[0].metric
        sign = 1 if higher_is_better(metric) else -1
        ranking = sorted(group, key=lambda a: -sign * a.summary("test").mean)
        best = ranking[0]
        # Every pair is tested and the p-values are Holm-adjusted as one family (stats.holm
        # says why Holm): the best is picked by its test mean, so adjusting only its k - 1
        # comparisons would leave that choice out of the correction.
        tests = {(a.loss, b.loss): _advantage(a, b, sign)
                 for i, a in enumerate(ranking) for b in ranking[i + 1:]}
        adjusted = dict(zip(tests, holm([t.p for t in tests.values()])))
        versus = []
        for other in ranking[1:]:
            test = tests[(best.loss, other.loss)]
            p = adjusted[(best.loss, other.loss)]
            test = replace(test, p=p) if math.isfinite(p) else test
            versus.append(Versus(other.loss, test, verdict(best.loss, other.loss, problem,
                                                           metric, test,
                                                           adjusted=len(tests) > 1)))
        comparisons.append(Comparison(problem, metric, ranking, versus))
    return comparisons


def _advantage(a: Arm, b: Arm, sign: int) -> PairedTest:
    """``a``'s advantage over ``b`` on their shared seeds (positive: ``a`` is better)."""
    a_seed, b_seed = a.by_seed(), b.by_seed()
    seeds = sorted(set(a_seed) & set(b_seed))
    x, y = [a_seed[s] for s in seeds], [b_seed[s] for s in seeds]
    return paired_test(x, y) if sign > 0 else paired_test(y, x)


def _amount(metric: str, value: float) -> str:
    if get_metric(metric).share:
        return f"{100 * value:.1f}"
    return f"{value:.4f}"


def _unit(metric: str) -> str:
    m = get_metric(metric)
    return f"points of test {m.title}" if m.share else f"test {m.title}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(best: str, other: str, problem: str, metric: str, test: PairedTest,
            adjusted: bool = False) -> str:
    """One line a person can quote (``adjusted``: the p-value is Holm-adjusted)."""
    n = test.n
    if n < MIN_SEEDS_FOR_TEST:
        return (f"{best} vs {other} on {problem}: too few paired seeds for a test ({n}; "
                f"at least {MIN_SEEDS_FOR_TEST} needed, e.g. --seeds {MIN_SEEDS_FOR_TEST * 2})")
    if test.identical:
        return f"{best} and {other} give the same test {metric} on {problem} on all {n} seeds"
    low, high = _amount(metric, test.ci_low), _amount(metric, test.ci_high)
    ci = f"{low} to {high}" if test.ci_low < 0 else f"{low}–{high}"
    lower = "" if higher_is_better(metric) else "; lower is better"
    holm_note = " Holm-adjusted" if adjusted else ""
    stats = f"({int(LEVEL * 100)}% CI {ci},{holm_note} {_p(test.p)}, {n} paired seeds{lower})"
    amount = f"{_amount(metric, test.mean_diff)} {_unit(metric)}"
    if test.p < 1 - LEVEL and test.mean_diff > 0:
        return f"{best} beats {other} on {problem} by {amount} {stats}"
    return (f"no significant difference between {best} and {other} on {problem}: "
            f"{best} ahead by {amount} {stats}")


__all__ = ["Arm", "Comparison", "Versus", "arms", "compare", "verdict"]

"""The verdict of a study: every pair of losses, Holm-adjusted, and who ties for best.

Each pair is a paired t-test over the final seeds both losses trained to the
end (:func:`lossterm.engine.stats.paired_test`, why a t-test is said there);
the p-values of all pairs are adjusted together with Holm's method
(:func:`lossterm.engine.stats.holm`, why Holm is said there). The losses
*tied for best* are the best (by mean test metric) and every loss whose
adjusted p against it is not below 0.05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossterm.engine.metric import get_metric
from lossterm.engine.stats import LEVEL, MIN_SEEDS_FOR_TEST, holm, paired_test, tied_for_best


@dataclass(frozen=True)
class Pair:
    """``a`` against ``b`` (``a`` ranked higher): differences are a - b in the metric."""

    a: str
    b: str
    n: int
    difference: float
    ci: tuple[float, float]
    p: float
    p_holm: float
    share_a_better: float  # share of paired seeds where a is strictly better


@dataclass(frozen=True)
class Verdict:
    ranking: list[str]
    pairs: list[Pair]
    tied_for_best: list[str]
    line: str


def rank(test_scores: dict[str, dict[int, float]], higher: bool) -> list[str]:
    """Losses by mean test score, best first (losses with no final score left out)."""
    means = {loss: float(np.mean(list(s.values()))) for loss, s in test_scores.items() if s}
    return sorted(means, key=lambda loss: -means[loss] if higher else means[loss])


def pairs(test_scores: dict[str, dict[int, float]], ranking: list[str], higher: bool) -> list[Pair]:
    """Every pair (a above b in the ranking), p-values Holm-adjusted as one family."""
    raw = []
    for i, a in enumerate(ranking):
        for b in ranking[i + 1:]:
            seeds = sorted(set(test_scores[a]) & set(test_scores[b]))
            xa = np.array([test_scores[a][s] for s in seeds])
            xb = np.array([test_scores[b][s] for s in seeds])
            test = paired_test(xa, xb)
            better = (xa > xb) if higher else (xa < xb)
            share = float(better.mean()) if seeds else math.nan
            raw.append((a, b, test, share))
    adjusted = holm([t.p for _, _, t, _ in raw])
    return [Pair(a, b, t.n, t.mean_diff, (t.ci_low, t.ci_high), t.p, ph, share)
            for (a, b, t, share), ph in zip(raw, adjusted)]


def decide(problem: str, test_scores: dict[str, dict[int, float]], metric: str, higher: bool,
           seeds: int, protocol: str | None = None) -> Verdict:
    ranking = rank(test_scores, higher)
    all_pairs = pairs(test_scores, ranking, higher)
    if not ranking:
        return Verdict([], [], [], f"on {problem}, no loss trained to the end of its final runs")
    best = ranking[0]
    against_best = {p.b: p.p_holm for p in all_pairs if p.a == best}
    tied = tied_for_best(best, against_best)
    return Verdict(ranking, all_pairs, tied,
                   verdict_line(problem, ranking, tied, all_pairs, metric, seeds, protocol))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _p(p: float) -> str:
    if not math.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def gap(metric: str, amount: float) -> str:
    """How far behind, in the metric's own words."""
    return f"{get_metric(metric).amount(amount)} behind"


def verdict_line(problem: str, ranking: list[str], tied: list[str], all_pairs: list[Pair],
                 metric: str, seeds: int, protocol: str | None = None) -> str:
    """One quotable line that names the protocol, e.g. "on circles, bce and hinge tie
    for best (each at its own learning rate, chosen on validation; 10 paired seeds;
    Holm-adjusted); focal is 1.2 points of accuracy behind (p = 0.01)"."""
    protocol = protocol or (f"each at its own learning rate, chosen on validation; {seeds} "
                            f"paired seeds; test {metric}; Holm-adjusted")
    if len(ranking) == 1:
        return f"on {problem}, only {ranking[0]} trained to the end ({protocol})"
    if len(tied) == len(ranking):
        lead = (f"on {problem}, {'both' if len(tied) == 2 else 'all ' + str(len(tied))} "
                f"tie for best: {_names(tied)} ({protocol})")
    elif len(tied) == 1:
        lead = f"on {problem}, {tied[0]} is best ({protocol})"
    else:
        lead = f"on {problem}, {_names(tied)} tie for best ({protocol})"
    best = ranking[0]
    behind = [p for p in all_pairs if p.a == best and p.b not in tied]
    parts = [f"{p.b} is {gap(metric, p.difference)} ({_p(p.p_holm)})" for p in behind]
    parts += [f"{p.b} ties only for its spread: it is behind on all {p.n} seeds "
              f"({_p(p.p_holm)})" for p in all_pairs
              if p.a == best and p.b in tied and p.n >= MIN_SEEDS_FOR_TEST
              and p.share_a_better == 1.0]
    few = (f" — fewer than {MIN_SEEDS_FOR_TEST} seeds: the tests have little power"
           if seeds < MIN_SEEDS_FOR_TEST else "")
    return lead + "".join(f"; {part}" for part in parts) + few


__all__ = ["LEVEL", "Pair", "Verdict", "decide", "pairs", "rank", "verdict_line"]

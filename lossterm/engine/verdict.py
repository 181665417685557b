"""The one verdict: every pair of losses, Holm-adjusted, and who ties for best. Studies,
calibration, untuned multi-seed runs (``lossterm report``, ``--no-tune`` sweeps) and the
TUI's ``v`` all call :func:`decide`, so a comparison reads the same wherever it is made.

Why one engine: two once answered the same question with two wordings and three p-value
formats ("p = 0.04" in a line, "0.043" in a table), so the same runs could read as a
win in one report and a tie in another. Now every figure a person quotes comes from one
:class:`Verdict`, and every p-value is written by :func:`p_value`.

Each pair is a paired t-test over the replicates both losses trained to the end
(:func:`lossterm.engine.stats.paired_test`, why a t-test is said there); the
p-values of all pairs are adjusted together with Holm's method
(:func:`lossterm.engine.stats.holm`, why Holm and why every pair is said there). The
losses *tied for best* are the best (by mean test metric, in the metric's own
direction from :mod:`lossterm.engine.metric`) and every loss whose adjusted p against
it is not below 0.05.
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


def rank(test_scores: dict[str, dict[int, float]], metric: str) -> list[str]:
    """Losses by mean test score, best first (losses with no final score left out)."""
    higher = get_metric(metric).higher_is_better
    means = {loss: float(np.mean(list(s.values()))) for loss, s in test_scores.items() if s}
    return sorted(means, key=lambda loss: -means[loss] if higher else means[loss])


def pairs(test_scores: dict[str, dict[int, float]], ranking: list[str],
          metric: str) -> list[Pair]:
    """Every pair (a above b in the ranking), p-values Holm-adjusted as one family: the
    best is picked by its mean, so adjusting only its k - 1 comparisons would leave that
    choice out of the correction."""
    better = get_metric(metric).better
    raw = []
    for i, a in enumerate(ranking):
        for b in ranking[i + 1:]:
            seeds = sorted(set(test_scores[a]) & set(test_scores[b]))
            xa = np.array([test_scores[a][s] for s in seeds])
            xb = np.array([test_scores[b][s] for s in seeds])
            test = paired_test(xa, xb)
            wins = [better(x, y) for x, y in zip(xa, xb)]
            share = float(np.mean(wins)) if seeds else math.nan
            raw.append((a, b, test, share))
    adjusted = holm([t.p for _, _, t, _ in raw])
    return [Pair(a, b, t.n, t.mean_diff, (t.ci_low, t.ci_high), t.p, ph, share)
            for (a, b, t, share), ph in zip(raw, adjusted)]


def decide(problem: str, test_scores: dict[str, dict[int, float]], metric: str,
           seeds: int | None = None, protocol: str | None = None) -> Verdict:
    """The verdict over ``test_scores`` (loss -> replicate -> test figure in ``metric``).

    ``seeds``: the replicates planned per loss (default: the fewest any loss has);
    ``protocol``: how the figures were made, in the words the line carries beside its
    claim (default: each loss at its own rate, chosen on validation)."""
    ranking = rank(test_scores, metric)
    if seeds is None:
        seeds = min((len(s) for s in test_scores.values() if s), default=0)
    all_pairs = pairs(test_scores, ranking, metric)
    if not ranking:
        return Verdict([], [], [], f"on {problem}, no loss trained to the end of its final runs")
    best = ranking[0]
    against_best = {p.b: p.p_holm for p in all_pairs if p.a == best}
    tied = tied_for_best(best, against_best)
    return Verdict(ranking, all_pairs, tied,
                   verdict_line(problem, ranking, tied, all_pairs, metric, seeds, protocol))


def p_value(p: float) -> str:
    """A p-value as every report and screen writes it: "< 0.001" or three decimals
    ("0.043", "0.610"); "—" when there is none (fewer than two paired replicates)."""
    if not math.isfinite(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_words(p: float) -> str:
    """A p-value inside a sentence: "p < 0.001", "p = 0.043", "no p-value"."""
    if not math.isfinite(p):
        return "no p-value"
    text = p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_line(problem: str, ranking: list[str], tied: list[str], all_pairs: list[Pair],
                 metric: str, seeds: int, protocol: str | None = None) -> str:
    """One quotable line that names the protocol, e.g. "on circles, bce and hinge tie
    for best (each at its own learning rate, chosen on validation; 10 paired seeds;
    Holm-adjusted); focal is 1.2 points of accuracy behind (p = 0.012)"."""
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
    m = get_metric(metric)
    best = ranking[0]
    behind = [p for p in all_pairs if p.a == best and p.b not in tied]
    parts = [f"{p.b} is {m.amount(p.difference)} behind ({p_words(p.p_holm)})" for p in behind]
    parts += [f"{p.b} ties only for its spread: it is behind on all {p.n} seeds "
              f"({p_words(p.p_holm)})" for p in all_pairs
              if p.a == best and p.b in tied and p.n >= MIN_SEEDS_FOR_TEST
              and p.share_a_better == 1.0]
    few = (f" — fewer than {MIN_SEEDS_FOR_TEST} seeds: the tests have little power"
           if seeds < MIN_SEEDS_FOR_TEST else "")
    return lead + "".join(f"; {part}" for part in parts) + few


__all__ = ["LEVEL", "Pair", "Verdict", "decide", "p_value", "p_words", "pairs", "rank",
           "verdict_line"]

"""The one verdict: every pair of losses, Holm-adjusted, and who ties for best. Studies,
calibration, untuned multi-seed runs (``lossterm report``, ``--no-tune`` sweeps) and the
TUI's ``v`` all call :func:`decide`, so a comparison reads the same wherever it is made.

Why one engine: two once answered the same question with two wordings and three p-value
formats ("p = 0.04" in a line, "0.043" in a table), so the same runs could read as a
win in one report and a tie in another. Now every figure a person quotes comes from one
:class:`Verdict`, and every p-value is written by :func:`p_value`.

Each pair is a paired t-test over the replicates both losses trained to the end
(:func:`lossterm.analysis.stats.paired_test`, why a t-test is said there); the
p-values of all pairs are adjusted together with Holm's method
(:func:`lossterm.analysis.stats.holm`, why Holm and why every pair is said there). The
losses *tied for best* are the best (by mean test metric, in the metric's own
direction from :mod:`lossterm.core.metric`) and every loss whose adjusted p against
it is not below 0.05.

A tie is absence of evidence, so the line says how much evidence there was: for each
loss tied with the best, the difference the study could have detected (80% power,
two-sided paired t at 0.05, from the observed spread of the paired differences and
their number: :func:`lossterm.analysis.stats.detectable_difference`). Losses identical
on every replicate are said to be identical; the same non-zero difference on every
replicate is judged by an exact sign test, and says so. A loss whose replicates fall
in two groups (:func:`lossterm.analysis.stats.two_modes`: some seeds collapsed) gets a
note: its mean describes neither group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lossterm.analysis.stats import (
    IDENTICAL,
    LEVEL,
    MIN_SEEDS_FOR_TEST,
    NO_TEST,
    POWER,
    SIGN_TEST,
    T_TEST,
    Modes,
    detectable_difference,
    holm,
    paired_test,
    tied_for_best,
    two_modes,
)
from lossterm.core.metric import get_metric
from lossterm.core.words import counted


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
    method: str = T_TEST  # or SIGN_TEST, IDENTICAL, NO_TEST (lossterm.analysis.stats)
    sd: float = math.nan  # of the paired differences
    detectable: float = math.nan  # the difference 80% power reaches (t-tests only)

    @property
    def identical(self) -> bool:
        return self.method == IDENTICAL


@dataclass(frozen=True)
class Verdict:
    ranking: list[str]
    pairs: list[Pair]
    tied_for_best: list[str]
    line: str
    metric: str = ""
    modes: dict[str, Modes] = field(default_factory=dict)  # losses whose replicates split

    @property
    def notes(self) -> list[str]:
        """What the line leaves to a note: each loss whose replicates fall in two groups."""
        return [modes_note(loss, m, self.metric) for loss, m in self.modes.items()]


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
    return [Pair(a, b, t.n, t.mean_diff, (t.ci_low, t.ci_high), t.p, ph, share, t.method,
                 t.sd, detectable_difference(t.sd, t.n) if t.method == T_TEST else math.nan)
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
        return Verdict([], [], [], f"on {problem}, no loss trained to the end of its final runs",
                       metric)
    best = ranking[0]
    against_best = {p.b: p.p_holm for p in all_pairs if p.a == best}
    tied = tied_for_best(best, against_best)
    modes = {loss: m for loss in ranking
             if (m := two_modes(test_scores[loss].values())) is not None}
    return Verdict(ranking, all_pairs, tied,
                   verdict_line(problem, ranking, tied, all_pairs, metric, seeds, protocol),
                   metric, modes)


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
    protocol = protocol or (f"each at its own learning rate, chosen on validation; "
                            f"{counted(seeds, 'paired seed')}; test {metric}; Holm-adjusted")
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
    against = [p for p in all_pairs if p.a == best]
    plain = [p for p in against if p.b in tied and _plain_tie(p)]
    parts = [_behind(p, metric) for p in against if p.b not in tied]
    parts += [_tie(p, metric) for p in against if p.b in tied and p not in plain]
    parts += _detectable(metric, plain)
    # a tie that states its detectable gap has said how little the tests can see
    few = (f" — fewer than {MIN_SEEDS_FOR_TEST} seeds: the tests have little power"
           if seeds < MIN_SEEDS_FOR_TEST and not plain else "")
    return lead + "".join(f"; {part}" for part in parts) + few


def _behind(p: Pair, metric: str) -> str:
    """A loss the best beats, and on what evidence."""
    gap = get_metric(metric).amount(p.difference)
    if p.method == SIGN_TEST:
        return (f"{p.b} is {gap} behind on every seed, by the same amount each time "
                f"(exact sign test, {p_words(p.p_holm)})")
    return f"{p.b} is {gap} behind ({p_words(p.p_holm)})"


def _tie(p: Pair, metric: str) -> str:
    """A loss tied with the best, and what the tie can and cannot say."""
    m = get_metric(metric)
    if p.method == IDENTICAL:
        return f"{p.b} is identical to {p.a} on every seed"
    if p.method == NO_TEST:
        return (f"{p.b} has {p.n} paired seed{'' if p.n == 1 else 's'} with {p.a}: "
                "nothing to test")
    if p.method == SIGN_TEST:
        return (f"{p.b} is {m.amount(p.difference)} behind on all {p.n} seeds, by the same "
                f"amount each time, but an exact sign test over {p.n} gives "
                f"{p_words(p.p_holm)}: too few to claim it")
    return (f"{p.b} ties only for its spread: it is behind on all {p.n} seeds "
            f"({p_words(p.p_holm)}); the study could detect a gap of about "
            f"{m.amount(p.detectable)} at {p.n} replicates ({POWER:.0%} power)")


def _plain_tie(p: Pair) -> bool:
    """A t-tested tie that is not behind on every seed: said with the others of its kind."""
    return p.method == T_TEST and not (p.n >= MIN_SEEDS_FOR_TEST and p.share_a_better == 1.0)


def _detectable(metric: str, ties: list[Pair]) -> list[str]:
    """The t-tested ties in one clause: the gap the study could have shown, e.g. "hinge
    tied: the study could detect a gap of about 1.8 points of accuracy at 10 replicates
    (80% power)"; with several ties the range of their gaps ("gaps of about 0.4–1.8
    points ..."): each pair's differences have their own spread, and the pair table
    gives each one's."""
    if not ties:
        return []
    m = get_metric(metric)
    sizes = sorted({m.size(p.detectable) for p in ties}, key=float)
    counts = sorted({p.n for p in ties})
    at = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    unit = m.amount(ties[0].detectable).split(" ", 1)[1]  # "points of accuracy", "MSE"
    who = f"{ties[0].b} tied" if len(ties) == 1 else "tied"
    gap = (f"a gap of about {sizes[0]}" if len(sizes) == 1
           else f"gaps of about {sizes[0]}–{sizes[-1]}")
    return [f"{who}: the study could detect {gap} {unit} at {at} replicates "
            f"({POWER:.0%} power)"]


def modes_note(loss: str, modes: Modes, metric: str) -> str:
    """A loss whose replicates fall in two groups, in words (its mean describes neither)."""
    text = get_metric(metric).text
    n = len(modes.low) + len(modes.high)
    return (f"{loss}: bimodal — its {n} replicates fall in two groups, {len(modes.low)} at "
            f"about {text(sum(modes.low) / len(modes.low))} and {len(modes.high)} at about "
            f"{text(sum(modes.high) / len(modes.high))} (some seeds collapsed?); its mean "
            "describes neither")


__all__ = ["LEVEL", "POWER", "Pair", "Verdict", "decide", "modes_note", "p_value", "p_words",
           "pairs", "rank", "verdict_line"]

"""The verdict's pairs as every report shows them: one table and one JSON form, for studies
and for untuned multi-seed runs alike, with p-values written by
:func:`lossterm.analysis.verdict.p_value`. A pair identical on every seed says so where its
p-value would be; a constant difference says its p is an exact sign test's; a loss whose
replicates fall in two groups is flagged beside its mean (:func:`mean_flag`)."""

from __future__ import annotations

import math

from lossterm.analysis.stats import IDENTICAL, NO_TEST, SIGN_TEST, T_TEST, Modes, two_modes
from lossterm.analysis.verdict import Pair, Verdict, p_value
from lossterm.core.metric import get_metric

PAIR_COLUMNS = ("a", "b", "a − b", "95% CI", "p", "p (Holm)", "a better on",
                "detectable (80% power)")
PAIR_TEST = ("paired t-test (two-sided) per pair of losses, p adjusted with Holm's method; "
             "the same difference on every seed: exact sign test; every difference zero: "
             "identical, no test")
METHODS = {T_TEST: "paired t-test", SIGN_TEST: "exact sign test (the same difference on every "
           "seed)", IDENTICAL: "identical on every seed", NO_TEST: "fewer than two pairs"}
BIMODAL = "bimodal"  # the mark beside a mean whose replicates fall in two groups


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def pair_rows(verdict: Verdict, metric: str) -> list[tuple[str, ...]]:
    text = get_metric(metric).text
    return [(p.a, p.b, text(p.difference),
             "—" if math.isnan(p.ci[0]) else f"{text(p.ci[0])} to {text(p.ci[1])}",
             *_p_cells(p), f"{p.share_a_better:.0%} of {p.n}", text(p.detectable))
            for p in verdict.pairs]


def _p_cells(p: Pair) -> tuple[str, str]:
    if p.method == IDENTICAL:
        return "identical", "identical"
    sign = " (sign test)" if p.method == SIGN_TEST else ""
    return p_value(p.p) + sign, p_value(p.p_holm) + sign


def mean_flag(values) -> str:
    """Beside a mean: " (bimodal)" when the figures fall in two groups
    (:func:`lossterm.analysis.stats.two_modes`, the rule the verdict's notes use)."""
    return f" ({BIMODAL})" if two_modes(list(values)) is not None else ""


def modes_json(modes: Modes | None) -> dict | None:
    return None if modes is None else {"low": list(modes.low), "high": list(modes.high)}


def pair_json(p: Pair) -> dict:
    """A pair; ``p`` and ``p_holm`` are null when identical (there is nothing to test) or
    with fewer than two pairs; ``detectable`` is the gap 80% power reaches (t-tests)."""
    tested = p.method not in (IDENTICAL, NO_TEST)
    return {"a": p.a, "b": p.b, "n": p.n, "difference": _num(p.difference),
            "ci": [_num(p.ci[0]), _num(p.ci[1])], "p": _num(p.p) if tested else None,
            "p_holm": _num(p.p_holm) if tested else None,
            "share_a_better": _num(p.share_a_better), "test": METHODS[p.method],
            "identical": p.identical, "sd_of_differences": _num(p.sd),
            "detectable_difference": _num(p.detectable)}


def pairs_json(verdict: Verdict) -> list[dict]:
    return [pair_json(p) for p in verdict.pairs]

"""The verdict's pairs as every report shows them: one table and one JSON form, for studies
and for untuned multi-seed runs alike, with p-values written by
:func:`lossterm.engine.verdict.p_value`."""

from __future__ import annotations

import math

from lossterm.engine.metric import get_metric
from lossterm.engine.verdict import Pair, Verdict, p_value

PAIR_COLUMNS = ("a", "b", "a − b", "95% CI", "p", "p (Holm)", "a better on")
PAIR_TEST = "paired t-test (two-sided) per pair of losses, p adjusted with Holm's method"


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def pair_rows(verdict: Verdict, metric: str) -> list[tuple[str, ...]]:
    text = get_metric(metric).text
    return [(p.a, p.b, text(p.difference),
             "—" if math.isnan(p.ci[0]) else f"{text(p.ci[0])} to {text(p.ci[1])}",
             p_value(p.p), p_value(p.p_holm), f"{p.share_a_better:.0%} of {p.n}")
            for p in verdict.pairs]


def pair_json(p: Pair) -> dict:
    return {"a": p.a, "b": p.b, "n": p.n, "difference": _num(p.difference),
            "ci": [_num(p.ci[0]), _num(p.ci[1])], "p": _num(p.p), "p_holm": _num(p.p_holm),
            "share_a_better": _num(p.share_a_better)}


def pairs_json(verdict: Verdict) -> list[dict]:
    return [pair_json(p) for p in verdict.pairs]

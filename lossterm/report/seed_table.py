"""The report's seed groups (:mod:`lossterm.analysis.seed_groups`) as a table and as JSON.

A group is named by its problem, loss and the settings that tell the report's groups
apart (the learning rate always; epochs, optimizer, width, ... where two groups differ
in them), so the table stays as wide as the history needs.
"""

from __future__ import annotations

import math

from lossterm.analysis.seed_groups import SeedGroup, varying
from lossterm.analysis.stats import interval_words
from lossterm.report.rows import figure

GROUPS_TITLE = ("Seed groups: every problem, loss and settings in the history (earlier "
                "settings included), over its seeds: the last epoch's test metric")
_SHORT = {"learning_rate": "lr", "hidden_units": "width", "batch_size": "batch",
          "data": "data", "backend": "backend"}
FIGURES = ("seeds", "mean", "sd", "SE", "95% CI")


def worth_a_table(groups: list[SeedGroup]) -> bool:
    """A group table says something a run table does not once a group has two seeds."""
    return any(g.stats.n > 1 for g in groups)


def group_columns(groups: list[SeedGroup]) -> tuple[str, ...]:
    named = varying(groups, always=("learning_rate",))
    return ("problem", "loss", *(_SHORT.get(n, n) for n in named), "metric", *FIGURES)


def group_rows(groups: list[SeedGroup]) -> list[tuple[str, ...]]:
    named = varying(groups, always=("learning_rate",))
    rows = []
    for g in groups:
        s = g.stats
        seeds = str(s.n) if not g.unfinished else f"{s.n}/{s.n + g.unfinished}"
        ci = "—" if math.isnan(s.ci_low) else f"{figure(s.ci_low)}–{figure(s.ci_high)}"
        rows.append((g.problem, g.loss, *(_setting(g.settings.get(n)) for n in named),
                     g.metric, seeds, figure(s.mean), _small(s.sd), _small(s.se), ci))
    return rows


def group_notes(groups: list[SeedGroup]) -> list[str]:
    """How the figures were made, once per metric."""
    metrics = dict.fromkeys(g.metric for g in groups)
    return [f"seed groups of {m}: sd is the sample SD (n − 1), SE = sd / √n, the 95% CI is "
            f"the mean's {interval_words(m)} (Student's t, n − 1 degrees of freedom); "
            "seeds n/N: N − n runs did not train to their end and are left out"
            for m in metrics]


def groups_json(groups: list[SeedGroup]) -> list[dict]:
    out = []
    for g in groups:
        s = g.stats
        out.append({
            "problem": g.problem, "loss": g.loss, "metric": g.metric,
            "settings": dict(g.settings), "seeds": g.seeds,
            "figures": [g.figures[seed] for seed in g.seeds],
            "not_finished": g.unfinished, "n": s.n, "mean": _num(s.mean), "sd": _num(s.sd),
            "se": _num(s.se), "ci95": [_num(s.ci_low), _num(s.ci_high)],
            "ci_method": interval_words(g.metric) + " of the mean (Student's t, n − 1 df)",
        })
    return out


def _setting(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text[:10] + "…" if len(text) > 11 else text  # a data fingerprint is long


def _small(value: float) -> str:
    """A spread with enough digits to read (0.0004 is not "0.000")."""
    if not math.isfinite(value):
        return "—"
    return f"{value:.3f}" if value >= 0.01 or value == 0 else f"{value:.2g}"


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else x

"""Over-seeds content of a report: summary rows, verdicts, and their JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lossterm.analysis.arms import Arm, Comparison, arms, compare
from lossterm.analysis.stats import interval_words, two_modes
from lossterm.report.rows import figure
from lossterm.report.verdict import PAIR_TEST, mean_flag, modes_json, pair_rows, pairs_json
from lossterm.training.records import RunResult

SUMMARY_COLUMNS = ("problem", "rank", "loss", "metric", "seeds", "diverged",
                   "Train mean ± std", "Test mean ± std", "Test 95% CI")


@dataclass(frozen=True)
class Analysis:
    """What a report says over seeds, computed once per report."""

    repeated: bool  # some (problem, loss) ran more than one seed
    order: list[tuple[int | None, Arm]]  # arms in report order, with their rank
    comparisons: list[Comparison]


def analyse(results: list[RunResult]) -> Analysis:
    order, comparisons = ranked_arms(results)
    return Analysis(any(len(arm.results) > 1 for _, arm in order), order, comparisons)


def ranked_arms(results: list[RunResult]) -> tuple[list[tuple[int | None, Arm]], list[Comparison]]:
    """Arms in report order (ranked within each compared problem), and the comparisons."""
    all_arms = arms(results)
    comparisons = compare(all_arms)
    ranks = {(c.problem, a.loss): i + 1 for c in comparisons for i, a in enumerate(c.ranking)}
    order = []
    for problem in dict.fromkeys(a.problem for a in all_arms):
        group = [a for a in all_arms if a.problem == problem]
        group.sort(key=lambda a: ranks.get((a.problem, a.loss), len(group) + 1))
        order += [(ranks.get((a.problem, a.loss)), a) for a in group]
    return order, comparisons


def _pm(arm: Arm, split: str) -> str:
    s = arm.summary(split)
    if s.n == 0:
        return "—"
    flag = mean_flag(getattr(r, f"{split}_metric") for r in arm.good)
    return (figure(s.mean) if math.isnan(s.std) else f"{figure(s.mean)} ± {figure(s.std)}") + flag


def summary_row(rank: int | None, arm: Arm) -> tuple[str, ...]:
    test = arm.summary("test")
    ci = "—" if math.isnan(test.ci_low) else f"{figure(test.ci_low)}–{figure(test.ci_high)}"
    seeds = len(arm.results)
    used = len(arm.good)  # the statistics are over the seeds that trained to the end
    return (arm.problem, str(rank or ""), arm.loss, arm.metric,
            str(seeds) if used == seeds else f"{used}/{seeds}",
            str(arm.diverged), _pm(arm, "train"), _pm(arm, "test"), ci)


def verdict_lines(comparisons: list[Comparison]) -> list[str]:
    return [c.verdict.line for c in comparisons]


def verdict_notes(comparisons: list[Comparison]) -> list[str]:
    """Per problem, each loss whose seeds fall in two groups (the verdict's notes)."""
    return [f"{c.problem}/{note}" for c in comparisons for note in c.verdict.notes]


def pair_tables(comparisons: list[Comparison]) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Per compared problem, a title and the verdict's every pair (the study reports' table)."""
    return [(f"{c.problem}: every pair (paired t-test over seeds, Holm-adjusted)",
             pair_rows(c.verdict, c.metric)) for c in comparisons if c.verdict.pairs]


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def _summary_json(s, metric: str) -> dict:
    return {"n": s.n, "mean": _num(s.mean), "std": _num(s.std),
            "ci95": [_num(s.ci_low), _num(s.ci_high)], "ci_method": interval_words(metric)}


def summaries_json(analysis: Analysis) -> list[dict]:
    return [{
        "problem": arm.problem, "loss": arm.loss, "metric": arm.metric, "rank": rank,
        "seeds": [r.seed for r in arm.results], "diverged": arm.diverged,
        "train": _summary_json(arm.summary("train"), arm.metric),
        "test": _summary_json(arm.summary("test"), arm.metric),
        "test_bimodal": modes_json(two_modes([r.records[-1].test_metric for r in arm.good])),
        "curves": {k: {"mean": [_num(v) for v in c["mean"]], "std": [_num(v) for v in c["std"]]}
                   for k, c in arm.curves().items()},
    } for rank, arm in analysis.order]


def comparisons_json(analysis: Analysis) -> list[dict]:
    return [{
        "problem": c.problem, "metric": c.metric, "higher_is_better": c.higher_is_better,
        "ranking": list(c.verdict.ranking), "best": c.verdict.ranking[0],
        "tied_for_best": list(c.verdict.tied_for_best), "verdict": c.verdict.line,
        "verdict_notes": c.verdict.notes,
        "tests": PAIR_TEST, "comparisons": pairs_json(c.verdict),
    } for c in analysis.comparisons]

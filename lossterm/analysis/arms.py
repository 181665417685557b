"""Untuned multi-seed runs, grouped for a verdict: per (problem, loss) an :class:`Arm` over
its seeds, and per problem with two or more losses a :class:`Comparison` whose verdict is
:func:`lossterm.analysis.verdict.decide`'s, the same a study gets (``lossterm report``,
``--no-tune`` noise sweeps). The protocol line says the rates were not tuned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lossterm.analysis.stats import Summary, curve_stats, summarize
from lossterm.analysis.verdict import Verdict, decide
from lossterm.core.metric import higher_is_better
from lossterm.core.words import counted
from lossterm.training.records import DONE, RunResult


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
        return summarize([getattr(r, f"{split}_metric") for r in self.good], self.metric)

    def by_seed(self) -> dict[int, float]:
        return {r.seed: r.records[-1].test_metric for r in self.good}  # good runs have epochs

    def curves(self) -> dict[str, dict[str, list[float]]]:
        keys = self.good[0].history.keys() if self.good else ()
        out = {}
        for key in keys:
            mean, std, _ = curve_stats([r.history[key] for r in self.good])
            out[key] = {"mean": mean, "std": std}
        return out


@dataclass
class Comparison:
    """A problem's losses ranked as the verdict ranks them, and the verdict."""

    problem: str
    metric: str
    ranking: list[Arm]
    verdict: Verdict

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


def untuned_protocol(learning_rates: Iterable[float], seeds: int) -> str:
    """What untuned runs were, in the words a verdict line carries beside its claim."""
    rates = ", ".join(f"{lr:g}" for lr in sorted(set(learning_rates))) or "one rate"
    return (f"every loss at learning rate {rates}, not tuned; {counted(seeds, 'paired seed')}; ranked "
            "on test; Holm-adjusted")


def compare(all_arms: list[Arm]) -> list[Comparison]:
    """Per problem with two or more losses trained to the end: the one verdict."""
    comparisons = []
    for problem in dict.fromkeys(a.problem for a in all_arms):
        group = {a.loss: a for a in all_arms if a.problem == problem and a.good}
        if len(group) < 2:
            continue
        scores = {loss: arm.by_seed() for loss, arm in group.items()}
        seeds = min(len(s) for s in scores.values())
        rates = [r.learning_rate for a in group.values() for r in a.results
                 if r.learning_rate is not None]
        metric = next(iter(group.values())).metric
        verdict = decide(problem, scores, metric, seeds, untuned_protocol(rates, seeds))
        comparisons.append(Comparison(problem, metric, [group[loss] for loss in verdict.ranking],
                                      verdict))
    return comparisons


__all__ = ["Arm", "Comparison", "arms", "compare", "untuned_protocol"]

"""Runs grouped the way trackers' users ask: every stored run with the same problem, loss
and settings but the seed is one group, and its seeds' figures are summarised as n, mean,
sample SD, standard error and a 95% t interval of the mean.

Why beside the report's per-loss summaries (:mod:`lossterm.analysis.arms`): those compare
losses, so they keep one setting per (problem, loss), the latest, and a verdict never
pools two learning rates. A group is the other question, the one TensorBoard, W&B and
MLflow cannot answer (asks open since 2017: TensorBoard #376, #2464; W&B #5634; MLflow
#3762): "this setting, over its seeds, how good and how sure?", for every setting the
history holds, the earlier ones included.

The statistics are :func:`lossterm.analysis.stats.summarize`'s, the ones every mean ± CI
of a report comes from (Student's t; for a share, intersected with [0, 1]), so a group's
interval and the summaries' agree where both show the same runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lossterm.analysis.experiments import Entry, experiment_key
from lossterm.analysis.stats import summarize
from lossterm.core.types import Status
from lossterm.training.records import RunResult

NOT_SETTINGS = ("seed",)  # what varies inside a group


@dataclass(frozen=True)
class SeedStats:
    """One figure over seeds: ``sd`` with ddof 1 and ``se`` = sd / √n (both nan for one
    seed), the interval as :func:`summarize` makes it (nan below two seeds)."""

    n: int
    mean: float
    sd: float
    se: float
    ci_low: float
    ci_high: float


def seed_stats(values: Iterable[float], metric: str | None = None) -> SeedStats:
    s = summarize(values, metric)
    se = s.std / math.sqrt(s.n) if s.n > 1 else math.nan
    return SeedStats(s.n, s.mean, s.std, se, s.ci_low, s.ci_high)


@dataclass(frozen=True)
class SeedGroup:
    """One (problem, loss, settings) over its seeds. ``figures``: each seed's last-epoch
    test metric, for the runs that trained to their end (the latest run of a seed
    trained twice); ``unfinished``: the group's runs that did not (diverged, failed,
    stopped, incomplete), left out of the statistics and counted here."""

    problem: str
    loss: str
    metric: str
    settings: Mapping[str, object]
    figures: Mapping[int, float]
    unfinished: int

    def __post_init__(self):
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        object.__setattr__(self, "figures", MappingProxyType(dict(self.figures)))

    @property
    def seeds(self) -> list[int]:
        return sorted(self.figures)

    @property
    def stats(self) -> SeedStats:
        return seed_stats([self.figures[s] for s in self.seeds], self.metric)


def seed_groups(entries: Sequence[Entry]) -> list[SeedGroup]:
    """``entries`` (the store's, oldest first) as groups, in the order each group's first
    run was stored. A seed stored twice counts once, its latest run, as in the report's
    other tables (a seed counted twice would look like agreement)."""
    latest: dict[tuple[str, str, str, str], dict[int, tuple[Mapping[str, object], RunResult]]] = {}
    for _, settings, result in entries:
        key = (result.problem, result.loss, result.metric, experiment_key(settings))
        latest.setdefault(key, {})[result.seed] = (settings, result)
    groups = []
    for (problem, loss, metric, _), by_seed in latest.items():
        figures, unfinished = {}, 0
        for seed, (_, result) in by_seed.items():
            value = result.test_metric if result.status == Status.DONE else None
            if value is None or not math.isfinite(value):
                unfinished += 1
            else:
                figures[seed] = float(value)
        some = next(iter(by_seed.values()))[0]
        groups.append(SeedGroup(problem, loss, metric,
                                {k: v for k, v in some.items() if k not in NOT_SETTINGS},
                                figures, unfinished))
    return groups


def varying(groups: Sequence[SeedGroup], always: Iterable[str] = ()) -> list[str]:
    """The settings that tell apart two groups of one problem and loss (a value differs,
    or is missing in one), after ``always``: what a table must show to name each group.
    Groups of different problems or losses are told apart by those already (their data
    fingerprints and default epochs differ as a matter of course)."""
    names = dict.fromkeys(always)
    buckets: dict[tuple[str, str], list[SeedGroup]] = {}
    for group in groups:
        names.update(dict.fromkeys(group.settings))
        buckets.setdefault((group.problem, group.loss), []).append(group)
    return [n for n in names if n in always or any(
        len({repr(g.settings.get(n)) for g in bucket}) > 1 for bucket in buckets.values())]

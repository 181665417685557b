"""Budget curves: each loss's expected best validation score against the number of tuning
trials, from the trials a study already ran (Dodge et al. 2019, "Show Your Work: Improved
Reporting of Experimental Results", EMNLP).

Why: a verdict compares losses each tuned over the whole grid. A user who can afford only
one or three trials per loss may see another winner; whether the winner depends on the
budget is a known trap, and the study has already trained every trial needed to answer it.

**The estimator.** Given N trial scores v_(1) <= ... <= v_(N), the expected best of n
trials drawn at random, with replacement, from those N (the empirical distribution of the
search) is

    E[max of n] = sum_i v_(i) * ((i / N)^n - ((i - 1) / N)^n)

because the i-th smallest score is the best of n draws exactly when every draw is among
the i smallest and not every draw among the i - 1 smallest. n = 1 gives the mean score;
as n grows the weight moves onto v_(N), the best trial. Ties need no care: tied scores
share their weight between them, and the sum is the same whichever comes first. For a
lower-is-better metric (MSE) the same holds for the expected minimum, with the scores
sorted worst first.

**What a trial is.** Under the default protocol (:mod:`lossterm.analysis.study.replicated`)
every replicate of a loss trains every learning rate of the grid from its own seeds and
chooses among them on validation. A *trial* is one learning rate within one replicate, its
score that rate's validation figure in that replicate (the mean over the replicate's seeds
at that rate, as the replicate's own choice reads it): one draw of "train with a rate from
the search and read validation". A replicate that extended its grid has those extra rates
as trials too: it trained and chose among them. Each replicate's own curve is computed from
its own N trials, and a loss's curve is the **mean over its replicates** of their curves.
Not one pool of every replicate's trials: a pool of R × N draws would describe a search
nobody ran (R seeds' worth of rates), and its full budget would be R times the study's,
while a replicate is the unit the verdict compares -- the whole procedure, repeated. The
earlier shared protocol (one tuning per loss) has one replicate: the grid's points.

Read at face value, the estimator asks about a tuner who draws each trial's rate at random
from this search (grid plus extension); at n = N it is below the replicate's best trial,
since N draws with replacement rarely cover all N trials, and it reaches the best as n
grows. Validation figures only: the test split plays no part.

**A trial with no score** (a run diverged, stopped or failed) ranks below every scored
trial, as the study's own selection ranks it. It is drawn like any trial, so the chance
that all n draws found nothing is (k / N)^n for k such trials; the curve is the expected
best *given* some draw found a score, and each loss's failed trials are counted beside it.

**Leaders and the winner.** At each budget n the leader is the loss with the best expected
score (several when they tie); the winner *changes* when the leader at a small budget (1 or
3 trials) is not the leader at the full budget N (the most trials any replicate ran).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lossterm.analysis.study import LossStudy, ProblemStudy
from lossterm.core.metric import Metric, get_metric
from lossterm.core.words import counted

SMALL_BUDGETS = (1, 3)  # the budgets whose leader is compared with the full budget's
CITATION = "Dodge et al. 2019"


def expected_best(scores: Sequence[float | None], budgets: Sequence[int] | np.ndarray | int,
                  higher: bool = True) -> np.ndarray:
    """The expected best of n trials drawn with replacement from ``scores``, for each n in
    ``budgets`` (the expected minimum when ``higher`` is false). ``None`` (or NaN) is a
    trial with no score: it ranks last and the value is conditional on some draw having a
    score; NaN where every trial has none."""
    ns = np.atleast_1d(np.asarray(budgets, dtype=float))
    if ns.size and ns.min() < 1:
        raise ValueError(f"a budget is at least one trial, not {ns.min():g}")
    values = np.array([np.nan if s is None else float(s) for s in scores], dtype=float)
    total = values.size
    scored = np.sort(values[np.isfinite(values)])  # worst first once the sign is applied
    if not higher:
        scored = scored[::-1]
    failed = total - scored.size
    if scored.size == 0:
        return np.full(ns.shape, np.nan)
    ranks = np.arange(failed + 1, total + 1, dtype=float) / total  # i / N, failed below
    weights = ranks[None, :] ** ns[:, None] - (ranks - 1.0 / total)[None, :] ** ns[:, None]
    found = 1.0 - (failed / total) ** ns  # P(some draw has a score)
    return (weights @ scored) / found


def expected_best_curve(scores: Sequence[float | None], trials: int,
                        higher: bool = True) -> np.ndarray:
    """:func:`expected_best` at every budget 1 ... ``trials``."""
    return expected_best(scores, np.arange(1, trials + 1), higher)


def replicate_trials(loss: LossStudy) -> list[list[tuple[float, float | None]]]:
    """Each replicate's trials as (learning rate, validation score), rate order: every rate
    it trained, extension included. The shared protocol: its one search."""
    searches = [rep.points for rep in loss.replicates] or [loss.points]
    return [[(p.learning_rate, p.score) for p in points] for points in searches if points]


def replicate_keys(loss: LossStudy) -> list[int | None]:
    """Each replicate's seed, in :func:`replicate_trials`' order (None: the shared
    protocol's one search)."""
    return [rep.seed for rep in loss.replicates if rep.points] or [None]


def loss_curve(trials: list[list[tuple[float, float | None]]], budget: int,
               higher: bool) -> list[float | None]:
    """The mean over replicates of each replicate's curve, 1 ... ``budget`` trials
    (replicates with no scored trial left out; None where no replicate has one)."""
    curves = [expected_best_curve([s for _, s in rep], budget, higher) for rep in trials]
    curves = [c for c in curves if np.isfinite(c).all()]
    if not curves:
        return [None] * budget
    return [float(v) for v in np.mean(curves, axis=0)]


def leaders_at(curves: dict[str, list[float | None]], n: int, higher: bool) -> list[str]:
    """The losses with the best expected score at budget ``n`` (several when tied to
    rounding: the same scores give the same curve)."""
    values = {loss: v for loss, c in curves.items() if (v := c[n - 1]) is not None}
    if not values:
        return []
    best = (max if higher else min)(values.values())
    tolerance = 1e-12 * max(1.0, abs(best))
    return [loss for loss, v in values.items() if abs(v - best) <= tolerance]


@dataclass(frozen=True)
class Budget:
    """A study's budget curves, their leaders and the one line a report prints."""

    metric: str
    higher: bool
    trials: int  # the full budget: the most trials any replicate ran
    curves: dict[str, list[float | None]]  # loss -> expected best at 1 ... trials
    leaders: dict[int, list[str]]  # budget -> its leader(s)
    winner_changes: bool
    line: str
    replicates: dict[str, int] = field(default_factory=dict)  # loss -> replicates with a score
    failed: dict[str, int] = field(default_factory=dict)  # loss -> trials with no score
    scores: dict[str, list[list[tuple[float, float | None]]]] = field(default_factory=dict)
    seeds: dict[str, list[int | None]] = field(default_factory=dict)  # each replicate's

    @property
    def small_budgets(self) -> list[int]:
        return [n for n in SMALL_BUDGETS if n < self.trials]


def budget_of(study: ProblemStudy) -> Budget | None:
    """The study's budget curves; None for a study with fewer than two losses or whose
    replicates ran a single trial each (nothing to compare, no budget to vary)."""
    scores = {s.loss: replicate_trials(s) for s in study.losses}
    trials = max((len(rep) for reps in scores.values() for rep in reps), default=0)
    if len(scores) < 2 or trials < 2:
        return None
    curves = {loss: loss_curve(reps, trials, study.higher) for loss, reps in scores.items()}
    budgets = [n for n in SMALL_BUDGETS if n < trials] + [trials]
    leaders = {n: leaders_at(curves, n, study.higher) for n in range(1, trials + 1)}
    full = set(leaders[trials])
    changes = any(set(leaders[n]) != full for n in budgets[:-1])
    failed = {loss: sum(s is None for rep in reps for _, s in rep) for loss, reps in scores.items()}
    line = budget_line(study.metric, study.higher, curves, leaders, budgets, changes,
                       _replicate_count(scores))
    if any(failed.values()):
        line += "; trials with no score (a run did not train to the end; ranked last): " + ", ".join(
            f"{loss} {k} of {sum(map(len, scores[loss]))}" for loss, k in failed.items() if k)
    return Budget(
        study.metric, study.higher, trials, curves, leaders, changes, line,
        replicates={loss: sum(any(s is not None for _, s in rep) for rep in reps)
                    for loss, reps in scores.items()},
        failed=failed, scores=scores,
        seeds={s.loss: replicate_keys(s) for s in study.losses})


def _replicate_count(scores: dict[str, list[list]]) -> int:
    return max(len(reps) for reps in scores.values())


def budget_line(metric: str, higher: bool, curves: dict[str, list[float | None]],
                leaders: dict[int, list[str]], budgets: list[int], changes: bool,
                replicates: int) -> str:
    """One sentence: who leads at each small budget and at the full one, by how much, and
    whether the winner changes. E.g. "expected best validation accuracy by tuning budget
    (Dodge et al. 2019; mean over 10 replicates): at 1 trial gce leads (0.712 vs cce
    0.695); at 3 cce (0.853 vs gce 0.841); at all 11 cce (0.912 vs gce 0.874): the winner
    changes between small and full budgets"."""
    m = get_metric(metric)
    parts = []
    for i, n in enumerate(budgets):
        size = counted(n, "trial") if i == 0 else (f"all {n}" if n == budgets[-1] else str(n))
        parts.append(f"at {size} {_lead(curves, leaders[n], n, m, higher)}")
    if not changes:
        end = "the winner does not change between small and full budgets"
    else:
        end = "the winner changes between small and full budgets"
    return (f"expected best validation {m.title} by tuning budget ({CITATION}; mean over "
            f"{counted(replicates, 'replicate')}): " + "; ".join(parts) + ": " + end)


def _lead(curves: dict[str, list[float | None]], leaders: list[str], n: int, m: Metric,
          higher: bool) -> str:
    """'cce leads (0.912 vs gce 0.874)', or 'cce and gce tie (0.912)'."""
    if not leaders:
        return "no loss has a score"
    best = curves[leaders[0]][n - 1]
    others = [(loss, v) for loss, c in curves.items()
              if loss not in leaders and (v := c[n - 1]) is not None]
    runner = ""
    if others:
        loss, v = (max if higher else min)(others, key=lambda o: o[1])
        runner = f" vs {loss} {m.text(v)}"
    if len(leaders) > 1:
        names = ", ".join(leaders[:-1]) + " and " + leaders[-1]
        return f"{names} tie ({m.text(best)}{runner})"
    return f"{leaders[0]} leads ({m.text(best)}{runner})"


def budget_json(budget: Budget | None) -> dict | None:
    """The JSON section: every figure a number or null; budgets as string keys."""
    if budget is None:
        return None
    return {
        "trials": budget.trials, "estimator": f"{CITATION}: expected best of n trials drawn "
        "with replacement from each replicate's trials (one learning rate = one trial, its "
        "validation score), mean over replicates",
        "curves": budget.curves,
        "leader_by_budget": {str(n): names for n, names in budget.leaders.items()},
        "small_budgets": budget.small_budgets,
        "winner_changes": budget.winner_changes, "line": budget.line,
        "replicates": budget.replicates, "failed_trials": budget.failed,
        "trial_scores": {loss: [{"replicate": seed, "trials": [[lr, _finite(s)] for lr, s in rep]}
                                for seed, rep in zip(budget.seeds[loss], reps)]
                         for loss, reps in budget.scores.items()},
    }


def _finite(v: float | None) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)

"""Calibration: how often the study's protocol claims a difference where there is none.

A verdict says "Holm keeps the chance of any false claim at 5%". That is a claim
about the whole procedure -- tuning, checkpoints, seeds, the paired test -- and it
can be measured on the user's own problem: an **A/A study** compares a loss with
itself, each arm from its own independent seeds, under exactly the protocol a real
study runs. Any verdict that names one arm better is a false claim. Run N of them
(each with new seeds and, unless the validation rows were fixed by the data, a new
validation draw) and the share that claim a difference is the protocol's observed
false-claim rate, with an exact binomial (Clopper-Pearson) 95% interval beside the
level it states.

With two arms a study makes one comparison, so its false-claim rate is the test's
own level; Holm keeps the family's rate at or below that level when a study has
more losses.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from lossterm.analysis.stats import LEVEL
from lossterm.analysis.study.protocol import Protocol
from lossterm.analysis.study.run import default_trainer, study_problem
from lossterm.analysis.verdict import decide
from lossterm.core.errors import UsageError
from lossterm.data.split import validation_rows
from lossterm.training.records import Job

STUDY_STRIDE = 100_000  # A/A study i trains seeds base + 100000 i + ...
COPY_OFFSET = 50_000  # ... and its second arm seeds 50000 beyond its first's


@dataclass(frozen=True)
class AAStudy:
    """One A/A study: the paired difference of the arms and whether a claim was made."""

    index: int
    seed: int  # the first arm's base seed (the second's is COPY_OFFSET beyond)
    data_seed: int  # the validation draw
    n: int  # replicates with a test figure in both arms
    difference: float  # mean of first - second over those replicates
    p: float  # the verdict's (Holm-adjusted: one pair, so the raw) p
    claimed: bool  # the verdict named one arm better
    chosen_rates: tuple[tuple[float | None, float | None], ...]  # per replicate, both arms


@dataclass
class Calibration:
    """N A/A studies of ``loss`` against itself on ``problem`` under ``protocol``."""

    problem: str
    loss: str
    metric: str
    protocol: Protocol
    varied_validation: bool
    studies: list[AAStudy] = field(default_factory=list)
    seconds: float = 0.0
    level: float = round(1 - LEVEL, 12)

    @property
    def claims(self) -> int:
        return sum(s.claimed for s in self.studies)

    @property
    def rate(self) -> float:
        return self.claims / len(self.studies) if self.studies else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        """Clopper-Pearson (exact binomial) 95% interval of the false-claim rate."""
        if not self.studies:
            return math.nan, math.nan
        from scipy.stats import binomtest

        ci = binomtest(self.claims, len(self.studies)).proportion_ci(LEVEL, method="exact")
        return float(ci.low), float(ci.high)

    @property
    def disagreeing_rates(self) -> int:
        """Replicates (over all studies) where the two arms chose different rates: the
        selection's own randomness, which the replicates carry."""
        return sum(a != b for s in self.studies for a, b in s.chosen_rates)

    @property
    def line(self) -> str:
        n = len(self.studies)
        low, high = self.interval
        within = "within" if self.rate <= self.level or low <= self.level else "ABOVE"
        return (f"A/A calibration on {self.problem}: {self.loss} against itself, {n} studies "
                f"(independent seeds; {'a new' if self.varied_validation else 'the same'} "
                f"validation draw each): {self.claims} claimed a difference "
                f"({self.rate:.1%}, 95% CI {low:.1%}–{high:.1%}); stated level "
                f"{self.level:.0%} — {within} it")


def calibrate(job: Job, protocol: Protocol, studies: int, *, data_seed: int = 0,
              held: np.ndarray | None = None, trainer=None,
              on_study: Callable[[Calibration], None] | None = None) -> Calibration:
    """``studies`` A/A studies of ``job``'s loss against itself on ``job``'s problem.

    Study i's first arm trains from base seed ``job.seed + 100000 i``, its second from
    50000 beyond that (independent draws of weights and shuffles, and of the selection
    they make); its validation rows are drawn with ``data_seed + i`` unless ``held``
    fixes them (``--split-column``). ``on_study`` is called with the calibration so far
    after each study. The trainer is a study's (see :func:`lossterm.api.study`).
    """

    if studies < 1:
        raise UsageError("{field} needs at least 1 study (20 or more to say much)",
                         field="calibrate")
    protocol.check_for_study()
    metric = protocol.metric_for(job.problem.kind)
    result = Calibration(job.problem.name, job.loss.name, metric, protocol,
                         varied_validation=held is None)
    tick = time.perf_counter()
    for i in range(studies):
        base = job.seed + STUDY_STRIDE * i
        rows = held if held is not None else validation_rows(
            job.problem, protocol.validation_share, data_seed + i)
        copy = replace(job.loss, name=f"{job.loss.name}′")  # its own population and label
        arms = [replace(job, seed=base), replace(job, loss=copy, seed=base + COPY_OFFSET)]
        study = study_problem(arms, protocol, rows, trainer or default_trainer)
        result.studies.append(_judge(i, base, data_seed + i, study, metric))
        result.seconds = time.perf_counter() - tick
        if on_study is not None:
            on_study(result)
    return result


def _judge(index: int, base: int, data_seed: int, study, metric: str) -> AAStudy:
    """The A/A verdict: the arms paired by replicate (their seeds differ by design)."""
    first, second = study.losses
    a, b = _by_replicate(first, base), _by_replicate(second, base + COPY_OFFSET)
    scores = {"first": a, "second": b}
    verdict = decide(study.problem, scores, metric, study.protocol.seeds)
    shared = sorted(set(a) & set(b))
    pair = verdict.pairs[0] if verdict.pairs else None
    p = pair.p_holm if pair is not None else math.nan
    rate_a = {r.seed - base: r.chosen_learning_rate for r in first.replicates}
    rate_b = {r.seed - base - COPY_OFFSET: r.chosen_learning_rate for r in second.replicates}
    rates = tuple((rate_a[k], rate_b.get(k)) for k in sorted(rate_a))  # paired by replicate
    if not first.replicates:  # shared selection: one choice per arm, for every seed
        rates = ((first.chosen_learning_rate, second.chosen_learning_rate),)
    return AAStudy(index, base, data_seed, len(shared),
                   float(np.mean([a[k] - b[k] for k in shared])) if shared else math.nan,
                   p, len(verdict.tied_for_best) < 2, rates)


def _by_replicate(loss, base: int) -> dict[int, float]:
    """Test figures keyed by replicate (0, 1, ...) rather than by seed: the two arms of
    an A/A study train different seeds (replicate r's, or final seed r's, is base + r)."""
    return {seed - base: value for seed, value in loss.test.items()}

"""What a robustness sweep found: its points, each loss's curve, and the protocol in words.

:class:`NoiseSweep` is the result :func:`lossterm.analysis.study.noise.sweep_jobs`
returns; :meth:`NoiseSweep.series` is the curve per loss that reports and the TUI
draw (clean-test metric, mean, sd and 95% t-interval over the seeds, at each rate).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lossterm.analysis.arms import Comparison, arms
from lossterm.analysis.stats import interval_words, summarize
from lossterm.analysis.study.protocol import REPLICATE, Protocol
from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.verdict import Verdict
from lossterm.core.words import counted
from lossterm.data.perturb import NOISE_DEFINITIONS
from lossterm.training.records import RunResult


@dataclass(frozen=True)
class SeriesPoint:
    """One loss at one noise rate: its clean-test metric over the final seeds."""

    rate: float
    mean: float  # nan when no seed trained to the end
    sd: float  # sample sd (ddof 1); nan under two seeds
    ci_low: float  # 95% interval of the mean (stats.summarize); nan under two seeds
    ci_high: float
    n: int  # seeds behind the figures


@dataclass(frozen=True)
class Series:
    """A loss's robustness curve: its clean-test metric at each rate of the sweep."""

    loss: str
    points: tuple[SeriesPoint, ...]

    @property
    def rates(self) -> list[float]:
        return [p.rate for p in self.points]

    @property
    def means(self) -> list[float]:
        return [p.mean for p in self.points]


@dataclass
class SweepPoint:
    """The comparison at one noise rate: a study, or the untuned runs and their comparison."""

    rate: float
    problem: str  # the noisy problem's name, e.g. 'digits+noise0.2'
    flipped: int  # training labels flipped (validation rows included)
    training_rows: int  # before a study carves its validation rows
    seconds: float
    study: ProblemStudy | None = None
    results: list[RunResult] = field(default_factory=list)  # untuned: every run
    comparison: Comparison | None = None  # untuned

    @property
    def tuned(self) -> bool:
        return self.study is not None

    def scores(self) -> dict[str, dict[int, float]]:
        """Per loss, seed -> clean-test metric (runs that did not train to the end left out)."""
        if self.study is not None:
            return {s.loss: dict(s.test) for s in self.study.losses}

        return {arm.loss: arm.by_seed() for arm in arms(self.results)}

    @property
    def verdict(self) -> Verdict | None:
        """The point's verdict: its study's, or its untuned comparison's (one verdict
        engine, :func:`lossterm.analysis.verdict.decide`, for both)."""
        if self.study is not None:
            return self.study.verdict
        return None if self.comparison is None else self.comparison.verdict

    @property
    def verdict_lines(self) -> list[str]:
        return [] if self.verdict is None else [self.verdict.line]

    def tied_for_best(self) -> list[str]:
        """The losses the point cannot tell from its best (the verdict's tied set)."""
        return [] if self.verdict is None else list(self.verdict.tied_for_best)

    def chosen_learning_rates(self) -> dict[str, float | None]:
        """Per loss, the rate its study chose (empty for an untuned point)."""
        if self.study is None:
            return {}
        return {s.loss: s.chosen_learning_rate for s in self.study.losses}


@dataclass
class NoiseSweep:
    """A robustness sweep of one problem: the comparison at each label-noise rate."""

    problem: str  # the clean problem's name
    kind: str  # binary or multiclass
    n_classes: int
    noise_kind: str  # symmetric or asymmetric
    rates: tuple[float, ...]  # ascending
    tuned: bool  # each point a fair study (else the untuned comparison)
    metric: str
    higher: bool
    losses: list[str]
    seeds: list[int]  # the final (or untuned) seeds, the same at every rate
    tuning_seeds: list[int]  # tuned only
    protocol: Protocol
    learning_rates: tuple[float, ...]  # untuned: the one rate per loss; tuned: ()
    data_seed: int
    rows: dict[str, int]  # training (noisy, validation included), test (clean)
    points: list[SweepPoint] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stopped: bool = False  # the stop event ended it: ``points`` are the rates done

    def point(self, rate: float) -> SweepPoint:
        return next(p for p in self.points if p.rate == rate)

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.points)

    def series(self) -> list[Series]:
        """Per loss (in the request's order), its clean-test metric at each rate done:
        mean, sd and 95% t-interval over the seeds."""
        out = []
        for loss in self.losses:
            points = []
            for p in self.points:
                s = summarize(list(p.scores().get(loss, {}).values()), self.metric)
                points.append(SeriesPoint(p.rate, s.mean, s.std, s.ci_low, s.ci_high, s.n))
            out.append(Series(loss, tuple(points)))
        return out

    def protocol_lines(self) -> list[str]:
        """What each point did, one item a line (the reports' protocol block)."""
        p = self.protocol
        rates = ", ".join(f"{r:g}" for r in self.rates)
        if self.tuned and p.selection == REPLICATE:
            per_rate = (f"{p.tune_seeds} seeds per rate, the replicate's figure their mean"
                        if p.tune_seeds > 1 else "one model per rate")
            how = (f"each point is a fair study of {p.seeds} paired replicates: each replicate "
                   f"trains every rate of the grid ({per_rate}) and chooses its learning rate "
                   f"and checkpoint ('{p.checkpoint}') on that point's noisy validation rows; "
                   "its chosen model is scored on the clean test rows once")
        elif self.tuned:  # the shared protocol
            how = (f"each point is a fair study: every loss's learning rate tuned on that "
                   f"point's noisy validation rows ({p.tune_seeds} tuning "
                   f"seed{'s' if p.tune_seeds > 1 else ''} per rate, "
                   f"checkpoint '{p.checkpoint}' chosen on validation), then {p.seeds} paired "
                   "final seeds at the chosen rate; test read once per final model")
        if self.tuned:
            splits = (f"splits: test rows clean ({self.rows['test']}, never perturbed); the "
                      f"{self.rows['training']} training rows noisy, and the validation rows "
                      f"({p.validation_share:.0%} of them, carved after the flips) as noisy as "
                      "the rest")
            seeds = ((f"seeds: the same at every rate: replicates {_seeds(self.seeds)}"
                      if p.selection == REPLICATE else
                      f"seeds: the same at every rate: final {_seeds(self.seeds)}, tuning "
                      f"{_seeds(self.tuning_seeds)}") + "; paired across losses and across rates")
        else:
            lrs = "/".join(f"{lr:g}" for lr in self.learning_rates)
            how = (f"each point is the untuned comparison (--no-tune): every loss at learning "
                   f"rate {lrs}, {counted(len(self.seeds), 'paired seed')}, the last epoch's weights; "
                   "nothing chosen, no validation split")
            splits = (f"splits: test rows clean ({self.rows['test']}, never perturbed); the "
                      f"{self.rows['training']} training rows noisy")
            seeds = (f"seeds: the same at every rate ({_seeds(self.seeds)}); paired across "
                     "losses and across rates")
        return [
            how,
            (f"noise: {self.noise_kind} — {NOISE_DEFINITIONS[self.noise_kind]}"
             + ("; on two classes both kinds swap 0 and 1" if self.n_classes == 2 else "")),
            (f"rates: {rates}; the rows flipped at a lower rate are among those flipped at a "
             f"higher one, flipped the same way (data seed {self.data_seed})"),
            splits,
            seeds,
            (f"curve: clean-test {self.metric} ({'higher' if self.higher else 'lower'} is "
             f"better), mean ± sd over the seeds, {interval_words(self.metric)}"),
            "verdict per point: paired t-tests over seeds, Holm-adjusted"
            + (", losses tied for best named" if self.tuned else
               ", the best against each other loss"),
            f"runs: {sum(_runs(pt) for pt in self.points)} in {self.seconds:.1f} s"
            + (f"; stopped after {len(self.points)} of {len(self.rates)} rates"
               if self.stopped else ""),
        ]


def _seeds(seeds: list[int]) -> str:
    if not seeds:
        return "—"
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}"


def _runs(point: SweepPoint) -> int:
    return sum(point.study.runs.values()) if point.study is not None else len(point.results)

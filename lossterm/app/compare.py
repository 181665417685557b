"""What the compare screen shows, as plain data: built from a study or from multi-seed runs.

No Textual here, so the rules (which losses tie, what the protocol line says,
which rows the table has) are tested without an app. A study gives the whole
picture: learning rates chosen on validation, the isolation curve, the metric
matrix. Multi-seed runs of one untuned learning rate get the same ranking and
Holm-adjusted tests, and a protocol line that says they were not tuned.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from lossterm.analysis.arms import untuned_protocol
from lossterm.analysis.stats import T_TEST, summarize
from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.analysis.verdict import decide
from lossterm.app.state import _short_name
from lossterm.core.metric import higher_is_better, is_share
from lossterm.core.words import counted
from lossterm.training.records import DONE, RunResult


@dataclass(frozen=True)
class Row:
    """One loss in the ranked table."""

    rank: int
    loss: str
    learning_rate: float | None
    n: int  # final seeds that trained to the end
    mean: float
    sd: float
    ci: tuple[float, float]
    p_holm: float | None  # against the best; None for the best itself
    tied: bool  # tied for best
    lost: int = 0  # final seeds that diverged or failed
    test: str = T_TEST  # how the p against the best was made (or SIGN_TEST, IDENTICAL, ...)
    bimodal: bool = False  # its seeds fall in two groups (lossterm.analysis.stats.two_modes)


@dataclass(frozen=True)
class Band:
    """A held-out curve over seeds: per epoch, the mean and the min-max band."""

    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    @classmethod
    def of(cls, series: list[list[float]]) -> Band | None:
        longest = max((len(s) for s in series), default=0)
        if not longest:
            return None
        cols = [np.array([s[e] for s in series if len(s) > e], dtype=float)
                for e in range(longest)]
        return cls(tuple(float(c.mean()) for c in cols), tuple(float(c.min()) for c in cols),
                   tuple(float(c.max()) for c in cols))


@dataclass(frozen=True)
class CompareView:
    problem: str
    metric: str
    higher: bool
    tuned: bool
    verdict: str
    protocol: tuple[str, ...]
    rows: tuple[Row, ...]
    curve_split: str  # what the curves are scored on: "validation" (studies) or "test"
    curves: dict[str, Band] = field(default_factory=dict)
    # per loss, each final seed's per-epoch figures: (train series, held-out series)
    series: dict[str, tuple[list[list[float]], list[list[float]]]] = field(default_factory=dict)
    isolation: dict[str, tuple[tuple[float, float | None], ...]] = field(default_factory=dict)
    chosen: dict[str, float] = field(default_factory=dict)
    matrix: dict[str, dict[str, float | None]] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)  # metric -> why
    warnings: tuple[str, ...] = ()
    # a noise sweep: per loss, (noise rate, clean-test mean, 95% CI low, high) at each rate
    robustness: dict[str, tuple[tuple[float, float, float, float], ...]] = field(
        default_factory=dict)
    noise_kind: str = ""  # "symmetric" or "asymmetric" label noise, with a sweep
    # a noise sweep's table instead of the ranked one: a header row, then one row per loss
    rates_table: tuple[tuple[str, ...], ...] = ()

    @property
    def tied(self) -> list[str]:
        return [r.loss for r in self.rows if r.tied]


def _rows(verdict, scores, rates, lost) -> tuple[Row, ...]:
    ranking = verdict.ranking
    best = ranking[0] if ranking else None
    against = {p.b: p for p in verdict.pairs if p.a == best}
    rows = []
    for i, loss in enumerate(ranking, 1):
        s = summarize(list(scores[loss].values()), verdict.metric)
        pair = against.get(loss)
        rows.append(Row(i, loss, rates.get(loss), s.n, s.mean, s.std, (s.ci_low, s.ci_high),
                        None if pair is None else pair.p_holm, loss in verdict.tied_for_best,
                        lost.get(loss, 0), T_TEST if pair is None else pair.method,
                        loss in verdict.modes))
    return tuple(rows)


def from_study(study: ProblemStudy) -> CompareView:
    """The view of a finished :class:`~lossterm.analysis.study.ProblemStudy`."""
    v = study.verdict
    scores = {s.loss: dict(s.test) for s in study.losses}
    rates = {s.loss: s.chosen_learning_rate for s in study.losses
             if s.chosen_learning_rate is not None}
    lost = {s.loss: sum(r.status != DONE for r in s.final) for s in study.losses}
    matrix: dict[str, dict[str, float | None]] = {}
    na: dict[str, str] = {}
    for s in study.losses:
        seeds = list(s.test_metrics.values())
        names = list(dict.fromkeys(k for m in seeds for k in m))
        matrix[s.loss] = {k: _mean([m.get(k) for m in seeds]) for k in names}
        na.update(s.not_applicable)
    protocol = _study_protocol(study)
    return CompareView(
        problem=study.problem, metric=study.metric, higher=study.higher, tuned=True,
        verdict=v.line, protocol=protocol,
        rows=_rows(v, scores, rates, lost),
        curve_split="validation",
        curves={s.loss: b for s in study.losses
                if (b := Band.of([[r.test_metric for r in run.records] for run in s.final
                                  if run.records])) is not None},
        series={s.loss: ([[r.train_metric for r in run.records] for run in s.final],
                         [[r.test_metric for r in run.records] for run in s.final])
                for s in study.losses if s.final},
        isolation={s.loss: tuple(s.validation_curve) for s in study.losses},
        chosen=rates, matrix=matrix, not_applicable=na,
        warnings=tuple(study.warnings) + tuple(s.warning for s in study.losses if s.warning)
        + tuple(v.notes),
    )


def _study_protocol(study) -> tuple[str, ...]:
    """The protocol in two lines: how rates were chosen, and what was compared."""
    p, grid, rows = study.protocol, study.grid, study.rows
    rates = f"{len(grid)} rates {grid[0]:g}–{grid[-1]:g} (log)"
    if p.selection == "replicate":
        return (f"each loss at its own learning rate: {p.seeds} paired replicates, each "
                f"trains {rates} from its own seed and chooses on validation "
                f"({rows.get('validation', 0)} rows; {p.checkpoint} epoch)",
                f"test ({rows.get('test', 0)} rows) read once per replicate's chosen model; "
                "paired over replicates; pairs Holm-adjusted")
    return (f"each loss at its own learning rate: {rates}, "
            f"{counted(len(study.tuning_seeds), 'tuning seed')}, scored on validation "
            f"({rows.get('validation', 0)} rows)",
            f"checkpoint: {p.checkpoint} epoch on validation; then "
            f"{counted(len(study.final_seeds), 'paired seed')} per loss, test "
            f"({rows.get('test', 0)} rows) read once; pairs Holm-adjusted")


def paired_runs(results: list[RunResult]) -> tuple[list[RunResult], dict[str, int]]:
    """The runs that trained to the end on a seed every such loss trained to the end (what
    a paired test may use), and per loss how many seeds were lost (diverged, failed)."""
    good = [r for r in results if r.status == DONE and r.records]
    seeds = [{r.seed for r in good if r.loss == loss} for loss in dict.fromkeys(
        r.loss for r in good)]
    shared = set.intersection(*seeds) if seeds else set()
    lost: dict[str, int] = {}
    for r in results:
        if not (r.status == DONE and r.records):
            lost[r.loss] = lost.get(r.loss, 0) + 1
    return [r for r in good if r.seed in shared], lost


def from_runs(problem: str, results: list[RunResult], settings: str = ""
              ) -> CompareView | None:
    """The view of finished multi-seed runs of ``problem`` at one untuned learning rate,
    over the seeds every loss trained to the end (None with fewer than two losses
    there). ``results`` are one experiment's (the TUI's ``v`` groups them:
    :mod:`lossterm.app.groups`); ``settings`` says which, in a protocol line."""

    mine = [r for r in results if r.problem == problem]
    paired, lost = paired_runs(mine)
    scores: dict[str, dict[int, float]] = {}
    curves: dict[str, list[list[float]]] = {}
    trains: dict[str, list[list[float]]] = {}
    for r in paired:
        scores.setdefault(r.loss, {})[r.seed] = r.records[-1].test_metric  # paired: it has them
        curves.setdefault(r.loss, []).append([e.test_metric for e in r.records])
        trains.setdefault(r.loss, []).append([e.train_metric for e in r.records])
    if len(scores) < 2:
        return None
    metric = mine[0].metric
    higher = higher_is_better(metric)
    seeds = min(len(s) for s in scores.values())
    protocol_words = untuned_protocol([r.learning_rate for r in mine
                                       if r.learning_rate is not None], seeds)
    v = decide(problem, scores, metric, seeds, protocol=protocol_words)
    return CompareView(
        problem=problem, metric=metric, higher=higher, tuned=False, verdict=v.line,
        # which runs these are first: the verdict line already says the protocol words
        protocol=(*([settings] if settings else ()), protocol_words,
                  "not a fair study: one learning rate can favour some losses — "
                  "press S to tune each loss's rate on validation"),
        rows=_rows(v, scores, {r.loss: r.learning_rate for r in mine if r.learning_rate}, lost),
        warnings=tuple(v.notes),
        curve_split="test",
        curves={loss: b for loss, series in curves.items() if (b := Band.of(series))},
        series={loss: (trains[loss], curves[loss]) for loss in curves},
    )


def from_sweep(sweep: NoiseSweep) -> CompareView | None:
    """The view of a :class:`~lossterm.analysis.study.noise.NoiseSweep`: the robustness curves,
    a verdict line per noise rate, and below them the highest rate's comparison (its
    ranked table, isolation plot, curves and metric matrix). None before any point ended."""
    if not sweep.points:
        return None
    last = sweep.points[-1]
    base: CompareView | None
    if last.study is not None:
        base = from_study(last.study)
    else:
        base = from_runs(last.problem, last.results)
    if base is None:
        return None
    series = sweep.series()
    robustness = {s.loss: tuple((p.rate, p.mean, p.ci_low, p.ci_high) for p in s.points)
                  for s in series}
    verdict = "\n".join(_point_line(p, sweep.higher) for p in sweep.points)
    stopped = (f"stopped after {len(sweep.points)} of {len(sweep.rates)} rates; "
               if sweep.stopped else "")
    protocol = (f"robustness of {sweep.problem} to {sweep.noise_kind} label noise: clean-test "
                f"{sweep.metric} at each rate (★ tied for best there); {stopped}"
                + (f"p's isolation plot and curves and m's matrix are noise {last.rate:g}'s"
                   if last.study is not None else f"p's curves are noise {last.rate:g}'s")
                + f"; rows ranked by the mean at noise {last.rate:g}, the highest rate",
                *sweep.protocol_lines(),
                *(f"noise {p.rate:g}: {line}" for p in sweep.points for line in p.verdict_lines))
    tied = {p.rate: set(p.tied_for_best()) for p in sweep.points}
    cells = {s.loss: {p.rate: (p.mean, p.sd) for p in s.points} for s in series}
    table = sweep_table(sweep.metric, sweep.higher, [p.rate for p in sweep.points], cells, tied)
    return replace(base, problem=sweep.problem, verdict=verdict, protocol=protocol,
                   robustness=robustness, noise_kind=sweep.noise_kind, rates_table=table,
                   warnings=tuple(sweep.warnings) + base.warnings)


def sweep_table(metric: str, higher: bool, rates: Sequence[float],
                cells: Mapping[str, Mapping[float, tuple[float, float]]],
                tied: Mapping[float, Collection[str]]) -> tuple[tuple[str, ...], ...]:
    """A noise sweep's table: a header row, then per loss its mean ± sd at each rate (★ tied
    for best there), ranked by the mean at the last (highest) rate — the header's loss
    column says so, as the robustness that matters most is where the noise is worst."""
    last = rates[-1]
    rank = sorted(cells, key=lambda loss: _sort_key(cells[loss].get(last, (math.nan,))[0],
                                                  higher))
    header = ("#", f"loss (by noise {last:g})", *(f"noise {r:g}" for r in rates))
    rows = tuple((str(i), loss, *(_cell(metric, *cells[loss].get(r, (math.nan, math.nan)),
                                        loss in tied.get(r, ())) for r in rates))
                 for i, loss in enumerate(rank, 1))
    return (header, *rows)


def _short(loss: str) -> str:
    return _short_name(loss)


def _point_line(point, higher: bool) -> str:
    """One rate's verdict in a line: who ties for best there, who is behind."""
    scores = point.scores()
    tied = point.tied_for_best()
    behind = sorted((loss for loss in scores if loss not in tied),
                    key=lambda loss: _sort_key(_mean(list(scores[loss].values())), higher))
    if not behind:
        return (f"noise {point.rate:g}: "
                + ("both tie" if len(tied) == 2 else f"all {len(tied)} tie") + " for best")
    lead = (f"{_short(tied[0])} is best" if len(tied) == 1 else
            f"{', '.join(map(_short, tied))} tie for best")
    return f"noise {point.rate:g}: {lead}; behind: {', '.join(map(_short, behind))}"


def _sort_key(mean: float | None, higher: bool) -> float:
    if mean is None or not math.isfinite(mean):
        return math.inf
    return -mean if higher else mean


def _cell(metric: str, mean: float, sd: float, tied: bool) -> str:
    if not math.isfinite(mean):
        return "—"
    share = is_share(metric)
    text = f"{mean:.3f}" if share else f"{mean:.3g}"
    if math.isfinite(sd):  # tight, so four rates fit 80 columns
        text += f"±{sd:.3f}" if share else f"±{sd:.2g}"
    return text + ("★" if tied else " ")


def _mean(values) -> float | None:
    good = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(good)) if good and len(good) == len(values) else None

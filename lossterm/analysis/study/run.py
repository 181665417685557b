"""Running a study: each loss's learning rate and checkpoint chosen on validation, the test
split read once per final model, a verdict over paired replicates.

The default protocol (``Protocol.selection = "replicate"``), per problem:

1. **replicates**: for every loss, replicate r (seed base + r, the same for every
   loss: paired) trains every rate of the grid from its own seeds on the tuning view
   (training rows less validation); all of a loss's replicates x rates train as one
   population, every loss in one call;
2. **extension**: a replicate whose best rate is at an edge of the grid tries
   ``extend_points`` more rates beyond it, once;
3. **choice**: each replicate chooses its rate (and each run its checkpoint) on the
   validation rows only; its chosen model(s) are its final model(s);
4. **test**: each chosen model's kept weights scored on the test rows, once; the
   verdict is a paired test over the replicates' test figures.

Why the choice sits inside the replicate: :mod:`.replicate`. The earlier protocol
(``"shared"``: one tuning, then final seeds at the chosen rates) stays for the
benchmarks that measure both.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from lossterm.analysis.study.protocol import (
    REPLICATE,
    Protocol,
    extension,
)
from lossterm.analysis.study.replicate import (
    Replicate,
    chosen_counts,
    mean_metrics,
    modal_index,
    pooled_points,
    replicate_seeds,
)
from lossterm.analysis.study.tuning import (
    GridPoint,
    Scoring,
    choose,
    edge,
    run_score,
    score_points,
)
from lossterm.analysis.verdict import Verdict, decide
from lossterm.core.errors import UsageError
from lossterm.core.metric import checkpoint_metric, higher_is_better
from lossterm.data.problems import Problem
from lossterm.data.split import tuning_view, validation_rows
from lossterm.losses.catalogue import get_loss
from lossterm.metrics.matrix import METRICS, NOT_A_PROBABILITY, metric_names_for
from lossterm.training.evaluate import scores_on
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.records import Job, RunResult
from lossterm.training.scheduler import sweep

TUNING, EXTENDED, FINAL = "tuning", "tuning (extended)", "final"


@dataclass(frozen=True)
class Phase:
    """What a trainer is asked to run: for progress lines, and the checkpoint it keeps."""

    name: str  # TUNING, EXTENDED or FINAL
    problem: str
    runs: int
    metric: str
    higher: bool
    checkpoint: str
    epoch_metric: str  # what the checkpoint is chosen on
    epoch_higher: bool


Trainer = Callable[[list[Job], Phase], list[RunResult]]


@dataclass
class LossStudy:
    """One loss in a study: its search, its chosen rate(s) and its final runs.

    With selection in every replicate, ``points`` pools every replicate's scores per
    rate (the isolation view), ``chosen`` is the rate most replicates chose, and
    ``validation``, ``checkpoints``, ``test`` and ``test_metrics`` are keyed by each
    replicate's seed; ``replicates`` holds each one's own search and choice."""

    loss: str
    points: list[GridPoint]
    chosen: int | None  # index into points (replicated: the rate most replicates chose)
    extended: str | None = None  # 'lower' / 'upper' when the grid was extended
    warning: str | None = None
    tuning: list[RunResult] = field(default_factory=list)  # every tuning run, grid order
    tuning_scores: list[float | None] = field(default_factory=list)  # each one's score
    final: list[RunResult] = field(default_factory=list)
    validation: dict[int, float] = field(default_factory=dict)  # seed -> at its checkpoint
    checkpoints: dict[int, int] = field(default_factory=dict)  # seed -> kept epoch
    test: dict[int, float] = field(default_factory=dict)  # seed -> test metric
    test_metrics: dict[int, dict[str, float | None]] = field(default_factory=dict)  # seed -> all
    not_applicable: dict[str, str] = field(default_factory=dict)  # metric -> why (the head)
    replicates: list[Replicate] = field(default_factory=list)  # replicated selection only
    run_tests: dict[int, dict[str, float | None]] = field(default_factory=dict)  # run seed -> all

    @property
    def chosen_rates(self) -> dict[float, int]:
        """Each rate chosen and by how many replicates (the shared protocol: one rate, once),
        most chosen first."""
        if not self.replicates:
            lr = self.chosen_learning_rate
            return {} if lr is None else {lr: 1}
        return dict(chosen_counts(self.replicates).most_common())

    @property
    def chosen_learning_rate(self) -> float | None:
        return None if self.chosen is None else self.points[self.chosen].learning_rate

    @property
    def validation_curve(self) -> list[tuple[float, float | None]]:
        return [(p.learning_rate, p.score) for p in self.points]


@dataclass
class ProblemStudy:
    """A study of one problem: the protocol as run, every loss, the verdict."""

    problem: str
    kind: str
    metric: str
    higher: bool
    protocol: Protocol
    optimizer: str
    grid: tuple[float, ...]
    rows: dict[str, int]  # training, validation, test
    tuning_seeds: list[int]
    final_seeds: list[int]
    losses: list[LossStudy]
    verdict: Verdict
    runs: dict[str, int]  # per phase
    seconds: dict[str, float]  # per phase
    epochs: int
    checkpoint_metric: str = ""  # the per-epoch metric checkpoints were chosen on
    warnings: list[str] = field(default_factory=list)

    def loss(self, name: str) -> LossStudy:
        """The loss called ``name`` here, or by any name the catalogue knows it by
        (``"bce"`` finds binary_crossentropy)."""
        for s in self.losses:
            if s.loss == name:
                return s
        canonical = get_loss(name).name
        return next(s for s in self.losses if s.loss == canonical)


def default_trainer(jobs: list[Job], phase: Phase, *, threads: int | None = None,
                    listener: RunListener = SILENT,
                    stop: threading.Event | None = None) -> list[RunResult]:
    """A phase through :func:`lossterm.training.scheduler.sweep`: each loss's rates x seeds train
    as one population; ``listener`` is told each run (the caller says which phase it is,
    in its own words: ``listener.phase_started``). (Runs of a study are not put in the
    run store: their "test" figures are validation figures, which a later
    ``lossterm report`` would misread.)"""

    return sweep(jobs, jobs=threads, listener=listener, stop=stop)


def run_study(jobs: list[Job], protocol: Protocol, *, data_seed: int = 0,
              trainer: Trainer | None = None,
              held: Mapping[int, np.ndarray] | None = None) -> list[ProblemStudy]:
    """A study per problem of ``jobs`` (one resolved job per (problem, loss), carrying the
    base settings and seed). ``held``: validation rows per ``id(problem)`` where the data
    fixed them (``--split-column``); otherwise ``protocol.validation_share`` of the
    training rows, seeded with ``data_seed``."""
    trainer = trainer or default_trainer
    protocol.check_for_study()
    by_problem: dict[int, list[Job]] = {}
    for job in jobs:
        by_problem.setdefault(id(job.problem), []).append(job)
    prepared = []  # everything that can be refused is refused before any training
    for group in by_problem.values():
        problem = group[0].problem
        check_metric(problem, protocol.metric_for(problem.kind), [j.loss for j in group])
        rows = (held or {}).get(id(problem))
        if rows is None:
            rows = validation_rows(problem, protocol.validation_share, data_seed)
        prepared.append((group, rows))
    return [study_problem(group, protocol, rows, trainer) for group, rows in prepared]


def check_metric(problem: Problem, metric: str, specs) -> None:
    """``metric`` must be one of the kind's matrix; a probability metric needs every loss's
    head to give probabilities."""

    names = metric_names_for(problem.kind)
    if metric not in names:
        raise UsageError(f"{{field}} {metric!r} is not a {problem.kind} metric; choose from "
                         f"{', '.join(names)}", field="metric")
    if METRICS[metric].needs_probabilities:
        for spec in specs:
            if not spec.head.probabilities:
                raise UsageError(f"{{field}} {metric} needs probabilities, and {spec.name}'s "
                                 f"{spec.output_activation} output gives none on {problem.name}; "
                                 "choose another metric or leave that loss out", field="metric")


def study_problem(jobs: list[Job], protocol: Protocol, held: np.ndarray,
                  trainer: Trainer) -> ProblemStudy:
    """One problem's study under ``protocol.selection``: selection inside every replicate
    (the default; :mod:`.replicate`), or the earlier protocol that tunes once and trains
    final seeds at the chosen rates (``"shared"``: kept so the benchmarks can measure
    both; its replicates leave the selection out)."""
    context = _Context(jobs, protocol, held, trainer)
    if protocol.selection == REPLICATE:
        losses = _replicated(context, jobs)
    else:
        losses = _shared(context, jobs)
    problem, c = jobs[0].problem, context
    verdict = decide(problem.name, {s.loss: s.test for s in losses if s.test}, c.metric,
                     protocol.seeds, protocol=verdict_protocol(protocol, c.metric))
    return ProblemStudy(
        problem=problem.name, kind=str(problem.kind), metric=c.metric, higher=c.higher,
        protocol=protocol, optimizer=c.optimizer, grid=c.grid,
        rows={"training": len(c.view.y_train), "validation": len(c.view.y_test),
              "test": len(problem.y_test)},
        tuning_seeds=protocol.tuning_seeds(jobs[0].seed),
        final_seeds=protocol.final_seeds(jobs[0].seed), losses=losses, verdict=verdict,
        runs=c.runs, seconds=c.seconds, epochs=jobs[0].epochs, checkpoint_metric=c.on_epochs,
        warnings=[s.warning for s in losses if s.warning] + _selection_warnings(problem,
                                                                                c.metric))


def verdict_protocol(protocol: Protocol, metric: str) -> str:
    """The protocol in the words a verdict line carries beside its claim."""
    if protocol.selection == REPLICATE:
        return (f"each loss's learning rate chosen on validation inside each of "
                f"{protocol.seeds} paired replicates; test {metric}; Holm-adjusted")
    return (f"each at its own learning rate, chosen once on validation; {protocol.seeds} "
            f"paired seeds; test {metric}; Holm-adjusted")


class _Context:
    """What every phase of one problem's study shares: the tuning view, the metric, the
    grid, how runs are scored, and the trainer (timed and counted per phase)."""

    def __init__(self, jobs: list[Job], protocol: Protocol, held: np.ndarray, trainer: Trainer):
        first = jobs[0]
        self.problem, self.protocol, self.trainer = first.problem, protocol, trainer
        self.metric = protocol.metric_for(self.problem.kind)
        self.higher = higher_is_better(self.metric)
        self.on_epochs = checkpoint_metric(self.problem.kind, self.metric)
        self.view = tuning_view(self.problem, held)
        self.optimizer = str(first.optimizer)
        self.grid = protocol.grid_for(self.optimizer)
        self.centre = float(np.sqrt(self.grid[0] * self.grid[-1]))
        self.scoring = {job.loss.name: Scoring(
            self.metric, self.higher, self.on_epochs, higher_is_better(self.on_epochs),
            protocol.checkpoint, job.loss, (self.view.X_test, self.view.y_test,
                                            self.view.n_classes)) for job in jobs}
        self.runs: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def train(self, name: str, planned: list[Job], checkpoint: str) -> list[RunResult]:
        tick = time.perf_counter()
        phase = Phase(name, self.problem.name, len(planned), self.metric, self.higher,
                      checkpoint, self.on_epochs, higher_is_better(self.on_epochs))
        out = self.trainer(planned, phase) if planned else []
        self.runs[name] = self.runs.get(name, 0) + len(planned)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - tick
        return out

    def jobs(self, job: Job, rates, seeds, checkpoint: str) -> list[Job]:
        """``job`` on the tuning view at every rate x seed (seeds inner)."""
        return [replace(job, problem=self.view, learning_rate=lr, seed=s, checkpoint=checkpoint,
                        checkpoint_metric=self.on_epochs) for lr in rates for s in seeds]

    def not_applicable(self, job: Job) -> dict[str, str]:
        return {name: NOT_A_PROBABILITY for name in metric_names_for(self.problem.kind)
                if METRICS[name].needs_probabilities and not job.loss.head.probabilities}

# --- selection inside every replicate ------------------------------------------------------


def _replicated(c: _Context, jobs: list[Job]) -> list[LossStudy]:
    """Every replicate of every loss searches the grid from its own seeds and chooses on
    validation; its chosen models are its final models, read on test once."""
    p = c.protocol
    checkpoint = p.checkpoint
    planned, studies = [], []
    for job in jobs:
        reps = [Replicate(seed, replicate_seeds(seed, p.tune_seeds))
                for seed in p.final_seeds(job.seed)]
        studies.append((job, reps))
        planned += [j for rep in reps for j in c.jobs(job, c.grid, rep.seeds, checkpoint)]
    trained = iter(c.train(TUNING, planned, checkpoint))
    for job, reps in studies:
        for rep in reps:
            rep.runs = [next(trained) for _ in range(len(c.grid) * len(rep.seeds))]
            rep.select(c.scoring[job.loss.name], c.centre, c.higher)
    _extend_replicates(c, studies, checkpoint)
    return [_loss_of_replicates(c, job, reps) for job, reps in studies]


def _extend_replicates(c: _Context, studies, checkpoint: str) -> None:
    """A replicate whose best rate is at an edge of the grid tries ``extend_points`` more
    rates beyond it, once, and chooses again among all its rates."""
    wanted = []
    for job, reps in studies:
        for rep in reps:
            side = rep.at_edge
            if side and c.protocol.extend_points > 0:
                rep.extended = side
                wanted.append((job, rep, extension(c.grid, side, c.protocol.extend_points)))
    planned = [j for job, rep, more in wanted for j in c.jobs(job, more, rep.seeds, checkpoint)]
    extra = iter(c.train(EXTENDED, planned, checkpoint) if planned else [])
    for job, rep, more in wanted:
        rep.runs += [next(extra) for _ in range(len(more) * len(rep.seeds))]
        rep.select(c.scoring[job.loss.name], c.centre, c.higher)


def _loss_of_replicates(c: _Context, job: Job, reps: list[Replicate]) -> LossStudy:
    """A loss's study from its replicates: each chosen model read on test once."""
    name = job.loss.name
    points = pooled_points(reps)
    s = LossStudy(name, points, modal_index(points, chosen_counts(reps), c.centre),
                  replicates=reps, not_applicable=c.not_applicable(job))
    s.extended = _sides(reps)
    for rep in reps:
        s.tuning += rep.runs
        s.tuning_scores += [run_score(r, c.scoring[name])[0] for r in rep.runs]
        chosen = [r for r in rep.chosen_runs if r.weights is not None]
        if rep.chosen is None or len(chosen) < len(rep.seeds):
            continue
        s.final += chosen
        for run in chosen:
            s.run_tests[run.seed] = evaluate(c.problem, job, run.weights)
        rep.test_metrics = mean_metrics([s.run_tests[r.seed] for r in chosen])
        s.validation[rep.seed], s.checkpoints[rep.seed] = rep.validation, rep.checkpoint
        s.test_metrics[rep.seed] = rep.test_metrics
        value = rep.test_metrics.get(c.metric)
        if value is not None:  # e.g. ROC AUC of a test split with one class
            s.test[rep.seed] = value
    s.warning = _replicate_warning(s)
    return s


def _sides(reps: list[Replicate]) -> str | None:
    """'upper', 'lower' or 'lower and upper' when some replicate extended its grid."""
    sides = sorted({r.extended for r in reps if r.extended})
    return " and ".join(sides) or None


def _replicate_warning(s: LossStudy) -> str | None:
    """Replicates with no rate that trained to the end, or whose best rate stayed at an
    edge after extending: said once per loss, with how many."""
    n = len(s.replicates)
    lost = sum(r.chosen is None for r in s.replicates)
    at_edge = Counter(r.at_edge for r in s.replicates if r.at_edge)
    parts = []
    if lost:
        parts.append(f"in {lost} of {n} replicates no learning rate of the grid trained to "
                     "the end; they have no test figure")
    for side, count in sorted(at_edge.items()):
        parts.append(f"in {count} of {n} replicates the best learning rate is at the {side} "
                     "edge of the grid even after extending it once; the best rate may lie "
                     "beyond it (widen --lr-grid)")
    return f"{s.loss}: " + "; ".join(parts) if parts else None

# --- the earlier protocol: one selection, then final seeds -------------------------------


def _shared(c: _Context, jobs: list[Job]) -> list[LossStudy]:
    """Tune each loss once (``tune_seeds`` per rate), then train the final seeds at the
    chosen rate. Its replicates (the final seeds) leave the selection out, so its tests
    compare rates as much as losses: kept for measuring, not recommended."""
    p = c.protocol
    tune_seeds = {id(job): p.tuning_seeds(job.seed) for job in jobs}  # each loss's own base
    checkpoint = p.checkpoint if c.metric == c.on_epochs else "last"
    tuned = c.train(TUNING, [j for job in jobs
                             for j in c.jobs(job, c.grid, tune_seeds[id(job)], checkpoint)],
                    checkpoint)
    per_loss = len(c.grid) * p.tune_seeds
    studies = []
    for k, job in enumerate(jobs):
        mine = tuned[k * per_loss:(k + 1) * per_loss]
        scoring = c.scoring[job.loss.name]
        points = score_points(list(c.grid), mine, scoring)
        studies.append((job, LossStudy(
            job.loss.name, points, choose(points, c.centre, c.higher), tuning=list(mine),
            tuning_scores=[run_score(r, scoring)[0] for r in mine])))
    _extend(studies, c, tune_seeds, checkpoint)
    _final(studies, c)
    return [s for _, s in studies]


def _extend(studies, c: _Context, tune_seeds, checkpoint) -> None:
    """Extend, once, the grids of losses whose best rate was at an edge; warn if still."""
    wanted = []
    for job, s in studies:
        side = None if s.chosen is None else edge(s.points, s.chosen)
        if side and c.protocol.extend_points > 0:
            s.extended = side
            wanted.append((job, s, extension(c.grid, side, c.protocol.extend_points)))
    planned = [j for job, _, more in wanted
               for j in c.jobs(job, more, tune_seeds[id(job)], checkpoint)]
    extra = c.train(EXTENDED, planned, checkpoint) if wanted else []
    start = 0
    for _job, s, more in wanted:
        mine = extra[start:start + len(more) * c.protocol.tune_seeds]
        start += len(mine)
        s.tuning += mine
        s.tuning_scores += [run_score(r, c.scoring[s.loss])[0] for r in mine]
        s.points = _merge(s.points, score_points(list(more), mine, c.scoring[s.loss]))
        s.chosen = choose(s.points, c.centre, c.higher)
    for _, s in studies:
        s.warning = _edge_warning(s)


def _edge_warning(s: LossStudy) -> str | None:
    if s.chosen is None:
        return (f"{s.loss}: no learning rate of the grid trained to the end on every "
                "tuning seed; it has no final runs")
    side = edge(s.points, s.chosen)
    if not side:
        return None
    return (f"{s.loss}: the best learning rate ({s.points[s.chosen].learning_rate:g}) is at "
            f"the {side} edge of the grid" + (" even after extending it once" if s.extended
                                               else "")
            + "; the best rate may lie beyond it (widen --lr-grid)")


def _merge(points: list[GridPoint], more: list[GridPoint]) -> list[GridPoint]:
    return sorted(points + more, key=lambda p: p.learning_rate)


def _final(studies, c: _Context) -> None:
    """Final runs at each chosen rate, then the test split read once per kept model."""
    per_loss = c.protocol.seeds
    chosen = [(job, s) for job, s in studies if s.chosen is not None]
    planned = [j for job, s in chosen  # each loss's own seed base (the same in a study)
               for j in c.jobs(job, [s.chosen_learning_rate], c.protocol.final_seeds(job.seed),
                               c.protocol.checkpoint)]
    results = c.train(FINAL, planned, c.protocol.checkpoint)
    for k, (job, s) in enumerate(chosen):
        s.not_applicable = c.not_applicable(job)
        s.final = results[k * per_loss:(k + 1) * per_loss]
        for run in s.final:
            score, epoch = run_score(run, c.scoring[s.loss])
            if score is None or run.weights is None:
                continue
            s.validation[run.seed], s.checkpoints[run.seed] = score, epoch
            s.test_metrics[run.seed] = evaluate(c.problem, job, run.weights)
            s.run_tests[run.seed] = s.test_metrics[run.seed]
            value = s.test_metrics[run.seed][c.metric]
            if value is not None:  # e.g. ROC AUC of a test split with one class
                s.test[run.seed] = value


def _selection_warnings(problem: Problem, metric: str) -> list[str]:
    """What makes the validation metric a poor judge of this problem: outliers put into the
    training rows are in the validation rows too, and a squared error is ruled by them."""
    moved = getattr(problem.source.perturbation, "outliers", 0)
    if moved and metric in ("mse", "rmse"):
        return [f"{problem.name}: the validation rows carry the outliers too ({moved:.0%} of "
                f"training targets moved), and validation {metric} is ruled by them: it favours "
                "the rates and losses that fit outliers; --metric mae or "
                "median_absolute_error selects on the typical row"]
    return []


def evaluate(problem: Problem, job: Job, weights: list[np.ndarray]) -> dict[str, float | None]:
    """The test split's metric matrix for kept ``weights``: the one time a study reads it."""

    return scores_on(job.loss, weights, problem.X_test, problem.y_test, problem.n_classes,
                     problem.targets)

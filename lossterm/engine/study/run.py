"""Running a study: tune each loss's learning rate on validation, train the final seeds at
the chosen rates, read the test split once per final model, decide.

The phases, for each problem (every loss of a phase trains in one call, so each
loss's grid x seeds is one population):

1. **tuning**: each loss at every rate of the grid, ``tune_seeds`` seeds each, on
   the tuning view (training rows less validation; "val" = validation);
2. **tuning (extended)**: only for losses whose best rate was at an edge of the
   grid: ``extend_points`` more rates beyond that edge, once;
3. **final**: ``seeds`` paired seeds per loss at its chosen rate, on the same
   rows, checkpoint chosen on validation;
4. **test**: each final model's kept weights scored on the test rows, once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

import numpy as np

from lossterm.engine.problems import Problem
from lossterm.engine.records import Job, RunResult
from lossterm.engine.study.protocol import Protocol, epoch_metric, extension, higher_is_better
from lossterm.engine.study.split import tuning_view, validation_rows
from lossterm.engine.study.tuning import (
    GridPoint,
    Scoring,
    choose,
    edge,
    run_score,
    score_points,
)
from lossterm.engine.study.verdict import Verdict, decide
from lossterm.errors import UsageError

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
    """One loss in a study: its search, its chosen rate and its final runs."""

    loss: str
    points: list[GridPoint]
    chosen: int | None  # index into points
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
        return next(s for s in self.losses if s.loss == name)


def default_trainer(jobs: list[Job], phase: Phase, *, threads: int | None = None,
                    on_epoch=None, on_done=None, stop=None) -> list[RunResult]:
    """A phase through :func:`lossterm.engine.sweep.sweep`: each loss's rates x seeds train
    as one population. (Runs of a study are not put in the run store: their "test"
    figures are validation figures, which a later ``lossterm report`` would misread.)"""
    from lossterm.engine.sweep import sweep

    return sweep(jobs, jobs=threads, on_epoch=on_epoch, on_done=on_done, stop=stop)


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
    from lossterm.engine.scores import METRICS, metric_names_for

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
    first = jobs[0]
    problem = first.problem
    metric = protocol.metric_for(problem.kind)
    higher = higher_is_better(metric)
    on_epochs = epoch_metric(problem.kind, metric)
    view = tuning_view(problem, held)
    optimizer = str(first.optimizer)
    grid = protocol.grid_for(optimizer)
    centre = float(np.sqrt(grid[0] * grid[-1]))
    tune_seeds = protocol.tuning_seeds(first.seed)
    final_seeds = protocol.final_seeds(first.seed)
    scoring = {job.loss.name: Scoring(metric, higher, on_epochs, higher_is_better(on_epochs),
                                      protocol.checkpoint, job.loss,
                                      (view.X_test, view.y_test, view.n_classes))
               for job in jobs}
    tuning_checkpoint = protocol.checkpoint if metric != on_epochs else "last"
    runs, seconds = {}, {}

    def train(name, planned, checkpoint):
        tick = time.perf_counter()
        phase = Phase(name, problem.name, len(planned), metric, higher, checkpoint, on_epochs,
                      higher_is_better(on_epochs))
        out = trainer(planned, phase) if planned else []
        runs[name], seconds[name] = len(planned), time.perf_counter() - tick
        return out

    def search(job, rates):
        return [replace(job, problem=view, learning_rate=lr, seed=s, checkpoint=tuning_checkpoint,
                     checkpoint_metric=on_epochs)
                for lr in rates for s in tune_seeds]

    tuned = train(TUNING, [j for job in jobs for j in search(job, grid)], tuning_checkpoint)
    per_loss = len(grid) * len(tune_seeds)
    studies = []
    for k, job in enumerate(jobs):
        mine = tuned[k * per_loss:(k + 1) * per_loss]
        points = score_points(list(grid), mine, scoring[job.loss.name])
        studies.append((job, LossStudy(
            job.loss.name, points, choose(points, centre, higher), tuning=list(mine),
            tuning_scores=[run_score(r, scoring[job.loss.name])[0] for r in mine])))
    _extend(studies, grid, protocol, scoring, centre, higher, tuning_checkpoint, train, search)
    _final(studies, view, final_seeds, protocol, scoring, on_epochs, train, problem)
    losses = [s for _, s in studies]
    verdict = decide(problem.name, {s.loss: s.test for s in losses if s.test}, metric, higher,
                     protocol.seeds)
    return ProblemStudy(
        problem=problem.name, kind=str(problem.kind), metric=metric, higher=higher,
        protocol=protocol, optimizer=optimizer, grid=grid,
        rows={"training": len(view.y_train), "validation": len(view.y_test),
              "test": len(problem.y_test)},
        tuning_seeds=tune_seeds, final_seeds=final_seeds, losses=losses, verdict=verdict,
        runs=runs, seconds=seconds, epochs=first.epochs, checkpoint_metric=on_epochs,
        warnings=[s.warning for s in losses if s.warning] + _selection_warnings(problem, metric))


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


def _extend(studies, grid, protocol, scoring, centre, higher, checkpoint, train, search) -> None:
    """Extend, once, the grids of losses whose best rate was at an edge; warn if still."""
    wanted = []
    for job, s in studies:
        side = None if s.chosen is None else edge(s.points, s.chosen)
        if side and protocol.extend_points > 0:
            s.extended = side
            wanted.append((job, s, extension(grid, side, protocol.extend_points)))
    planned = [j for job, _, more in wanted for j in search(job, more)]
    extra = train(EXTENDED, planned, checkpoint) if wanted else []
    start = 0
    for job, s, more in wanted:
        mine = extra[start:start + len(more) * protocol.tune_seeds]
        start += len(mine)
        s.tuning += mine
        s.tuning_scores += [run_score(r, scoring[s.loss])[0] for r in mine]
        s.points = _merge(s.points, score_points(list(more), mine, scoring[s.loss]))
        s.chosen = choose(s.points, centre, higher)
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


def _final(studies, view, seeds, protocol, scoring, on_epochs, train, problem) -> None:
    """Final runs at each chosen rate, then the test split read once per kept model."""
    chosen = [(job, s) for job, s in studies if s.chosen is not None]
    planned = [replace(job, problem=view, learning_rate=s.chosen_learning_rate, seed=seed,
                    checkpoint=protocol.checkpoint, checkpoint_metric=on_epochs)
               for job, s in chosen for seed in seeds]
    results = train(FINAL, planned, protocol.checkpoint)
    from lossterm.engine.scores import METRICS, NOT_A_PROBABILITY, metric_names_for

    for k, (job, s) in enumerate(chosen):
        s.not_applicable = {name: NOT_A_PROBABILITY for name in metric_names_for(problem.kind)
                            if METRICS[name].needs_probabilities
                            and not job.loss.head.probabilities}
        s.final = results[k * len(seeds):(k + 1) * len(seeds)]
        for run in s.final:
            score, epoch = run_score(run, scoring[s.loss])
            if score is None or run.weights is None:
                continue
            s.validation[run.seed], s.checkpoints[run.seed] = score, epoch
            s.test_metrics[run.seed] = evaluate(problem, job, run.weights)
            value = s.test_metrics[run.seed][scoring[s.loss].metric]
            if value is not None:  # e.g. ROC AUC of a test split with one class
                s.test[run.seed] = value


def evaluate(problem: Problem, job: Job, weights: list[np.ndarray]) -> dict[str, float | None]:
    """The test split's metric matrix for kept ``weights``: the one time a study reads it."""
    from lossterm.engine.study.evaluate import scores_on

    return scores_on(job.loss, weights, problem.X_test, problem.y_test, problem.n_classes,
                     problem.targets)

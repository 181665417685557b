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

This module is the entry point: it refuses what can be refused before any training,
picks the protocol's phases (:mod:`.replicated`, :mod:`.shared`) and judges what they
found. The records it returns are :mod:`.results`'; what the phases share, and how a
trained result finds its candidate, :mod:`.context`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from lossterm.analysis.study.context import StudyContext, figures_on_test
from lossterm.analysis.study.protocol import REPLICATE, Protocol
from lossterm.analysis.study.replicated import replicated
from lossterm.analysis.study.results import (
    EXTENDED,
    FINAL,
    TUNING,
    LossStudy,
    Phase,
    ProblemStudy,
    Trainer,
)
from lossterm.analysis.study.shared import shared
from lossterm.analysis.verdict import decide
from lossterm.core.errors import UsageError
from lossterm.data.problems import Problem
from lossterm.data.split import validation_rows
from lossterm.metrics.matrix import METRICS, metric_names_for
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.records import Job, RunResult
from lossterm.training.scheduler import run_threads, schedule

# The records and the phase names, here too for the callers that import them from here.
__all__ = [
    "EXTENDED",
    "FINAL",
    "TUNING",
    "LossStudy",
    "Phase",
    "ProblemStudy",
    "Trainer",
    "check_metric",
    "default_trainer",
    "figures_on_test",
    "planned_runs",
    "study_jobs",
    "study_problem",
    "verdict_protocol",
]


def default_trainer(jobs: list[Job], phase: Phase, *, threads: int | None = None,
                    listener: RunListener = SILENT,
                    stop: threading.Event | None = None) -> list[RunResult]:
    """A phase through :func:`lossterm.training.scheduler.schedule`: each loss's rates x seeds train
    as one population; ``listener`` is told each run (the caller says which phase it is,
    in its own words: ``listener.phase_started``). (Runs of a study are not put in the
    run store: their "test" figures are validation figures, which a later
    ``lossterm report`` would misread.)"""

    return schedule(jobs, jobs=threads, listener=listener, stop=stop)


def study_jobs(jobs: list[Job], protocol: Protocol, *, data_seed: int = 0,
              trainer: Trainer | None = None,
              held: Mapping[int, np.ndarray] | None = None,
              together: bool = False, stop: threading.Event | None = None) -> list[ProblemStudy]:
    """A study per problem of ``jobs`` (one resolved job per (problem, loss), carrying the
    base settings and seed). ``held``: validation rows per ``id(problem)`` where the data
    fixed them (``--split-column``); otherwise ``protocol.validation_share`` of the
    training rows, seeded with ``data_seed``.

    ``together``: every problem's study runs at once, each on a thread of its own, so the
    trainer sees all their phases' groups at the same time (a cluster's workers are then
    all kept busy); one problem's answers never depend on another's, so the studies are
    those run one after another. Ctrl+C sets ``stop`` (for the trainer to end its runs)
    and is raised once every study has let go."""
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
    if not together or len(prepared) < 2:
        return [study_problem(group, protocol, rows, trainer) for group, rows in prepared]
    return _side_by_side(prepared, protocol, trainer, stop or threading.Event())


def _side_by_side(prepared, protocol: Protocol, trainer: Trainer,
                  stop: threading.Event) -> list[ProblemStudy]:
    """:func:`study_problem` for every prepared problem at once; results in their order;
    the first error a study raised is raised here."""
    done: dict[int, ProblemStudy] = {}
    errors: list[BaseException] = []

    def one(index: int, group: list[Job], rows: np.ndarray) -> None:
        try:
            done[index] = study_problem(group, protocol, rows, trainer)
        except BaseException as exc:  # carried to the caller's thread
            errors.append(exc)
            stop.set()  # the others end too: the study cannot finish

    run_threads([threading.Thread(target=one, args=(i, group, rows), daemon=True,
                                  name=f"lossterm-study-{i}")
                 for i, (group, rows) in enumerate(prepared)], stop)
    if errors:
        raise errors[0]
    return [done[i] for i in range(len(prepared))]


def planned_runs(jobs: list[Job], protocol: Protocol) -> int:
    """How many runs a study of ``jobs`` trains before it knows whether to extend a grid: a
    progress bar's total. Every replicate of every loss trains the whole grid
    (``"replicate"``), or each loss tunes once and trains its final seeds (``"shared"``).
    An extension is decided by what the tuning finds, so it is not counted here."""
    total = 0
    for job in jobs:
        grid = len(protocol.grid_for(str(job.optimizer))) * protocol.tune_seeds
        total += grid * protocol.seeds if protocol.selection == REPLICATE else grid + protocol.seeds
    return total


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
    context = StudyContext(jobs, protocol, held, trainer)
    if protocol.selection == REPLICATE:
        losses = replicated(context, jobs)
    else:
        losses = shared(context, jobs)
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

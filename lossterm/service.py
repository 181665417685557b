"""The one path from options to results, for ``--headless``, the TUI and the Python API:
``options → plan → train → analyse``.

:func:`plan_work` turns options into :class:`Work` — plain runs, a fair study, a
robustness sweep or a calibration, with every job resolved and checked and everything
that can be refused refused before anything trains. :func:`run_study`,
:func:`run_sweep`, :func:`run_calibration` and :func:`train_runs` carry it out, telling one
:class:`~lossterm.training.listener.RunListener` how far they got. The front ends differ
only in what they do with what the listener hears and with the result: the headless
report draws progress bars and prints a report, the TUI posts messages to its screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from lossterm.analysis.study.calibration import Calibration
from lossterm.analysis.study.calibration import calibrate as calibrate_job
from lossterm.analysis.study.noise import noise_warnings, sweep_jobs
from lossterm.analysis.study.protocol import Protocol
from lossterm.analysis.study.run import (
    TUNING,
    Phase,
    ProblemStudy,
    Trainer,
    default_trainer,
    planned_runs,
    study_jobs,
)
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.core.errors import UsageError
from lossterm.data import suite
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import REGRESSION, Problem
from lossterm.options import Options
from lossterm.runtime.backend import describe_backend
from lossterm.runtime.cluster import Connection, connect
from lossterm.storage.store import Recorder, Store, StoreUnavailable, default_store_path
from lossterm.storage.study_runs import StudyRuns, resume_phase
from lossterm.training.cluster import schedule_on
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.plan import Plan, plan_runs
from lossterm.training.records import Job, RunResult
from lossterm.training.scheduler import SweepInterrupted, expand_seeds, schedule


def load_problems(options: Options) -> list[Problem]:
    """The problems a request is about, loaded and perturbed as asked: the named built-in
    problems (every one for ``all``), then each data file (a suite: a study each); see
    :func:`lossterm.data.suite.load_problems`."""
    return suite.load_problems(options.problems, options.data, options.perturbation)


def perturbed(problem: Problem, options: Options) -> Problem:
    """``problem`` with the part of the options' perturbation that applies to its kind."""
    return suite.perturbed(problem, options.perturbation)


def plan(options: Options, problems: Sequence[str | Problem] | None = None) -> Plan:
    """Every job the options ask for, seeds expanded, resolved and checked.

    ``problems`` overrides loading (the TUI passes the problem on screen).
    """
    if problems is None:
        problems = load_problems(options)
    planned = plan_runs(problems, options.losses, options.base)
    planned.runs = expand_seeds(planned.runs, options.seeds)
    return planned


def open_store(options: Options):
    """The run store the options ask for, or None when no history is kept."""

    if options.no_store:
        return None
    return Store(options.store or default_store_path())


def open_study_runs(options: Options, *, fresh: bool = False) -> StudyRuns | None:
    """Where a study keeps its runs as they end, so the same command resumes: the options'
    store (a table of its own, apart from the run history), or None with ``no_store``.
    ``fresh``: nothing is looked up (every run trains again), what ends is still kept."""
    if options.no_store:
        return None
    return StudyRuns(options.store or default_store_path(), fresh=fresh)


def try_open_store(options: Options) -> tuple[Store | None, str | None]:
    """:func:`open_store`, but a store that cannot be opened for a reason other than the
    input (a lock held past the timeout, a full disk) gives no store and why: the runs
    train and are reported without a history. A file that is not lossterm's is refused."""
    try:
        return open_store(options), None
    except StoreUnavailable as exc:
        return None, str(exc)


def open_cluster(options: Options, *, load_here: bool = True) -> Connection | None:
    """The options' cluster (None without one), its workers warming from now on; an
    unreachable address is a :class:`UsageError` (exit 2). ``load_here``: as connect's."""
    if options.cluster is None:
        return None
    return connect(options.cluster, workers=options.jobs, load_here=load_here)


def describe_training(options: Options) -> str:
    """Where training ran, for a report's header: this process's Keras and device, or the
    cluster's workers and what each has."""
    connection = open_cluster(options)
    return describe_backend() if connection is None else connection.describe()


def train_runs(jobs: list[Job], *, store=None, threads: int | None = None,
          stop: threading.Event | None = None, listener: RunListener = SILENT,
          grid: bool = False, cluster: str | None = None) -> list[RunResult]:
    """Train ``jobs``, recording each epoch in ``store`` before ``listener`` hears of it;
    results in the jobs' order. ``cluster``: a Dask address to train on instead of threads
    (:mod:`lossterm.runtime.cluster`).

    Raises ``SweepInterrupted`` on Ctrl+C (or SIGTERM/SIGHUP, which the command line
    turns into one) holding every run that started: the finished ones, and any the stop
    caught before its end, settled as stopped with its epochs (here and in the store).
    """

    recorder = Recorder(store, listener)
    try:
        if cluster is not None:
            return schedule_on(connect(cluster, workers=threads), jobs, stop=stop,
                               listener=recorder, grid=grid)
        return schedule(jobs, jobs=threads, stop=stop, listener=recorder, grid=grid)
    except SweepInterrupted as stopped:
        stopped.results.extend(result for _, result in recorder.settle())
        raise


# --- studies, sweeps and calibration ----------------------------------------------------------

RUNS, STUDY, SWEEP, CALIBRATION = "runs", "study", "sweep", "calibration"
DEFAULT_NOISE_RATES = (0.0, 0.2, 0.4, 0.6)  # a sweep's rates when none are given (the TUI's R)


class StudyStopped(Exception):
    """A study or calibration was stopped (its stop event set) before its last phase ended:
    nothing half-done is reported as a result."""


@dataclass
class Work:
    """What a request will do, planned and checked: nothing has trained yet.

    ``jobs``: one resolved job per (problem, loss) for a study, sweep or calibration (the
    protocol multiplies them), or every run with its seeds for plain runs. ``held``: the
    validation rows a ``--split-column`` fixed, by ``id(problem)``. ``skipped``: requests
    the plan left out, each with why; ``warnings``: what the person should know first.
    """

    kind: str
    options: Options
    jobs: list[Job]
    held: dict[int, np.ndarray] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def protocol(self) -> Protocol:
        return self.options.protocol


def plan_work(options: Options, problems: Sequence[str | Problem] | None = None) -> Work:
    """The work ``options`` ask for: a calibration (``calibrate``), a robustness sweep
    (``noise_rates``), a fair study (forced by ``tune``, or two or more losses of a problem
    over several seeds) or plain runs. ``problems`` overrides loading."""
    if options.calibrate is not None:
        return _calibration_work(options, problems)
    if options.noise_rates:
        return sweep_work(options, problems)
    if options.tune is not False:
        loaded, held = study_problems(options) if problems is None else (problems, {})
        planned = plan_runs(loaded, options.losses, options.base)
        if options.wants_study(planned.runs):
            return Work(STUDY, options, planned.runs, held, planned.skipped)
        problems = loaded
    runs = plan(options, problems)
    return Work(RUNS, options, runs.runs, skipped=runs.skipped)


def study_work(options: Options, problems: Sequence[str | Problem] | None = None) -> Work:
    """A fair study of the options' losses, asked for by name (the TUI's ``S``, the API's
    ``study``): whatever ``tune`` and the seeds say. The options' ``seeds``, when more
    than one, are the study's paired replicates."""
    options = _seeds_as_replicates(options)
    loaded, held = study_problems(options) if problems is None else (problems, {})
    planned = plan_runs(loaded, options.losses, options.base)
    return Work(STUDY, options, planned.runs, held, planned.skipped)


def _seeds_as_replicates(options: Options) -> Options:
    """The options' seeds, when more than one, as the protocol's paired replicates (the
    command line sets both from ``--seeds``; the TUI sets only its ``n``)."""
    if options.seeds > 1:
        return replace(options, protocol=replace(options.protocol, seeds=options.seeds))
    return options


def sweep_work(options: Options, problems: Sequence[str | Problem] | None = None) -> Work:
    """Robustness curves: the comparison at each of the options' ``noise_rates`` (default
    :data:`DEFAULT_NOISE_RATES`), on the clean problems (each rate's noise is the sweep's to
    add; the test split never gets any). With no problem named, the tutorial's
    classification problems."""
    options = _seeds_as_replicates(options)
    if not options.noise_rates:
        options = replace(options, noise_rates=DEFAULT_NOISE_RATES)
    clean = replace(options, perturbation=Perturbation())  # each point adds its own noise
    loaded, held = study_problems(clean) if problems is None else (problems, {})
    if held and options.perturbation.imbalance < 1:
        raise UsageError("--imbalance drops training rows, so it cannot keep the rows "
                         "--split-column marks for validation; use one or the other")
    planned = plan_runs(loaded, options.losses, options.base)
    jobs = planned.runs
    if problems is None and not options.data and (not options.problems
                                                  or options.every_problem):
        kept = [j for j in jobs if j.problem.kind != REGRESSION]
        if kept and len(kept) < len(jobs):
            left = ", ".join(dict.fromkeys(j.problem.name for j in jobs if j not in kept))
            which = ("--problem all runs the built-in" if options.every_problem
                     else "no --problem runs the tutorial's")
            planned.skipped.append(f"{left}: label noise needs classes (a sweep with "
                                   f"{which} classification problems)")
        jobs = kept or jobs
    warnings = [line for problem in dict.fromkeys(j.problem for j in jobs)
                if problem.kind != REGRESSION
                for line in noise_warnings(problem, options.noise_rates,
                                           options.perturbation.noise_kind)]
    return Work(SWEEP, options, jobs, held, planned.skipped, warnings)


def _calibration_work(options: Options, problems: Sequence[str | Problem] | None) -> Work:
    if len(options.losses) != 1 or options.losses[0] == "all":
        raise UsageError("--calibrate compares one loss with itself: name exactly one --loss")
    loaded, held = study_problems(options) if problems is None else (problems, {})
    jobs = plan_runs(loaded, options.losses, options.base).runs
    if len({id(j.problem) for j in jobs}) != 1:
        raise UsageError("--calibrate runs on one problem: name exactly one --problem (or "
                         "one --data file)")
    return Work(CALIBRATION, options, jobs, held)


def study_problems(options: Options) -> tuple[list[Problem], dict[int, np.ndarray]]:
    """The problems as :func:`load_problems` gives them, and the validation rows each
    data file's ``--split-column`` fixed (by ``id(problem)``; none otherwise)."""
    return suite.study_problems(options.problems, options.data, options.perturbation)


Labeller = Callable[[Phase], str]
# Trains a phase's jobs as the engine's schedule does, telling its listener each run:
# ``runner(jobs, stop=..., listener=...)`` (the TUI's tests replay canned epochs with it).
Runner = Callable[..., list[RunResult]]


def planned_count(work: Work) -> int:
    """How many runs a study or sweep will train, known before any trains: a progress
    bar's total (an extended grid, decided by the tuning, adds to it when it starts)."""
    if work.kind == SWEEP:
        rates = len(work.options.noise_rates)
        if work.options.tune is False:
            seeds = work.options.seeds if work.options.seeds > 1 else work.protocol.seeds
            return rates * len(work.jobs) * seeds
        return rates * planned_runs(work.jobs, work.protocol)
    return planned_runs(work.jobs, work.protocol)


def run_study(work: Work, *, listener: RunListener | None = None,
              stop: threading.Event | None = None, trainer: Trainer | None = None,
              label: Labeller | None = None, runs: StudyRuns | None = None,
              runner: Runner | None = None) -> list[ProblemStudy]:
    """The work's study, one per problem. ``stop`` set: :class:`StudyStopped` after the
    phase in training. ``trainer``: how a phase trains (default: the population engine
    on the options' threads), wrapped so the listener hears each phase. ``runs``: the
    store's study runs: those found are not trained again, each new one is kept as it
    ends (:func:`open_study_runs`). ``runner``: what trains each phase's runs in place of
    the engine's schedule (:data:`Runner`)."""
    together = work.options.cluster is not None and trainer is None and runner is None
    stop = stop or (threading.Event() if together else None)  # so Ctrl+C reaches every problem
    train_phase = _phases(work, listener, stop, trainer, label, runs=runs, runner=runner)
    return study_jobs(work.jobs, work.protocol, data_seed=work.options.perturbation.seed,
                      trainer=train_phase, held=work.held, together=together, stop=stop)


def run_sweep(work: Work, *, listener: RunListener | None = None,
              stop: threading.Event | None = None, trainer: Trainer | None = None,
              on_point: Callable[[NoiseSweep], None] | None = None,
              on_start: Callable[[str, float], None] | None = None,
              label: Labeller | None = None, runs: StudyRuns | None = None,
              runner: Runner | None = None) -> list[NoiseSweep]:
    """The work's robustness sweep, one per problem; ``stop`` set, it ends with the points
    done. The listener hears each phase as 'noise RATE (i/n) ' and ``label``'s words
    (default: the phase and problem). ``runs``, ``runner``: as :func:`run_study`'s."""
    rates = work.options.noise_rates
    now = {"rate": rates[0]}

    def started(problem: str, rate: float) -> None:
        now["rate"] = rate
        if on_start is not None:
            on_start(problem, rate)

    def where(phase: Phase) -> str:
        rate = now["rate"]
        return f"noise {rate:g} ({rates.index(rate) + 1}/{len(rates)}) {_label(phase, label)}"

    stop = stop or threading.Event()
    base = replace(work.options.perturbation, label_noise=0.0, outliers=0.0)
    seeds = work.options.seeds if work.options.seeds > 1 else work.protocol.seeds
    return sweep_jobs(work.jobs, rates, work.protocol, base=base,
                        tune=work.options.tune is not False, seeds=seeds,
                        held=work.held, stop=stop, on_start=started, on_point=on_point,
                        trainer=_phases(work, listener, stop, trainer, where, raises=False,
                                        runs=runs, runner=runner))


def run_calibration(work: Work, *, listener: RunListener | None = None,
                    trainer: Trainer | None = None,
                    on_study: Callable[..., None] | None = None,
                    runs: StudyRuns | None = None) -> Calibration:
    """The work's N A/A studies; the listener hears each phase as 'A/A study k/N: ...'.
    ``runs``: as :func:`run_study`'s."""
    (job,) = work.jobs
    total, started = work.options.calibrate or 0, [0]

    def where(phase: Phase) -> str:
        started[0] += phase.name == TUNING
        return f"A/A study {started[0]}/{total}: {phase.name} {phase.problem}"

    return calibrate_job(job, work.protocol, total, data_seed=work.options.perturbation.seed,
                      held=work.held.get(id(job.problem)),
                      trainer=_phases(work, listener, None, trainer, where, runs=runs),
                      on_study=on_study)


def _phases(work: Work, listener: RunListener | None, stop: threading.Event | None,
            trainer: Trainer | None, label: Labeller | None, raises: bool = True,
            runs: StudyRuns | None = None, runner: Runner | None = None) -> Trainer:
    """A study's trainer that tells ``listener`` each phase (as ``label`` words it) and
    each run, stops its runs at their next epoch once ``stop`` is set and then (if
    ``raises``) raises :class:`StudyStopped`. With ``runs``, only the runs not in the
    store train, and each is kept as it ends (:func:`resume_phase`)."""
    listener = listener or SILENT
    threads, cluster = work.options.jobs, work.options.cluster

    def train(jobs: list[Job], phase: Phase, hears: RunListener) -> list[RunResult]:
        if trainer is not None:
            return trainer(jobs, phase)
        if runner is not None:
            return runner(jobs, stop=stop or threading.Event(), listener=hears)
        if cluster is not None:
            return schedule_on(connect(cluster, workers=threads), jobs, stop=stop,
                               listener=hears)
        return default_trainer(jobs, phase, threads=threads, stop=stop, listener=hears)

    def train_phase(jobs: list[Job], phase: Phase) -> list[RunResult]:
        words = _label(phase, label)
        if runs is None:
            listener.phase_started(words, jobs)
            results = train(jobs, phase, listener)
        else:
            results = resume_phase(runs, jobs, phase, words, listener,
                                   lambda todo, hears: train(todo, phase, hears),
                                   tells=trainer is None)
        if raises and stop is not None and stop.is_set():
            raise StudyStopped
        return results

    return train_phase


def _label(phase: Phase, label: Labeller | None) -> str:
    return label(phase) if label else f"{phase.name} {phase.problem}"

"""Running one experiment, or a population of them: checks, model, callbacks, stop,
divergence, and what a :class:`~lossterm.training.listener.RunListener` is told."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from lossterm.core.errors import UsageError
from lossterm.core.types import Checkpoint, Optimizer
from lossterm.data.problems import Problem, get_problem
from lossterm.losses import LossSpec, get_loss
from lossterm.losses.checks import check
from lossterm.losses.forms import fit_to
from lossterm.runtime.backend import load_keras
from lossterm.training.absurd import absurd_reason
from lossterm.training.listener import SILENT, ListenerList, RunListener
from lossterm.training.model import build_model
from lossterm.training.population import Member, Population
from lossterm.training.population.core import StopSignal
from lossterm.training.records import (
    DIVERGED,
    DONE,
    FAILED,
    EpochRecord,
    Job,
    RunConfig,
    RunResult,
)
from lossterm.training.regions import decision_grid_of


def resolve(config: RunConfig | Job) -> Job:
    """The job ``config`` asks for: problem and loss found once, defaults filled in.

    Raise UsageError for a name nobody knows or settings no run can use.
    """
    if isinstance(config, Job):
        return config
    validate_settings(config)
    problem = config.problem if isinstance(config.problem, Problem) else get_problem(config.problem)
    spec = config.loss if isinstance(config.loss, LossSpec) else get_loss(config.loss)
    spec = fit_to(spec, problem.kind)  # per label (multilabel), two-node (binary)
    optimizer = Optimizer(config.optimizer.strip().lower())
    job = Job(
        problem=problem, loss=spec, seed=int(config.seed),
        epochs=problem.epochs if config.epochs is None else config.epochs,
        learning_rate=(optimizer.usual_learning_rate if config.learning_rate is None
                       else float(config.learning_rate)),
        momentum=config.momentum, batch_size=config.batch_size,
        hidden_units=problem.hidden_units if config.hidden_units is None else config.hidden_units,
        optimizer=optimizer, checkpoint=Checkpoint(config.checkpoint),
        checkpoint_metric=config.checkpoint_metric,
    )
    validate_settings(job)
    return job


def validate_settings(config: RunConfig | Job) -> None:
    """Raise UsageError for settings no run can use (no data needed to tell)."""
    for name in ("epochs", "batch_size"):
        value = getattr(config, name)
        if value is not None and int(value) < 1:
            raise UsageError("{field} must be at least 1", field=name)
    hidden = config.hidden_units
    if hidden is not None:
        widths = (hidden,) if isinstance(hidden, (int, float)) else tuple(hidden)
        if not widths or min(int(w) for w in widths) < 1:
            raise UsageError("{field} must be at least 1 per layer", field="hidden_units")
    if config.learning_rate is not None and not config.learning_rate > 0:
        raise UsageError("{field} must be positive", field="learning_rate")
    if config.optimizer.strip().lower() not in tuple(Optimizer):
        raise UsageError(f"unknown {{field}} {config.optimizer!r}; choose from "
                         f"{', '.join(Optimizer)}", field="optimizer")
    if config.checkpoint not in tuple(Checkpoint):
        raise UsageError(f"{{field}} must be last or best, not {config.checkpoint!r}",
                         field="checkpoint")


def new_result(job: Job) -> RunResult:
    """An empty result carrying the run's identity (and its checks' findings)."""
    problem, spec = job.problem, job.loss
    findings = check(spec, problem)
    return RunResult(
        problem=problem.name, loss=spec.name, kind=problem.kind,
        output_activation=spec.output_activation,
        output_layer=spec.output_layer(problem.n_classes, problem.n_targets),
        target_encoding=spec.target_encoding, metric=spec.metric,
        seed=job.seed, epochs=job.epochs,
        warnings=problem.warnings + findings.warnings, notes=findings.notes,
    )


def train(
    config: RunConfig | Job,
    *,
    callbacks: Iterable = (),
    stop: threading.Event | None = None,
    listener: RunListener = SILENT,
    grid: bool = False,
) -> RunResult:
    """Train one (problem, loss) run to the end, a stop, or divergence: a population of one.

    With ``grid``, a 2-D classifier's predicted classes over its input space
    are kept in ``result.regions`` (the TUI draws them behind the scatter).
    Keras ``callbacks`` get each epoch's logs (``on_epoch_end``) and may end
    the run by setting ``model.stop_training``; the model they are handed
    holds the run's weights from ``on_train_end`` on. ``listener`` is told the run's
    start, epochs and end (as run 0).

    Raises :class:`UsageError` before training when the loss does not fit the
    problem or its data. Anything that goes wrong once training has started
    ends this run with status ``failed`` and a one-line message instead.
    """
    job = resolve(config)
    callbacks = list(callbacks)
    if not callbacks:
        return train_population([job], stop=stop, listener=listener, grid=grid)[0]
    return _train_with_callbacks(job, callbacks, stop, listener, grid)


def train_population(jobs: list[Job], *, stop: StopSignal | None = None,
                     listener: RunListener = SILENT, grid: bool = False) -> list[RunResult]:
    """Train ``jobs`` -- which differ only in seed and learning rate -- together, as one
    population in one compiled program; results in the jobs' order.

    ``listener`` is told each run's start, epochs and end, with the job's index in
    ``jobs``. A member that diverges is dropped and the others go on; ``stop`` ends
    them all at the next epoch.
    """

    if not jobs:
        return []
    keys = {job.population for job in jobs}
    if len(keys) > 1:
        raise ValueError("a population's jobs may differ only in seed and learning rate")
    results = [new_result(job) for job in jobs]  # checks first: UsageError, nothing built
    job = jobs[0]
    for i, member_job in enumerate(jobs):
        results[i].learning_rate, results[i].optimizer = member_job.learning_rate, job.optimizer
        listener.run_started(i, member_job)
    started = time.perf_counter()
    try:
        hyper = {"momentum": job.momentum} if job.optimizer == "sgd" else {}
        population = Population(job.problem, job.loss, batch_size=job.batch_size,
                                hidden_units=job.layers, optimizer=job.optimizer, **hyper)
        outcomes = population.run([Member(j.seed, j.learning_rate) for j in jobs],
                                  epochs=job.epochs, stop=stop, listener=listener,
                                  checkpoint=job.checkpoint,
                                  checkpoint_metric=job.checkpoint_metric)
    except Exception as exc:  # the population failing must not take a sweep with it
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        outcomes = None
    seconds = time.perf_counter() - started
    for i, result in enumerate(results):
        if outcomes is None:
            result.status, result.message = FAILED, message
        else:
            outcome = outcomes[i]
            result.records = list(outcome.records)
            result.status, result.message = outcome.status, outcome.message
            result.weights, result.best_epoch = outcome.weights, outcome.best_epoch
        result.seconds = seconds / len(results)
        why = absurd_reason(result, jobs[i].problem) if result.status == DONE else None
        if why:  # finite but astronomically wrong: diverged in all but name
            result.status, result.message = DIVERGED, why
        if grid and result.weights is not None:
            result.regions = decision_grid_of(result.weights, jobs[i])
        listener.run_ended(i, result)
    return results


class _Either:
    """Set when either event is: the user's stop, or a callback's."""

    def __init__(self, *events):
        self.events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class _KerasCallbacks(RunListener):
    """Each epoch's logs to Keras callbacks; ``ended`` is set when one of them stops
    training (``model.stop_training``), after the epoch that did."""

    def __init__(self, hooks, model):
        self.hooks, self.model = hooks, model
        self.ended = threading.Event()
        self.ended_after: int | None = None

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        self.hooks.on_epoch_end(record.epoch - 1, dict(record.logs))
        if getattr(self.model, "stop_training", False) and not self.ended.is_set():
            self.ended_after = record.epoch
            self.ended.set()


def _train_with_callbacks(job: Job, callbacks: list, stop: threading.Event | None,
                          listener: RunListener, grid: bool) -> RunResult:
    """A population of one whose epochs also go to Keras callbacks."""

    new_result(job)  # checks before building anything
    model = build_model(job.loss, job.problem, hidden_units=job.layers, seed=job.seed)
    model.stop_training = False
    hooks = _callback_list(callbacks, model, job, len(job.problem.X_train))
    keras_callbacks = _KerasCallbacks(hooks, model)
    hooks.on_train_begin()
    result = train_population([job], stop=_Either(stop, keras_callbacks.ended),
                              listener=ListenerList([listener, keras_callbacks]), grid=grid)[0]
    ended_after = keras_callbacks.ended_after
    if ended_after is not None and result.epochs_run == ended_after:
        result.status = DONE
        result.message = f"a callback stopped training after epoch {ended_after}"
    if result.weights is not None:
        model.set_weights(result.weights)
    hooks.on_train_end(dict(result.records[-1].logs) if result.records else {})
    return result


def _callback_list(callbacks, model, config: Job, n_train: int):
    keras = load_keras()
    steps = -(-n_train // config.batch_size)
    return keras.callbacks.CallbackList(
        callbacks, add_history=False, add_progbar=False, model=model,
        epochs=config.epochs, steps=steps, verbose=0,
    )


def run(problem: str, loss: str, *, callbacks: Iterable = (),
        stop: threading.Event | None = None, listener: RunListener = SILENT,
        **overrides) -> RunResult:
    """Train ``loss`` on ``problem`` the tutorial's way; ``overrides`` are
    :class:`RunConfig`'s fields (``seed=0``, ``epochs=None``: the problem's, ...)."""
    config = RunConfig(problem=problem, loss=loss, **overrides)
    return train(config, callbacks=callbacks, stop=stop, listener=listener)

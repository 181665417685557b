"""Running one experiment: checks, model, the epoch loop, callbacks, stop, divergence."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.types import Checkpoint, Optimizer
from lossterm.data.problems import Problem, get_problem
from lossterm.losses import LossSpec, encode_targets, get_loss
from lossterm.losses.checks import check
from lossterm.losses.forms import fit_to
from lossterm.runtime.backend import load_keras
from lossterm.training.absurd import absurd_reason
from lossterm.training.graph import make_optimizer, make_stepper
from lossterm.training.model import build_model
from lossterm.training.population import Member, Population
from lossterm.training.records import (
    DIVERGED,
    DONE,
    FAILED,
    STOPPED,
    EpochRecord,
    Job,
    RunConfig,
    RunResult,
)
from lossterm.training.regions import decision_grid, decision_grid_of

EpochHandler = Callable[[EpochRecord], None]


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
    on_epoch: EpochHandler | None = None,
    grid: bool = False,
) -> RunResult:
    """Train one (problem, loss) run to the end, a stop, or divergence: a population of one.

    With ``grid``, a 2-D classifier's predicted classes over its input space
    are kept in ``result.regions`` (the TUI draws them behind the scatter).
    Keras ``callbacks`` get each epoch's logs (``on_epoch_end``) and may end
    the run by setting ``model.stop_training``; the model they are handed
    holds the run's weights from ``on_train_end`` on.

    Raises :class:`UsageError` before training when the loss does not fit the
    problem or its data. Anything that goes wrong once training has started
    ends this run with status ``failed`` and a one-line message instead.
    """
    job = resolve(config)
    callbacks = list(callbacks)
    if not callbacks:
        handler = None if on_epoch is None else (lambda i, record: on_epoch(record))
        return train_population([job], stop=stop, on_epoch=handler, grid=grid)[0]
    return _train_with_callbacks(job, callbacks, stop, on_epoch, grid)


def train_population(jobs: list[Job], *, stop=None, on_start=None, on_epoch=None, on_done=None,
                     grid: bool = False) -> list[RunResult]:
    """Train ``jobs`` -- which differ only in seed and learning rate -- together, as one
    population in one compiled program; results in the jobs' order.

    Handlers get the job's index in ``jobs``. A member that diverges is
    dropped and the others go on; ``stop`` ends them all at the next epoch.
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
        if on_start is not None:
            on_start(i, member_job)
    started = time.perf_counter()
    try:
        hyper = {"momentum": job.momentum} if job.optimizer == "sgd" else {}
        population = Population(job.problem, job.loss, batch_size=job.batch_size,
                                hidden_units=job.layers, optimizer=job.optimizer, **hyper)
        outcomes = population.run([Member(j.seed, j.learning_rate) for j in jobs],
                                  epochs=job.epochs, stop=stop, on_epoch=on_epoch,
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
        if on_done is not None:
            on_done(i, result)
    return results


class _Either:
    """Set when either event is: the user's stop, or a callback's."""

    def __init__(self, *events):
        self.events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


def _train_with_callbacks(job: Job, callbacks: list, stop, on_epoch, grid) -> RunResult:
    """A population of one whose epochs also go to Keras callbacks."""

    new_result(job)  # checks before building anything
    model = build_model(job.loss, job.problem, hidden_units=job.layers, seed=job.seed)
    model.stop_training = False
    hooks = _callback_list(callbacks, model, job, len(job.problem.X_train))
    ended = threading.Event()
    ended_after: list[int] = []

    def handler(i, record):
        if on_epoch is not None:
            on_epoch(record)
        hooks.on_epoch_end(record.epoch - 1, dict(record.logs))
        if getattr(model, "stop_training", False) and not ended.is_set():
            ended_after.append(record.epoch)
            ended.set()

    hooks.on_train_begin()
    result = train_population([job], stop=_Either(stop, ended), on_epoch=handler, grid=grid)[0]
    if ended_after and result.epochs_run == ended_after[0]:
        result.status = DONE
        result.message = f"a callback stopped training after epoch {ended_after[0]}"
    if result.weights is not None:
        model.set_weights(result.weights)
    hooks.on_train_end(dict(result.records[-1].logs) if result.records else {})
    return result


class Session:
    """One model, optimizer and traced epoch graph for a (problem, loss, settings): the
    one-run-at-a-time path of the first release (SGD only), kept for the benchmark
    that measures what populations save and for the tests that compare a
    population with Keras's own training of the same model.

    ``run(seed)`` re-initialises the weights exactly as a fresh model built
    with that seed would have them and zeroes the optimizer's state, so a run
    in a session gives the same numbers as a run on its own, without tracing
    the graph again. Sweeps over seeds use one session per (problem, loss).
    """

    def __init__(self, job: Job):
        self.job, self.problem, self.spec = job, job.problem, job.loss
        self._model = self._optimizer = self._step = None

    def check(self) -> None:
        """Raise UsageError if the loss cannot take this problem's data."""
        check(self.spec, self.problem)

    def run(self, seed: int, *, callbacks: Iterable = (), stop=None, on_epoch=None,
            grid: bool = False) -> RunResult:
        job = self.job.with_seed(seed)
        result = new_result(job)  # checks: UsageError, nothing built
        started = time.perf_counter()
        try:
            self._prepare(seed)
            self._loop(job, result, list(callbacks), stop, on_epoch)
            if grid and result.records:
                result.regions = decision_grid(self._model, self.spec, self.problem)
        except Exception as exc:  # one run failing must not take the others with it
            result.status, result.message = FAILED, f"{type(exc).__name__}: {exc}".splitlines()[0]
        result.seconds = time.perf_counter() - started
        return result

    def _prepare(self, seed: int) -> None:
        config, problem, spec = self.job, self.problem, self.spec
        if self._model is None:
            self._model = build_model(spec, problem, hidden_units=config.layers, seed=seed)
            self._optimizer = make_optimizer(config.learning_rate, config.momentum)
            self._model.compile(optimizer=self._optimizer, loss=spec.make_keras_loss())
            data = (
                problem.X_train, encode_targets(spec, problem.y_train, problem.n_classes),
                problem.X_test, encode_targets(spec, problem.y_test, problem.n_classes),
            )
            self._step = make_stepper(self._model, spec, self._optimizer, data, config.batch_size)
        else:
            fresh = build_model(spec, problem, hidden_units=config.layers, seed=seed)
            self._model.set_weights(fresh.get_weights())
            self._optimizer.iterations.assign(0)
            self._optimizer.learning_rate = config.learning_rate
            for slot in self._optimizer.momentums:
                slot.assign(np.zeros(slot.shape, dtype=slot.dtype))
        self._model.stop_training = False

    def _loop(self, config, result, callbacks, stop, on_epoch) -> None:
        model, spec, n_train = self._model, self.spec, len(self.problem.X_train)
        hooks = _callback_list(callbacks, model, config, n_train)
        rng = np.random.default_rng(config.seed)
        hooks.on_train_begin()
        for epoch in range(config.epochs):
            if stop is not None and stop.is_set():
                result.status, result.message = STOPPED, f"stopped before epoch {epoch + 1}"
                break
            hooks.on_epoch_begin(epoch)
            tick = time.perf_counter()
            logs = self._step(rng.permutation(n_train))
            record = _record(epoch + 1, logs, spec, time.perf_counter() - tick)
            if not record.finite:
                result.status = DIVERGED
                result.message = f"loss became {_bad(record)} at epoch {epoch + 1}"
                break
            result.records.append(record)
            if on_epoch is not None:
                on_epoch(record)
            hooks.on_epoch_end(epoch, dict(logs))
            if getattr(model, "stop_training", False):
                result.message = f"a callback stopped training after epoch {epoch + 1}"
                break
        hooks.on_train_end(dict(result.records[-1].logs) if result.records else {})


def _record(epoch: int, logs: dict, spec: LossSpec, seconds: float) -> EpochRecord:
    return EpochRecord(
        epoch=epoch,
        train_loss=logs["loss"], test_loss=logs["val_loss"],
        train_metric=logs[spec.metric], test_metric=logs["val_" + spec.metric],
        seconds=seconds, logs=logs,
    )


def _bad(record: EpochRecord) -> str:
    value = record.train_loss if not np.isfinite(record.train_loss) else record.test_loss
    return str(value)


def _callback_list(callbacks, model, config: Job, n_train: int):
    keras = load_keras()
    steps = -(-n_train // config.batch_size)
    return keras.callbacks.CallbackList(
        callbacks, add_history=False, add_progbar=False, model=model,
        epochs=config.epochs, steps=steps, verbose=0,
    )


def run(problem: str, loss: str, *, seed: int = 0, epochs: int | None = None,
        callbacks: Iterable = (), stop: threading.Event | None = None,
        on_epoch: EpochHandler | None = None, **overrides) -> RunResult:
    """Train ``loss`` on ``problem`` the tutorial's way; see :class:`RunConfig` for overrides."""
    config = RunConfig(problem=problem, loss=loss, seed=seed, epochs=epochs, **overrides)
    return train(config, callbacks=callbacks, stop=stop, on_epoch=on_epoch)

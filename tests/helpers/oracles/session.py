"""The first release's engine: one Keras model at a time, trained by Keras's own objects."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import numpy as np

from lossterm.losses import LossSpec, encode_targets
from lossterm.losses.checks import check
from lossterm.runtime.backend import load_keras
from lossterm.training.fit import new_result
from lossterm.training.model import build_model
from lossterm.training.records import DIVERGED, FAILED, STOPPED, EpochRecord, Job, RunResult
from lossterm.training.regions import decision_grid
from tests.helpers.oracles.graph import make_optimizer, make_stepper


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

    def run(self, seed: int, *, callbacks: Iterable = (), stop: threading.Event | None = None,
            on_epoch=None,
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

"""Training for the TUI, off the UI thread: a queue of runs trained one after another.

The App starts a Textual thread worker that calls :func:`train_queue`; each
seed's start, each epoch and each end comes back to the UI thread as a message
(``messages.py``), where the App updates its run board. Nothing here touches
a widget or a reactive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from textual.message import Message

from lossterm import service
from lossterm.app.messages import EpochDone, RunFinished, SeedFinished, SeedStarted
from lossterm.app.runs import RunView
from lossterm.core.errors import LosstermError
from lossterm.storage.store import Recorder
from lossterm.training.records import EpochRecord, Job, RunResult

# How the TUI names the engine's fields in its messages: by the key that sets them.
_FIELD_NAMES = {"label_noise": "label noise (L)", "outliers": "outliers (O)",
                "imbalance": "imbalance (I)", "seeds": "seeds (n)"}


def field_name(field: str) -> str:
    return _FIELD_NAMES.get(field, field.replace("_", " "))


class Trainer(Protocol):
    """Trains one run's seeds in order, reporting as it goes (the engine's ``sweep``)."""

    def __call__(self, jobs: list[Job], *, stop: threading.Event,
                 on_start: Callable[[int, Job], None],
                 on_epoch: Callable[[int, EpochRecord], None],
                 on_done: Callable[[int, RunResult], None]) -> list[RunResult]: ...


def engine_trainer(jobs, *, stop, on_start, on_epoch, on_done) -> list[RunResult]:
    """The service's training, one thread: the seeds of a run share one traced graph."""
    return service.train(jobs, threads=1, stop=stop, on_start=on_start, on_epoch=on_epoch,
                          on_done=on_done, grid=True)


def train_queue(take: Callable[[], RunView | None], trainer: Trainer, store,
                post: Callable[[Message], object], cancelled: Callable[[], bool]) -> None:
    """Train runs one after another until none is queued or the worker is cancelled.

    Runs on the training thread, so it gets everything explicitly and reaches
    the UI only through ``post`` (the App's ``post_message``): never a reactive.
    """
    while not cancelled() and (run := take()) is not None:
        train_run(run, trainer, store, post)


def train_run(run: RunView, trainer: Trainer, store,
              post: Callable[[Message], object]) -> None:
    """One run's seeds, recorded in ``store``; every step reported as a message."""
    run_id = run.id
    recorder = Recorder(
        store,
        lambda i, job: post(SeedStarted(run_id, job.seed)),
        lambda i, record: post(EpochDone(run_id, record, run.jobs[i].seed)),
        lambda i, result: post(SeedFinished(run_id, result)),
    )
    try:
        trainer(run.jobs, stop=run.stop, on_start=recorder.on_start,
                on_epoch=recorder.on_epoch, on_done=recorder.on_done)
    except LosstermError as exc:  # e.g. a run refused before training: a notification
        post(RunFinished(run_id, str(exc)))
        return
    post(RunFinished(run_id))

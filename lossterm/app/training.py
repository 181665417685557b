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
from lossterm.training.listener import RunListener
from lossterm.training.records import EpochRecord, Job, RunResult

# How the TUI names the engine's fields in its messages: by the key that sets them.
_FIELD_NAMES = {"label_noise": "label noise (L)", "outliers": "outliers (O)",
                "imbalance": "imbalance (I)", "seeds": "seeds (n)"}


def field_name(field: str) -> str:
    return _FIELD_NAMES.get(field, field.replace("_", " "))


class Trainer(Protocol):
    """Trains one run's seeds in order, reporting as it goes (the engine's ``sweep``)."""

    def __call__(self, jobs: list[Job], *, stop: threading.Event,
                 listener: RunListener) -> list[RunResult]: ...


def engine_trainer(jobs: list[Job], *, stop: threading.Event,
                   listener: RunListener) -> list[RunResult]:
    """The service's training, one thread: the seeds of a run share one traced graph."""
    return service.train_runs(jobs, threads=1, stop=stop, listener=listener, grid=True)


class _Posting(RunListener):
    """A run's seeds as messages to the UI thread (``post``): nothing else is touched."""

    def __init__(self, run: RunView, post: Callable[[Message], object]):
        self.run, self.post = run, post

    def run_started(self, index: int, job: Job) -> None:
        self.post(SeedStarted(self.run.id, job.seed))

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        self.post(EpochDone(self.run.id, record, self.run.jobs[index].seed))

    def run_ended(self, index: int, result: RunResult) -> None:
        self.post(SeedFinished(self.run.id, result))


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
    try:
        trainer(run.jobs, stop=run.stop, listener=Recorder(store, _Posting(run, post)))
    except LosstermError as exc:  # e.g. a run refused before training: a notification
        post(RunFinished(run_id, str(exc)))
        return
    post(RunFinished(run_id))

"""The app's run queue: runs queued by the keys, trained one after another by a
Textual thread worker calling the engine, each epoch and seed reported back as a
message and handled here on the UI thread."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable, Protocol

from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from lossterm.app.messages import (
    EpochDone,
    HistoryLoaded,
    RunFinished,
    SeedFinished,
    SeedStarted,
)
from lossterm.app.runs import TRAINING, RunView
from lossterm.app.widgets.runs_table import RunsTable
from lossterm import pipeline
from lossterm.engine import RunConfig, get_loss
from lossterm.engine.records import EpochRecord, Job, RunResult
from lossterm.engine.store import Recorder
from lossterm.engine.types import Status
from lossterm.errors import LosstermError


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
    """The pipeline's training, one thread: the seeds of a run share one traced graph."""
    return pipeline.train(jobs, threads=1, stop=stop, on_start=on_start, on_epoch=on_epoch,
                          on_done=on_done, grid=True)


def _overall_status(statuses: list[Status], seeds: int) -> Status:
    """A run's status from its seeds': stopped if cut short, else the worst seen."""
    if len(statuses) < seeds or Status.STOPPED in statuses:
        return Status.STOPPED
    for status in (Status.FAILED, Status.DIVERGED):
        if status in statuses:
            return status
    return Status.DONE


class RunQueue:
    """Mixed into the App: the queue, the training worker and its messages."""

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        """Earlier runs from the store: listed as finished runs, ready to overlay."""
        table = self.query_one(RunsTable)
        for result in message.results:
            spec = get_loss(result.loss)
            config = RunConfig(result.problem, result.loss, seed=result.seed,
                               epochs=result.epochs)
            run = RunView(next(self._ids), config, metric=result.metric,
                          short_name=spec.short_name, status=result.status,
                          results=[result], from_history=True)
            self.runs[run.id] = run
            table.upsert(run)

    def _enqueue(self, problem: str, losses: list[str]) -> None:
        try:
            options = replace(self.options, losses=tuple(losses), seeds=self.seeds)
            plan = pipeline.plan(options, problems=[self.training_problem(problem)])
        except LosstermError as exc:
            self.notify(exc.render(field_name), severity="error", timeout=10)
            return
        for line in plan.skipped:
            self.notify(f"skipped {line}", severity="warning", timeout=10)
        table = self.query_one(RunsTable)
        first_new = table.row_count
        for at in range(0, len(plan.runs), self.seeds):
            jobs = plan.runs[at:at + self.seeds]
            first, spec = jobs[0], jobs[0].loss
            config = RunConfig(first.problem.name, spec.name, seed=first.seed,
                               epochs=first.epochs)
            run = RunView(next(self._ids), config, metric=spec.metric,
                          short_name=spec.short_name, seeds=self.seeds, jobs=jobs)
            self.runs[run.id] = run
            self.queue.append(run.id)
            table.upsert(run)
        if plan.runs:
            table.move_cursor(row=first_new)  # keep what was just asked for in view
        self._start_worker()

    def _start_worker(self) -> None:
        busy = any(w.is_running for w in self.workers if w.group == "train")
        if self.queue and not busy:
            self._train_queue()

    @work(thread=True, group="train", exit_on_error=False)
    def _train_queue(self) -> None:
        worker = get_current_worker()
        while self.queue and not worker.is_cancelled:
            run = self.runs.get(self.queue.popleft())
            if run is None:
                continue
            run_id = run.id
            recorder = Recorder(
                self.store,
                lambda i, c: self.post_message(SeedStarted(run_id, c.seed)),
                lambda i, r: self.post_message(EpochDone(run_id, r)),
                lambda i, r: self.post_message(SeedFinished(run_id, r)),
            )
            try:
                self.trainer(run.jobs, stop=run.stop, on_start=recorder.on_start,
                             on_epoch=recorder.on_epoch, on_done=recorder.on_done)
            except LosstermError as exc:
                self.post_message(RunFinished(run_id, str(exc)))
                continue
            self.post_message(RunFinished(run_id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "train" and event.state == WorkerState.SUCCESS:
            self._start_worker()  # something queued as the worker was finishing

    def on_seed_started(self, message: SeedStarted) -> None:
        run = self.runs.get(message.run_id)
        if run is None:
            return
        self.current, run.status, run.live = run.id, TRAINING, []
        self.query_one(RunsTable).upsert(run)
        self._update_curves()

    def on_epoch_done(self, message: EpochDone) -> None:
        run = self.runs.get(message.run_id)
        if run is None:
            return
        run.live.append(message.record)
        self.query_one(RunsTable).upsert(run)
        self._plots_dirty = True

    def on_seed_finished(self, message: SeedFinished) -> None:
        run = self.runs.get(message.run_id)
        if run is None:
            return
        result = message.result
        run.results.append(result)
        run.live = []
        if result.status in (Status.DIVERGED, Status.FAILED):
            self.notify(f"{run.label} seed {result.seed}: {result.status}, {result.message}",
                        severity="warning", timeout=10)
        self.query_one(RunsTable).upsert(run)
        self._update_curves()

    def on_run_finished(self, message: RunFinished) -> None:
        run = self.runs.get(message.run_id)
        if self.current == message.run_id:
            self.current = None
        if run is None:
            return
        if message.error:
            run.status = Status.FAILED
            self.notify(message.error, severity="error", timeout=10)
        else:
            run.status = _overall_status([r.status for r in run.results], run.seeds)
        self.query_one(RunsTable).upsert(run)
        self._update_curves()
        self._show_problem()

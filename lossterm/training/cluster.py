"""A batch of runs as Dask tasks: one task per population, on whichever worker is free.

:func:`schedule_on` is :func:`lossterm.training.scheduler.schedule` with the threads
replaced by a Dask cluster (:mod:`lossterm.runtime.cluster`). What travels is small and
plain: each problem once per batch, scattered under its content's hash (a worker that
already holds it is not sent it again), and per task the population's jobs without their
problem and the backend's name; what comes back is the runs' plain
:class:`RunResult` records, each marked with the host and device that trained it. No
Keras object crosses the wire: each worker builds its own model from the recipe.

Why the answers do not change: a population's result depends only on its jobs (seeds,
rates, settings, data), never on the process or the order groups finish in — the same
property that lets a run in a sweep equal the same run alone. Results are put back in the
jobs' order, so a study on a cluster gives the JSON the threads give (less its seconds and
placements).

The listener hears each run (start, epochs, end) when its group's result arrives: a
worker streams nothing while it trains, and the store keeps each run as it arrives. A
worker that dies mid-group has the group re-run elsewhere by Dask's scheduler; a group
whose workers keep dying (Dask's ``allowed-failures``) ends the batch with one line.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lossterm.core.errors import LosstermError
from lossterm.runtime.backend import choose_backend, load_keras, running_backend, training_device
from lossterm.runtime.cluster import Connection
from lossterm.training.fit import train_population
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.records import Job, RunConfig, RunResult
from lossterm.training.scheduler import SweepInterrupted, populations

POLL_SECONDS = 0.25  # how often the client looks at its stop event while groups train


def schedule_on(connection: Connection, configs: Sequence[RunConfig | Job], *,
                stop: threading.Event | None = None, listener: RunListener = SILENT,
                grid: bool = False) -> list[RunResult]:
    """Train ``configs`` on the cluster; results in their order, as ``schedule``'s.

    ``stop`` set (or Ctrl+C): the workers' groups end at their next epoch, the groups not
    started are cancelled, and what arrived is returned (Ctrl+C: raised in a
    :class:`SweepInterrupted`). Every config is resolved and checked first."""
    resolved, ordered = populations(configs)  # checked before any task leaves
    client = connection.client
    stop = stop or threading.Event()
    batch = uuid.uuid4().hex
    futures: dict[Any, list[int]] = {}
    for rank, indices in enumerate(ordered):
        problem = connection.ship(resolved[indices[0]].problem)
        light = [replace(resolved[i], problem=None)  # type: ignore[arg-type]  # sent once, apart
                 for i in indices]
        future = client.submit(train_group, light, problem, running_backend(),
                               grid, key=f"lossterm-group-{batch}-{rank}",
                               priority=len(ordered) - rank, pure=False)
        futures[future] = indices
    results: dict[int, RunResult] = {}
    tally = _Tally(listener, len(futures), sum(len(g) for g in ordered))
    try:
        _collect(futures, resolved, results, tally, stop)
    except KeyboardInterrupt:
        _cancel(client, futures)
        raise SweepInterrupted([results[i] for i in sorted(results)]) from None
    if stop.is_set():
        _cancel(client, futures)
    return [results[i] for i in sorted(results)]


def train_group(jobs: list[Job], problem, backend: str, grid: bool) -> list[RunResult]:
    """On a worker: one population, its jobs given their problem back, trained with the
    client's Keras backend; each result marked with where it trained."""
    choose_backend(backend)
    load_keras()
    whole = [replace(job, problem=problem) for job in jobs]
    results = train_population(whole, stop=_RemoteStop(), grid=grid)
    where = f"{socket.gethostname()} ({training_device()})"
    for result in results:
        result.placement = where
    return results


class _RemoteStop:
    """The client's stop, read on a worker with no round trip: the client stops a batch by
    cancelling its futures, and the worker marks the running task ``cancelled`` in its own
    state, which this reads before each epoch."""

    def __init__(self) -> None:
        from distributed import get_worker

        self.worker = get_worker()
        self.key = self.worker.get_current_task()

    def is_set(self) -> bool:
        task = self.worker.state.tasks.get(self.key)
        return task is None or task.state in ("cancelled", "released", "forgotten")


class _Tally:
    """Groups and runs done across the workers, told to the listener as each group lands."""

    def __init__(self, listener: RunListener, groups: int, runs: int):
        self.listener, self.groups, self.runs = listener, groups, runs
        self.groups_done = self.runs_done = 0

    def landed(self, results: list[RunResult]) -> None:
        self.groups_done += 1
        self.runs_done += len(results)
        place = results[0].placement if results else ""
        self.listener.group_ended(self.groups_done, self.groups, self.runs_done, self.runs, place)


def _collect(futures: dict[Any, list[int]], resolved: list[Job], results: dict[int, RunResult],
             tally: _Tally, stop: threading.Event) -> None:
    """Wait for the groups, telling the listener each run as its group lands, until all
    have landed or ``stop`` is set (looked at every :data:`POLL_SECONDS`)."""
    landed: queue.Queue[Any] = queue.Queue()
    for future in futures:
        future.add_done_callback(landed.put)  # called on Dask's thread as each lands
    left = len(futures)
    while left and not stop.is_set():
        try:
            future = landed.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        left -= 1
        indices = futures[future]
        trained = _result_of(future, [resolved[i] for i in indices])
        for index, result in zip(indices, trained):
            results[index] = result
            tally.listener.run_started(index, resolved[index])
            for record in result.records:
                tally.listener.epoch_ended(index, record)
            tally.listener.run_ended(index, result)
        tally.landed(trained)


def _result_of(future, jobs: list[Job]) -> list[RunResult]:
    """A group's results; a group that could not run at all (Keras missing on the worker,
    a worker lost too often) is one line naming it and why."""
    try:
        return future.result()
    except LosstermError:
        raise
    except Exception as exc:
        job = jobs[0]
        why = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise LosstermError(f"the cluster could not train {job.problem.name}/{job.loss.name}: "
                            f"{why}") from None


def _cancel(client, futures: dict[Any, list[int]]) -> None:
    """Drop the batch's groups: those not begun never start, and those training stop at
    their next epoch (:class:`_RemoteStop`)."""
    with contextlib.suppress(Exception):
        client.cancel(list(futures))

"""Many runs fast: the runs that differ only in seed and learning rate train together as
one population (one compiled program), and the populations spread over threads
(TensorFlow releases the GIL while a graph runs).

Seed i is the same seed for every loss, so comparisons between losses are
paired. A run in a sweep gives the same numbers as the same run on its own
(a population of one; ``tests/test_sweep.py`` checks it).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import replace

from lossterm.core.errors import UsageError
from lossterm.runtime.backend import load_keras
from lossterm.training.fit import new_result, resolve, train_population
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.records import EpochRecord, Job, RunConfig, RunResult


class SweepInterrupted(Exception):
    """Ctrl+C during a sweep: the runs that finished are in ``results``."""

    def __init__(self, results: list[RunResult]):
        super().__init__("interrupted")
        self.results = results


def seeds_for(base_seed: int, count: int) -> list[int]:
    """The seeds of a repeated run: base, base + 1, ... (the same for every loss)."""
    if count < 1:
        raise UsageError("seeds must be at least 1")
    return [base_seed + i for i in range(count)]


def expand_seeds(jobs: list, count: int) -> list:
    """Each job (or config) repeated over ``count`` seeds starting at its own seed."""
    return [replace(c, seed=s) for c in jobs for s in seeds_for(c.seed, count)]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class _InSweep(RunListener):
    """A population's calls to the sweep's listener, each run's index in the population
    (``k``) turned into its index in the sweep (``indices[k]``); the results kept."""

    def __init__(self, listener: RunListener, indices: Sequence[int],
                 results: dict[int, RunResult]):
        self.listener, self.indices, self.results = listener, indices, results

    def run_started(self, index: int, job: Job) -> None:
        self.listener.run_started(self.indices[index], job)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        self.listener.epoch_ended(self.indices[index], record)

    def run_ended(self, index: int, result: RunResult) -> None:
        self.results[self.indices[index]] = result
        self.listener.run_ended(self.indices[index], result)


def schedule(
    configs: Sequence[RunConfig | Job],
    *,
    jobs: int | None = None,
    stop: threading.Event | None = None,
    listener: RunListener = SILENT,
    grid: bool = False,
) -> list[RunResult]:
    """Train ``configs``; results come back in their order. ``listener`` gets each run's
    index in ``configs`` and may be called from worker threads.

    Every config is resolved and checked first (UsageError before any training).
    """

    resolved, groups = populations(configs)
    load_keras()  # once, before the threads
    stop = stop or threading.Event()
    results: dict[int, RunResult] = {}
    work: queue.Queue[list[int]] = queue.Queue()
    for indices in groups:
        work.put(indices)

    def worker() -> None:
        while not stop.is_set():
            try:
                indices = work.get_nowait()
            except queue.Empty:
                return
            train_population([resolved[i] for i in indices], stop=stop, grid=grid,
                             listener=_InSweep(listener, indices, results))

    threads = [threading.Thread(target=worker, name=f"lossterm-sweep-{n}", daemon=True)
               for n in range(min(jobs or default_jobs(), len(groups)) or 1)]
    try:
        run_threads(threads, stop)
    except KeyboardInterrupt:
        raise SweepInterrupted([results[i] for i in sorted(results)]) from None
    return [results[i] for i in sorted(results)]


def populations(configs: Sequence[RunConfig | Job]) -> tuple[list[Job], list[list[int]]]:
    """``configs`` resolved and checked (UsageError before any training), and their
    indices grouped into populations (runs differing only in seed and rate), biggest
    first: what the threads and a cluster each train one at a time."""
    resolved = [resolve(c) for c in configs]
    for job in resolved:
        new_result(job)  # checks: UsageError before any training
    groups: dict[tuple, list[int]] = {}
    for index, job in enumerate(resolved):
        groups.setdefault(job.population, []).append(index)
    return resolved, sorted(groups.values(), key=len, reverse=True)


def run_threads(threads: Sequence[threading.Thread], stop: threading.Event) -> None:
    """Start ``threads`` and wait for them; on Ctrl+C set ``stop``, wait for them to let
    go, and raise the KeyboardInterrupt (short joins keep it deliverable)."""
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join()
        raise

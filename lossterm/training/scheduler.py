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
from collections.abc import Callable, Sequence
from dataclasses import replace

from lossterm.core.errors import UsageError
from lossterm.runtime.backend import load_keras
from lossterm.training.fit import new_result, resolve, train_population
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


def sweep(
    configs: Sequence[RunConfig | Job],
    *,
    jobs: int | None = None,
    stop: threading.Event | None = None,
    on_start: Callable[[int, Job], None] | None = None,
    on_epoch: Callable[[int, EpochRecord], None] | None = None,
    on_done: Callable[[int, RunResult], None] | None = None,
    grid: bool = False,
) -> list[RunResult]:
    """Train ``configs``; results come back in their order. Handlers get each run's index
    and may be called from worker threads.

    Every config is resolved and checked first (UsageError before any training).
    """

    resolved = [resolve(c) for c in configs]
    for job in resolved:
        new_result(job)  # checks: UsageError before any training
    groups: dict[tuple, list[int]] = {}
    for index, job in enumerate(resolved):
        groups.setdefault(job.population, []).append(index)
    load_keras()  # once, before the threads
    stop = stop or threading.Event()
    results: dict[int, RunResult] = {}
    work: queue.Queue[list[int]] = queue.Queue()
    for indices in sorted(groups.values(), key=len, reverse=True):  # biggest first
        work.put(indices)

    def worker() -> None:
        while not stop.is_set():
            try:
                indices = work.get_nowait()
            except queue.Empty:
                return
            at = indices.__getitem__  # a population's own index -> the sweep's

            def done(k, result, at=at):  # each closure keeps its own population's map
                results[at(k)] = result
                if on_done is not None:
                    on_done(at(k), result)

            train_population(
                [resolved[i] for i in indices], stop=stop, grid=grid, on_done=done,
                on_start=None if on_start is None else (
                    lambda k, job, at=at: on_start(at(k), job)),
                on_epoch=None if on_epoch is None else (lambda k, r, at=at: on_epoch(at(k), r)))

    threads = [threading.Thread(target=worker, name=f"lossterm-sweep-{n}", daemon=True)
               for n in range(min(jobs or default_jobs(), len(groups)) or 1)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)  # short joins keep Ctrl+C deliverable
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join()
        raise SweepInterrupted([results[i] for i in sorted(results)]) from None
    return [results[i] for i in sorted(results)]

"""Robustness curves: the comparison at each rate of label noise, the test split clean.

For each rate r of the sweep, the problem's training rows get r of their labels
flipped (:func:`lossterm.data.perturb.perturb`, symmetric or asymmetric noise)
and the comparison runs on that noisy problem:

- **tuned** (the default): a fair study (:func:`lossterm.analysis.study.study_jobs`),
  its validation rows carved out of the noisy training rows, so that each loss's
  learning rate and checkpoint are chosen on labels as noisy as the ones it trains
  on (what a user with noisy labels has); the point is *exactly* the study
  ``--label-noise r --tune`` runs alone;
- **untuned** (``--no-tune``): every loss at one learning rate over paired seeds,
  the last epoch's weights, as :mod:`lossterm.analysis.arms` compares them.

The test split is never perturbed: every figure of a curve is a clean-test
figure. Every point trains the same seeds (weights, shuffling, tuning seeds) on
the same data seed, and the flipped rows are nested (the rows flipped at 0.2 are
among those flipped at 0.4, flipped the same way): points differ by the noise
alone. :meth:`NoiseSweep.series` is the curve per loss that reports and the TUI
draw.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from lossterm.analysis.arms import arms, compare
from lossterm.analysis.study.protocol import Protocol
from lossterm.analysis.study.results import Phase, Trainer
from lossterm.analysis.study.run import check_metric, default_trainer, study_jobs
from lossterm.analysis.study.sweep_result import (  # the results, here too for their users
    NoiseSweep,
    Series,
    SeriesPoint,
    SweepPoint,
)
from lossterm.core.errors import UsageError
from lossterm.core.metric import default_metric, higher_is_better
from lossterm.data.perturb import (
    Perturbation,
    flipped_rows,
    perturb,
    unlearnable_warning,
)
from lossterm.data.problems import REGRESSION, Problem
from lossterm.data.split import validation_rows
from lossterm.training.records import Job
from lossterm.training.scheduler import expand_seeds

COMPARISON = "comparison"  # the phase an untuned point trains in


class _Stopped(Exception):
    """The stop event was set: the point in training is dropped."""

# --- checks --------------------------------------------------------------------------------


def check_rates(rates: Sequence[float]) -> tuple[float, ...]:
    """The rates, ascending; UsageError (field ``noise_sweep``) unless two or more distinct
    rates in [0, 1)."""
    values = [float(r) for r in rates]
    if len(values) < 2:
        raise UsageError("{field} needs two or more rates, e.g. 0,0.2,0.4,0.6", field="noise_sweep")
    for r in values:
        if not (math.isfinite(r) and 0 <= r < 1):
            raise UsageError(f"{{field}} rates must be in [0, 1); got {r:g}", field="noise_sweep")
    if len(set(values)) != len(values):
        raise UsageError("{field} lists a rate twice", field="noise_sweep")
    return tuple(sorted(values))


def parse_rates(text: str) -> tuple[float, ...]:
    """``0,0.2,0.4`` as rates (checked by :func:`check_rates`); UsageError if it is not a
    comma-separated list of numbers."""
    try:
        values = [float(part) for part in str(text).split(",")]
    except ValueError:
        raise UsageError(f"{{field}} takes rates separated by commas, e.g. 0,0.2,0.4,0.6; got "
                         f"{text!r}", field="noise_sweep") from None
    return check_rates(values)


def check_problem(problem: Problem) -> None:
    if problem.n_targets > 1:
        raise UsageError(f"{{field}} flips the labels of one target column; {problem.name} has "
                         f"{problem.n_targets} ({problem.kind})", field="noise_sweep")
    if problem.kind == REGRESSION:
        raise UsageError(f"{{field}} flips class labels; {problem.name} is regression (try "
                         "{field:outliers})", field="noise_sweep")


def noise_warnings(problem: Problem, rates: Sequence[float], kind: str) -> list[str]:
    """A line per rate at which the labels can no longer be learned (none refused)."""
    return [w for r in rates if (w := unlearnable_warning(r, kind, problem.n_classes))]

# --- the sweep -----------------------------------------------------------------------------


def sweep_jobs(jobs: list[Job], rates: Sequence[float], protocol: Protocol, *,
                    base: Perturbation | None = None, tune: bool = True,
                    seeds: int | None = None, trainer: Trainer | None = None,
                    threads: int | None = None, stop: threading.Event | None = None,
                    held: Mapping[int, np.ndarray] | None = None,
                    on_start: Callable[[str, float], None] | None = None,
                    on_point: Callable[[NoiseSweep], None] | None = None) -> list[NoiseSweep]:
    """A robustness sweep per problem of ``jobs`` (one resolved job per (problem, loss), on
    the clean problem, carrying the base settings and seed).

    ``base``: the perturbation each rate is set on: its ``noise_kind``, ``seed`` (the
    data seed: flips and validation rows) and any ``imbalance``; its ``label_noise`` must
    be 0. ``tune``: each point a study under ``protocol``, else the untuned comparison
    over ``seeds`` (default ``protocol.seeds``). ``trainer``: how a phase trains (a
    study's trainer; untuned points train in a phase named :data:`COMPARISON`), default
    :func:`default_trainer` on ``threads`` with ``stop``. ``held``: validation rows per
    ``id(clean problem)`` where the data fixed them (``--split-column``).

    ``stop`` set: the point in training is dropped and the sweep ends with the points
    done (``stopped``). ``on_start`` gets (problem, rate) as each point starts (its phases
    then reach ``trainer``); ``on_point`` gets a snapshot of the sweep after each point.
    Everything that can be refused is refused before any training.
    """
    rates = check_rates(rates)
    base = base or Perturbation()
    if base.label_noise:
        raise UsageError("{field} sets one rate; {field:noise_sweep} sets each point's: give one",
                         field="label_noise")
    base.validate()
    stop = stop or threading.Event()
    trainer = trainer or (lambda js, phase: default_trainer(js, phase, threads=threads,
                                                            stop=stop))
    if tune:
        protocol.check_for_study()
    by_problem: dict[int, list[Job]] = {}
    for job in jobs:
        by_problem.setdefault(id(job.problem), []).append(job)
    count = protocol.seeds if seeds is None else seeds
    if count < 1:
        raise UsageError("{field} must be at least 1", field="seeds")
    prepared = [_prepare(group, rates, protocol, base, tune, held, count)
                for group in by_problem.values()]
    out = []
    for sweep, noisy in prepared:
        out.append(_run(sweep, noisy, protocol, tune, count, _guard(trainer, stop), stop,
                        on_start, on_point))
        if sweep.stopped:
            break
    return out


def _prepare(jobs: list[Job], rates, protocol: Protocol, base: Perturbation, tune: bool, held,
             seeds: int):
    """The sweep's empty result and, per rate, the noisy problem, its jobs and validation
    rows: every refusal (kind, metric, validation share, perturbation) before training."""
    first = jobs[0]
    problem = first.problem
    check_problem(problem)
    metric = protocol.metric_for(problem.kind) if tune else _untuned_metric(problem, protocol)
    if tune:
        check_metric(problem, metric, [j.loss for j in jobs])
    noisy = []
    for rate in rates:
        p = perturb(problem, replace(base, label_noise=rate))
        mine = [replace(job, problem=p) for job in jobs]
        rows = None
        if tune:
            fixed = (held or {}).get(id(problem))
            rows = fixed if fixed is not None else validation_rows(
                p, protocol.validation_share, base.seed)
        noisy.append((rate, p, mine, rows))
    sweep = NoiseSweep(
        problem=problem.name, kind=str(problem.kind), n_classes=problem.n_classes,
        noise_kind=base.noise_kind, rates=tuple(rates), tuned=tune, metric=metric,
        higher=higher_is_better(metric), losses=[j.loss.name for j in jobs],
        seeds=(protocol.final_seeds(first.seed) if tune
               else [first.seed + i for i in range(seeds)]),
        tuning_seeds=protocol.tuning_seeds(first.seed) if tune else [],
        protocol=protocol,
        learning_rates=() if tune else tuple(dict.fromkeys(j.learning_rate for j in jobs)),
        data_seed=base.seed, rows={"training": len(noisy[0][1].y_train),
                                   "test": len(problem.y_test)},
        warnings=noise_warnings(problem, rates, base.noise_kind))
    return sweep, noisy


def _untuned_metric(problem: Problem, protocol: Protocol) -> str:
    """An untuned comparison ranks on each run's own metric (accuracy for classes)."""
    default = default_metric(problem.kind)
    if protocol.metric not in (None, default):
        raise UsageError(f"{{field}} {protocol.metric} chooses in a study; an untuned sweep "
                         f"({{field:no_tune}}) compares test {default} (drop one)",
                         field="metric")
    return default


def _guard(trainer: Trainer, stop: threading.Event) -> Trainer:
    """``trainer``, raising :class:`_Stopped` once ``stop`` is set (before or after a phase)."""
    def train(jobs, phase):
        if stop.is_set():
            raise _Stopped
        results = trainer(jobs, phase)
        if stop.is_set():
            raise _Stopped
        return results

    return train


def _run(sweep: NoiseSweep, noisy, protocol, tune, seeds, trainer, stop, on_start,
         on_point) -> NoiseSweep:
    for rate, problem, jobs, rows in noisy:
        if stop.is_set():
            sweep.stopped = True
            return sweep
        if on_start is not None:
            on_start(sweep.problem, rate)
        tick = time.perf_counter()
        try:
            if tune:
                (study,) = study_jobs(jobs, protocol, data_seed=sweep.data_seed, trainer=trainer,
                                     held={id(problem): rows})
                results, comparison = [], None
            else:
                study = None
                results, comparison = _untuned(jobs, seeds, sweep.metric, trainer)
        except _Stopped:
            sweep.stopped = True
            return sweep
        flipped = flipped_rows(len(problem.y_train), rate)
        sweep.points.append(SweepPoint(rate, problem.name, flipped, len(problem.y_train),
                                       time.perf_counter() - tick, study, results, comparison))
        if on_point is not None:
            on_point(replace(sweep, points=list(sweep.points)))
    return sweep


def _untuned(jobs: list[Job], seeds: int, metric: str, trainer: Trainer):
    """Every loss at its one learning rate over ``seeds`` paired seeds, and the comparison
    :mod:`lossterm.analysis.arms` makes of them (None under two losses)."""

    planned = expand_seeds(jobs, seeds)
    higher = higher_is_better(metric)
    phase = Phase(COMPARISON, jobs[0].problem.name, len(planned), metric, higher, "last",
                  metric, higher)
    results = trainer(planned, phase)
    comparisons = compare(arms(results))
    return results, comparisons[0] if comparisons else None


__all__ = ["COMPARISON", "NoiseSweep", "Series", "SeriesPoint", "SweepPoint", "check_rates",
           "noise_warnings", "parse_rates", "sweep_jobs"]

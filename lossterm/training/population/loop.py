"""The population's epoch loop, the same for every backend: shuffles, records, divergence,
stop, checkpoints, and which rows the engine holds.

Two rules used to live in the engines, each its own way (TensorFlow refilled a
diverged member's rows and shrank at half, JAX masked them, PyTorch dropped them
and traced again; only TensorFlow and PyTorch padded a lone member). They are
decided here now, once:

* a lone member runs beside a copy of itself (:func:`start_rows`): batched
  kernels take another path for one model, whose rounding differs in the last
  bit, so a member's numbers would depend on whether it is alone;
* a member whose train or test loss is not finite is dropped: its rows are
  refilled with copies of a kept member, so the program keeps its size (no new
  trace or compile), and the program shrinks only when at most half its rows are
  left (:func:`rows_after`).

Copies shuffle as the member in row 0, the one they copy, and are never reported.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lossterm.losses import LossSpec
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.population.core import (
    Checkpoint,
    Data,
    EpochOutput,
    Layout,
    Member,
    MemberOutcome,
    PopulationEngine,
    StopSignal,
    epoch_logs,
    start_weights,
    unstack,
)
from lossterm.training.records import DIVERGED, STOPPED, EpochRecord

LAST = Checkpoint()  # each member keeps its last epoch's weights


def start_rows(count: int) -> list[int]:
    """The members each row holds at the start: one row each, a lone member twice."""
    return [row % count for row in range(max(count, 2))]


def rows_after(kept: Sequence[int], size: int) -> list[int]:
    """The rows a program of ``size`` rows keeps when only the reported rows ``kept`` go on:
    those first, then copies of the first to keep the size; or, when at most half the
    rows are left, only those (a lone one with its copy)."""
    new_size = size if 2 * len(kept) > size else max(len(kept), 2)
    return [kept[k] if k < len(kept) else kept[0] for k in range(new_size)]


@dataclass(frozen=True)
class Program:
    """One population's compiled program and what it trains on."""

    engine: PopulationEngine
    layout: Layout
    spec: LossSpec
    data: Data


@dataclass
class _Live:
    """The members still going: ``members[r]`` is in row r; rows past them are copies."""

    members: list[int]
    rows: int
    best: list[float | None] = field(default_factory=list)


def run_members(program: Program, members: Sequence[Member], *, epochs: int,
                stop: StopSignal | None = None, listener: RunListener = SILENT,
                checkpoint: Checkpoint = LAST) -> list[MemberOutcome]:
    """Start ``program``'s engine for ``members`` and train them for ``epochs``.

    Member p's shuffles come from its own ``default_rng(seed)``, one permutation
    per epoch, as a single run's do. ``stop`` is read before each epoch.
    ``listener.epoch_ended(p, record)`` is told each member's epochs, in the
    calling thread. ``seconds`` in a record is the epoch's wall time shared
    equally among the members that ran it. Under ``checkpoint`` "best" the
    weights are fetched after an epoch only when some member improved.
    """
    engine = program.engine
    rows = start_rows(len(members))
    weights = start_weights(program.layout, [members[m].seed for m in rows])
    engine.start(weights, np.array([members[m].learning_rate for m in rows], np.float32))
    outcomes = [MemberOutcome(m) for m in members]
    live = _Live(list(range(len(members))), len(rows), [None] * len(members))
    rngs = [np.random.default_rng(m.seed) for m in members]
    n_train = len(program.data.x_train)
    for epoch in range(1, epochs + 1):
        if not live.members:
            break
        if stop is not None and stop.is_set():
            for i in live.members:
                outcomes[i].status, outcomes[i].message = STOPPED, f"stopped before epoch {epoch}"
            break
        perms = np.stack([rngs[i].permutation(n_train) for i in live.members])
        copies = live.rows - len(live.members)
        tick = time.perf_counter()
        out = engine.epoch(np.concatenate([perms, np.repeat(perms[:1], copies, axis=0)]))
        seconds = (time.perf_counter() - tick) / len(live.members)
        kept = _record_epoch(program, epoch, _reported(out, len(live.members)),
                             [outcomes[i] for i in live.members], seconds)
        for row in kept:
            listener.epoch_ended(live.members[row], outcomes[live.members[row]].records[-1])
        if checkpoint.kind == "best":
            _keep_best(engine, checkpoint, epoch, live, kept, outcomes)
        if len(kept) < len(live.members):
            live.members = [live.members[row] for row in kept]
            if kept:
                index = rows_after(kept, live.rows)
                engine.keep(index)
                live.rows = len(index)
    if checkpoint.kind == "last" and live.members:
        for i, weights in zip(live.members, unstack(engine.weights())):
            outcome = outcomes[i]
            outcome.weights = weights
            outcome.best_epoch = outcome.records[-1].epoch if outcome.records else None
    return outcomes


def _reported(out: EpochOutput, count: int) -> EpochOutput:
    """The first ``count`` rows: the members, not their copies."""
    return EpochOutput(out.loss[:count], out.val_loss[:count], out.pred[:count],
                       out.val_pred[:count])


def _keep_best(engine: PopulationEngine, checkpoint: Checkpoint, epoch: int, live: _Live,
               kept: list[int], outcomes: list[MemberOutcome]) -> None:
    """Snapshot the weights of the members whose ``val_<metric>`` improved this epoch."""
    improved = []
    for row in kept:
        i = live.members[row]
        value = outcomes[i].records[-1].logs[checkpoint.key]
        if checkpoint.better(value, live.best[i]):
            live.best[i] = value
            improved.append(row)
    if improved:
        weights = unstack(engine.weights())
        for row in improved:
            outcome = outcomes[live.members[row]]
            outcome.weights, outcome.best_epoch = weights[row], epoch


def _record_epoch(program: Program, epoch: int, out: EpochOutput,
                  outcomes: list[MemberOutcome], seconds: float) -> list[int]:
    """Append each reported row's record to its outcome, or mark it diverged (the one
    divergence rule: its train or test loss is not finite); return the rows kept."""
    kept = []
    finite = np.isfinite(out.loss) & np.isfinite(out.val_loss)
    logs = epoch_logs(out, program.spec, program.data)
    metric = program.spec.metric  # a registry lookup: once per epoch, not once per member
    val_metric = "val_" + metric
    for row, outcome in enumerate(outcomes):
        if not finite[row]:
            loss, val_loss = float(out.loss[row]), float(out.val_loss[row])
            bad = loss if not math.isfinite(loss) else val_loss
            outcome.status, outcome.message = DIVERGED, f"loss became {bad} at epoch {epoch}"
            continue
        row_logs = logs[row]
        outcome.records.append(EpochRecord(
            epoch=epoch, train_loss=row_logs["loss"], test_loss=row_logs["val_loss"],
            train_metric=row_logs[metric], test_metric=row_logs[val_metric], seconds=seconds,
            logs=row_logs))
        kept.append(row)
    return kept

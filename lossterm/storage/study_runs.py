"""A study's runs, kept as they end so that the same command, run again, resumes.

A study trains hundreds of runs (every loss x rate x seed, per phase); a dropped SSH link
or ``kill -9`` used to lose them all. Each run that ends is written here, committed at
once, keyed by everything that decides its result (:func:`study_key`), with what the
study reads from it to finish without retraining: its figures, its epochs and its kept
weights. Run again, a study looks each job up and trains only the missing ones.

Why a table of its own and not the run history (``runs``): a study run's "test" figures
are validation figures (it trains on the tuning view), which ``lossterm report`` and the
TUI's history would misread as test figures. So the history stays as it was and this
table is read only by a study looking for its own runs.

Why exact: a resumed study must give the verdict the uninterrupted one would have, bit
for bit. The epochs go through JSON (Python's float repr round-trips every float64, NaN
and infinities included) and the weights through ``np.save`` (their dtype and bytes as
they were), never through text that rounds. Only runs that ended for good are kept
(done, or diverged: both are what training that job gives); a stopped, failed or
unfinished run is trained again.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lossterm.analysis.experiments import run_settings
from lossterm.analysis.study.context import Candidate
from lossterm.analysis.study.results import Phase
from lossterm.core.errors import UsageError
from lossterm.core.types import Status
from lossterm.storage.schema import check_schema
from lossterm.storage.store import SCHEMA as STORE_SCHEMA
from lossterm.training.listener import Relay, RunListener
from lossterm.training.records import EpochRecord, Job, RunResult

PhaseTrain = Callable[[list[Job], RunListener], list[RunResult]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS study_runs (
    key TEXT PRIMARY KEY, stored REAL NOT NULL, problem TEXT NOT NULL, loss TEXT NOT NULL,
    phase TEXT NOT NULL, seed INTEGER NOT NULL, learning_rate REAL, settings TEXT NOT NULL,
    result TEXT NOT NULL, weights BLOB
);
"""
KEPT = (Status.DONE, Status.DIVERGED)  # ended for good: training the job again gives the same


def study_key(job: Job, phase: str) -> str:
    """What decides a study run's result, as one digest: the problem (its name and its
    data's fingerprint: the tuning view, so the validation draw and any perturbation
    with it), the loss (its name carries its settings), its head and, for a loss from a
    ``--loss-file``, its source (edited, it is another loss), every training
    setting (rate, seed, epochs, optimizer, widths, checkpoint), the backend, and the
    phase it belongs to."""
    return hashlib.sha256(key_text(job, phase).encode()).hexdigest()


def key_text(job: Job, phase: str) -> str:
    """:func:`study_key` before the digest, readable (stored beside it)."""
    loss = job.loss
    return json.dumps({
        "problem": job.problem.name, "loss": loss.name, "phase": phase,
        "head": [loss.head.key, loss.head.activation, str(loss.target_encoding),
                 loss.keras_module, loss.keras_class, list(loss.settings)],
        "code": hashlib.sha256(str(getattr(loss, "code", "")).encode()).hexdigest(),
        **run_settings(job), "checkpoint": job.checkpoint,
        "checkpoint_metric": job.checkpoint_metric}, sort_keys=True, default=str)


class StudyRuns:
    """The study runs of one store file, on a connection of their own (WAL: the run
    history's writer and readers are not blocked). ``fresh``: look nothing up (every run
    trains), but still keep what ends, replacing what was there. ``timeout``: how long a
    write waits for a store another process has locked."""

    def __init__(self, path: str | Path, *, fresh: bool = False, timeout: float = 10):
        self.path, self.fresh = Path(path).expanduser(), fresh
        self._lock = threading.Lock()
        self.kept = self.asked = 0  # runs found in the store, runs looked up
        self.failed = ""  # why the store stopped keeping or finding runs, if it did
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=timeout)
        except (sqlite3.Error, OSError) as exc:
            raise UsageError(f"cannot use {self.path} as the run store: {exc}") from None
        try:
            # Another program's database is refused untouched, as the run history refuses
            # it; the history's own tables are made too, so a file a study started is
            # still a lossterm store when plain runs or `lossterm report` open it.
            check_schema(self._db, self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(STORE_SCHEMA + SCHEMA)
        except UsageError:
            self._db.close()
            raise
        except sqlite3.Error as exc:
            self._db.close()
            raise UsageError(f"cannot use {self.path} as the run store: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def found(self, keys: list[str]) -> dict[str, tuple[str, bytes | None]]:
        """The stored runs among ``keys`` (none when ``fresh``), as stored: decode each
        with :func:`decode` (once per job: two jobs never share one result object)."""
        self.asked += len(keys)
        if self.fresh or not keys or self.failed:
            return {}
        out: dict[str, tuple[str, bytes | None]] = {}
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            try:
                for start in range(0, len(wanted), 500):  # SQLite's limit on parameters
                    part = wanted[start:start + 500]
                    rows = self._db.execute(
                        f"SELECT key, result, weights FROM study_runs WHERE key IN "
                        f"({','.join('?' * len(part))})", part).fetchall()
                    out.update((key, (result, weights)) for key, result, weights in rows)
            except sqlite3.Error as exc:
                self.failed = f"could not read the study's runs from {self.path}: {exc}"
                return {}
        self.kept += sum(key in out for key in keys)
        return out

    def keep(self, key: str, job: Job, phase: str, result: RunResult) -> bool:
        """Write ``result`` under ``key`` and commit, if it ended for good; whether it was
        written. A store that fails (full disk, locked) is not the study's end: the study
        goes on, nothing more is kept and ``failed`` says why (once, at the end)."""
        if result.status not in KEPT:
            return False
        if self.failed:
            return False
        text, weights = encode(result)
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO study_runs (key, stored, problem, loss, phase, seed,"
                    " learning_rate, settings, result, weights) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (key, time.time(), result.problem, result.loss, phase, result.seed,
                     result.learning_rate, key_text(job, phase), text, weights))
                self._db.commit()
            except sqlite3.Error as exc:  # full disk, locked: the study goes on unkept
                self.failed = f"could not keep the study's runs in {self.path}: {exc}"
                return False
        return True

    def count(self) -> int:
        """How many study runs the store holds."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM study_runs").fetchone()[0])


def resume_phase(runs: StudyRuns, jobs: list[Job], phase: Phase, label: str,
                 listener: RunListener, train: PhaseTrain, *, tells: bool = True
                 ) -> list[RunResult]:
    """A study phase's ``jobs``, those in the store read back and only the others trained
    (by ``train``, as one call: a population of the missing runs gives each the numbers
    it gives in the whole population). ``listener`` hears how many were resumed, then
    the phase as it trains; each run is kept as it ends (``tells``: ``train`` tells its
    listener each run; otherwise its results are kept when it returns). Results in no
    particular order: a study matches them by candidate."""
    keys = [study_key(job, phase.name) for job in jobs]
    stored = runs.found(keys)
    resumed = [decode(*stored[key]) for key in keys if key in stored]
    todo = [(job, key) for job, key in zip(jobs, keys) if key not in stored]
    missing = [job for job, _ in todo]
    if resumed:
        listener.resumed(label, len(resumed), len(jobs))
    listener.phase_started(label, missing)
    if not missing:
        return resumed
    keeping = _Keeping(runs, todo, phase.name, listener)
    trained = train(missing, keeping if tells else listener)
    if not tells:
        by = {Candidate.of_job(job, phase.name): index for index, job in enumerate(missing)}
        for result in trained:
            index = by.get(Candidate.of_result(result, phase.name))
            if index is not None:
                keeping.keep(index, result)
    return resumed + trained


class _Keeping(Relay):
    """Keeps each run of a phase in the store as it ends, before ``listener`` hears of it
    (so a run ``kill -9`` cut after its end is not trained again)."""

    def __init__(self, runs: StudyRuns, todo: list[tuple[Job, str]], phase: str,
                 listener: RunListener):
        self.runs, self.todo, self.phase, self.listener = runs, todo, phase, listener

    def keep(self, index: int, result: RunResult) -> None:
        job, key = self.todo[index]
        self.runs.keep(key, job, self.phase, result)

    def run_ended(self, index: int, result: RunResult) -> None:
        self.keep(index, result)
        self.listener.run_ended(index, result)


_FIELDS = ("problem", "loss", "kind", "output_activation", "output_layer", "target_encoding",
           "metric", "seed", "epochs", "warnings", "notes", "message", "seconds",
           "learning_rate", "optimizer", "best_epoch", "placement")


def encode(result: RunResult) -> tuple[str, bytes | None]:
    """``result`` as JSON (its fields and epochs) and its kept weights as ``np.save`` bytes
    (None when it kept none). Decision regions are not kept: a study draws none."""
    fields = {name: getattr(result, name) for name in _FIELDS}
    fields["status"] = str(result.status)
    fields["records"] = [[r.epoch, r.train_loss, r.test_loss, r.train_metric, r.test_metric,
                          r.seconds, dict(r.logs)] for r in result.records]
    text = json.dumps(fields, default=_plain)
    if result.weights is None:
        return text, None
    buffer = io.BytesIO()
    np.savez(buffer, *result.weights)
    return text, buffer.getvalue()


def decode(text: str, weights: bytes | None) -> RunResult:
    """The :class:`RunResult` :func:`encode` wrote, equal to it field by field."""
    fields = json.loads(text)
    records = [EpochRecord(epoch, train_loss, test_loss, train_metric, test_metric, seconds,
                           logs)
               for epoch, train_loss, test_loss, train_metric, test_metric, seconds, logs
               in fields.pop("records")]
    fields["status"] = Status(fields["status"])
    fields["warnings"], fields["notes"] = tuple(fields["warnings"]), tuple(fields["notes"])
    kept = None
    if weights is not None:
        with np.load(io.BytesIO(weights), allow_pickle=False) as arrays:
            kept = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    return RunResult(**fields, records=records, weights=kept)


def _plain(value: object) -> object:
    """NumPy scalars as Python's (a float32 widens exactly to a float64)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a study run")

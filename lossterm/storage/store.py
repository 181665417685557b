"""The run history: every run and every epoch in SQLite, each epoch committed as it ends.

WAL mode, so a reader (the TUI, ``lossterm report``) never blocks the writer
and a process killed mid-run (even with kill -9) leaves a database that
opens, with its finished epochs in it. A run still marked ``running`` whose
process is gone is reported as ``incomplete``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from lossterm.analysis.experiments import run_settings
from lossterm.core.errors import UsageError
from lossterm.core.types import Status
from lossterm.training.fit import new_result
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.records import EpochRecord, Job, RunResult

RUNNING, INCOMPLETE = Status.RUNNING, Status.INCOMPLETE

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL, finished REAL, pid INTEGER NOT NULL,
    problem TEXT NOT NULL, loss TEXT NOT NULL, kind TEXT NOT NULL, seed INTEGER NOT NULL,
    config TEXT NOT NULL, output_activation TEXT, output_layer TEXT, target_encoding TEXT,
    metric TEXT NOT NULL, epochs INTEGER NOT NULL,
    status TEXT NOT NULL, message TEXT DEFAULT '', warnings TEXT DEFAULT '[]',
    notes TEXT DEFAULT '[]', seconds REAL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id), epoch INTEGER NOT NULL,
    seconds REAL NOT NULL, logs TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
"""


def default_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "lossterm" / "runs.sqlite"


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise UsageError(f"cannot use {self.path} as the run store: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int | None:
        """Run one statement and commit; the new row's id after an INSERT."""
        with self._lock:
            cursor = self._db.execute(sql, args)
            self._db.commit()
            return cursor.lastrowid

    def start_run(self, result: RunResult, job: Job) -> int:
        """A row for a run about to train; its status stays ``running`` until it ends."""
        settings = run_settings(job)
        run_id = self._write(
            "INSERT INTO runs (started, pid, problem, loss, kind, seed, config, output_activation,"
            " output_layer, target_encoding, metric, epochs, status, warnings, notes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (time.time(), os.getpid(), result.problem, result.loss, result.kind, result.seed,
             json.dumps(settings), result.output_activation, result.output_layer,
             result.target_encoding, result.metric, result.epochs, RUNNING,
             json.dumps(list(result.warnings)), json.dumps(list(result.notes))))
        assert run_id is not None  # sqlite gives an INSERT's row id
        return run_id

    def add_epoch(self, run_id: int, record: EpochRecord) -> None:
        self._write("INSERT OR REPLACE INTO epochs (run_id, epoch, seconds, logs) VALUES (?,?,?,?)",
                    (run_id, record.epoch, record.seconds, json.dumps(dict(record.logs))))

    def finish_run(self, run_id: int, result: RunResult) -> None:
        self._write("UPDATE runs SET finished=?, status=?, message=?, seconds=?, warnings=?,"
                    " notes=? WHERE id=?",
                    (time.time(), result.status, result.message, result.seconds,
                     json.dumps(list(result.warnings)), json.dumps(list(result.notes)), run_id))

    def results(self, limit: int | None = None) -> list[tuple[int, RunResult]]:
        """Stored runs, oldest first (the last ``limit`` if given), with their ids."""
        return [(run_id, result) for run_id, _, result in self.entries(limit)]

    def entries(self, limit: int | None = None) -> list[tuple[int, dict, RunResult]]:
        """As :meth:`results`, each with the settings the run trained with
        (:func:`~lossterm.analysis.experiments.run_settings`: epochs, learning rate,
        optimizer, ..., the data's fingerprint and the backend; runs stored before
        lossterm recorded the last two lack them)."""
        with self._lock:
            cursor = self._db.execute(
                "SELECT * FROM (SELECT * FROM runs ORDER BY id DESC LIMIT ?) ORDER BY id",
                (-1 if limit is None else limit,))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            epochs: dict[int, list[tuple[int, float, dict[str, float]]]] = {}
            for run_id, epoch, seconds, logs in self._db.execute(
                    "SELECT run_id, epoch, seconds, logs FROM epochs ORDER BY run_id, epoch"):
                epochs.setdefault(run_id, []).append((epoch, seconds, json.loads(logs)))
        out = []
        for row in rows:
            fields = dict(zip(names, row))
            out.append((row[0], json.loads(fields["config"] or "{}"),
                        _result(fields, epochs.get(row[0], []))))
        return out


def _result(row: dict, epochs: list) -> RunResult:
    status = Status(row["status"])
    if status == RUNNING and not _alive(row["pid"]):
        status = INCOMPLETE
    metric = row["metric"]
    settings = json.loads(row["config"] or "{}")
    records = [EpochRecord(epoch, logs["loss"], logs["val_loss"], logs[metric],
                           logs["val_" + metric], seconds, logs)
               for epoch, seconds, logs in epochs]
    return RunResult(
        problem=row["problem"], loss=row["loss"], kind=row["kind"],
        output_activation=row["output_activation"], output_layer=row["output_layer"],
        target_encoding=row["target_encoding"], metric=metric, seed=row["seed"],
        epochs=row["epochs"], status=status, records=records,
        warnings=tuple(json.loads(row["warnings"])), notes=tuple(json.loads(row["notes"])),
        message=row["message"] or "", seconds=row["seconds"] or 0.0,
        learning_rate=settings.get("learning_rate"), optimizer=settings.get("optimizer", "sgd"))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Recorder(RunListener):
    """A listener that writes each run to ``store`` as it goes (none when ``store`` is
    None), then tells ``listener``: a run is in the store before anyone is told of it."""

    def __init__(self, store: Store | None, listener: RunListener = SILENT):
        self.store, self.listener = store, listener
        self._ids: dict[int, int] = {}

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        self.listener.phase_started(label, jobs)

    def run_started(self, index: int, job: Job) -> None:
        if self.store is not None:
            self._ids[index] = self.store.start_run(new_result(job), job)
        self.listener.run_started(index, job)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        if self.store is not None:
            self.store.add_epoch(self._ids[index], record)
        self.listener.epoch_ended(index, record)

    def run_ended(self, index: int, result: RunResult) -> None:
        if self.store is not None:
            self.store.finish_run(self._ids.pop(index), result)
        self.listener.run_ended(index, result)

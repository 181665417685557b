"""The run history: every run and every epoch in SQLite, each epoch committed as it ends.

WAL mode, so a reader (the TUI, ``lossterm report``) never blocks the writer
and a process killed mid-run (even with kill -9) leaves a database that
opens, with its finished epochs in it. A run still marked ``running`` whose
process is gone is reported as ``incomplete``.

The history is a by-product of training, never a condition of it: a write that
fails (a full disk, a lock held past the timeout, a damaged file) turns the
store off for the rest of the process and says why in :attr:`Store.failure`,
and training and the report go on. A file whose tables are not lossterm's is
refused before anything is written to it (:mod:`lossterm.storage.schema`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

if sys.platform != "win32":
    import pwd  # the password database: POSIX only

from lossterm.analysis.experiments import run_settings
from lossterm.core.errors import LosstermError, UsageError
from lossterm.core.types import Status
from lossterm.storage.schema import check_schema, open_read_only, salvage
from lossterm.training.fit import new_result
from lossterm.training.listener import SILENT, Relay, RunListener
from lossterm.training.records import STOPPED, EpochRecord, Job, RunResult

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
    """$XDG_DATA_HOME/lossterm/runs.sqlite, else under ~/.local/share.

    A relative $XDG_DATA_HOME is ignored, as the XDG spec says. The home directory must
    exist: an empty $HOME would put the store at the file system's root, and a home that
    is missing (HOME=/nonexistent, a service account's) would be created by the store's
    mkdir; lossterm never creates a home, so it refuses in one line instead."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "lossterm" / "runs.sqlite"
    return _home() / ".local" / "share" / "lossterm" / "runs.sqlite"


def _home() -> Path:
    """$HOME when it is an existing directory; when it is unset or empty, the account's
    home from the password database, if that exists."""
    home = os.environ.get("HOME", "")
    if not home and sys.platform != "win32":
        try:
            home = pwd.getpwuid(os.getuid()).pw_dir
        except KeyError:  # a uid with no entry (a container's arbitrary user)
            home = ""
    if home and os.path.isabs(home) and os.path.isdir(home):
        return Path(home)
    said = f"$HOME is {os.environ['HOME']!r}" if "HOME" in os.environ else "$HOME is unset"
    raise UsageError(f"no home directory to keep the run history in ({said}, and lossterm "
                     "does not create one): give --store PATH, set XDG_DATA_HOME, or "
                     "--no-store")


class StoreUnavailable(LosstermError):
    """The store could not be opened for a reason that is not the person's input (a lock
    held past the timeout, a full disk, an I/O error): the headless run trains on without
    a history (:func:`lossterm.service.try_open_store`); elsewhere it is one line."""


class Store:
    """The history at ``path``, opened to write (training) or, with ``read_only``, as
    ``lossterm report`` reads it: a ``mode=ro`` URI that cannot change the file."""

    def __init__(self, path: str | Path, *, read_only: bool = False, timeout: float = 10):
        self.path = Path(path).expanduser()
        self.read_only = read_only
        self.failure: str | None = None  # why writing stopped, once it has
        self.unreadable = 0  # runs a damaged file kept from :meth:`entries`
        self._lock = threading.Lock()
        self._db = open_read_only(self.path) if read_only else self._open(timeout)

    def _open(self, timeout: float) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=timeout)
        except (sqlite3.Error, OSError) as exc:
            raise UsageError(f"cannot use {self.path} as the run store: {exc}") from None
        try:
            check_schema(db, self.path)  # reads only: a foreign file is refused untouched
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
        except UsageError:
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError):  # locked, full, I/O: not the input
                raise StoreUnavailable(f"{self.path}: {exc}") from None
            raise UsageError(f"cannot use {self.path} as the run store: {exc}") from None
        return db

    def close(self) -> None:
        """Close; a store that failed mid-run first marks this process's runs it left
        ``running`` as ``incomplete`` (one try, short wait), so none stays ``running``."""
        with self._lock:
            if self.failure is not None and not self.read_only:
                try:
                    self._db.execute("PRAGMA busy_timeout=1000")
                    self._db.execute("UPDATE runs SET status=?, message=? WHERE pid=? AND "
                                     "status=?", (INCOMPLETE, "the run history failed: "
                                                  + self.failure, os.getpid(), RUNNING))
                    self._db.commit()
                except sqlite3.Error:
                    pass
            self._db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int | None:
        """Run one statement and commit; the new row's id after an INSERT. None, and the
        store off for good, when SQLite fails: the run goes on without its history."""
        with self._lock:
            if self.failure is not None:
                return None
            try:
                cursor = self._db.execute(sql, args)
                self._db.commit()
            except sqlite3.Error as exc:
                self.failure = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                with contextlib.suppress(sqlite3.Error):
                    self._db.rollback()
                return None
            return cursor.lastrowid

    def start_run(self, result: RunResult, job: Job) -> int | None:
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
        return run_id

    def add_epoch(self, run_id: int | None, record: EpochRecord) -> None:
        if run_id is None:  # its start was not recorded
            return
        self._write("INSERT OR REPLACE INTO epochs (run_id, epoch, seconds, logs) VALUES (?,?,?,?)",
                    (run_id, record.epoch, record.seconds, json.dumps(dict(record.logs))))

    def finish_run(self, run_id: int | None, result: RunResult) -> None:
        if run_id is None:
            return
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
            rows, epochs, self.unreadable = salvage(self._db, limit)
        out = []
        for fields in rows:
            try:
                out.append((fields["id"], json.loads(fields["config"] or "{}"),
                            _result(fields, epochs.get(fields["id"], []))))
            except (ValueError, KeyError, TypeError):  # a row damaged inside its values
                self.unreadable += 1
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


class Recorder(Relay):
    """A listener that writes each run to ``store`` as it goes (none when ``store`` is
    None), then tells ``listener``: a run is in the store before anyone is told of it.

    It keeps each run it was told of until the run ends, so that a sweep cut short
    (Ctrl+C, SIGTERM, SIGHUP) can :meth:`settle` every run that started and did not
    end: recorded as stopped with the epochs it had, and reported."""

    def __init__(self, store: Store | None, listener: RunListener = SILENT):
        self.store, self.listener = store, listener
        self._ids: dict[int, int | None] = {}
        self._open: dict[int, RunResult] = {}
        self._guard = threading.Lock()

    def run_started(self, index: int, job: Job) -> None:
        result = new_result(job)
        result.learning_rate, result.optimizer = job.learning_rate, job.optimizer
        with self._guard:
            self._open[index] = result
        if self.store is not None:
            self._ids[index] = self.store.start_run(result, job)
        self.listener.run_started(index, job)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        with self._guard:
            if index in self._open:
                self._open[index].records.append(record)
        if self.store is not None:
            self.store.add_epoch(self._ids.get(index), record)
        self.listener.epoch_ended(index, record)

    def run_ended(self, index: int, result: RunResult) -> None:
        with self._guard:
            self._open.pop(index, None)
        if self.store is not None:
            self.store.finish_run(self._ids.pop(index, None), result)
        self.listener.run_ended(index, result)

    def settle(self, message: str = "stopped before it ended") -> list[tuple[int, RunResult]]:
        """Every run that started and has not ended, marked stopped (in the store too)
        with the epochs it had, by index; afterwards none is open."""
        with self._guard:
            left, self._open = sorted(self._open.items()), {}
        for index, result in left:
            result.status, result.message = STOPPED, message
            if self.store is not None:
                self.store.finish_run(self._ids.pop(index, None), result)
        return left

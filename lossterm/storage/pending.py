"""What the TUI keeps beside the run history: its unfinished work, and its finished studies.

**Unfinished work.** Work the TUI was asked for and has not finished is kept so a dropped
link costs none of it.

A person queues runs (``t``, ``a``) or starts a study (``S``, ``R``) and the SSH link
drops, the tmux server dies or the box is rebooted: the runs that ended are in the
history and the study's runs in ``study_runs``, but *what was still to do* lived only in
the App. So the App writes it here each time it changes — one row per queued run or
study, as plain JSON of what asked for it — and the next ``lossterm`` on the same store
offers it again.

Rows carry the process that wrote them (its id and start time, so a pid the system
reused later does not pass for it). A second TUI on the same store keeps its own
rows apart and is offered only the work of processes that are gone (a live process's
queue is its own business). Every write is one transaction that replaces this process's
rows: a process killed between writes leaves the previous whole list, never half of one.

**Finished studies.** A study or sweep that ended with a verdict is listed with what
asked for it (problem, perturbation, losses, seeds, options), so a later session can
reopen it: the same request run again finds every run in ``study_runs`` and trains
nothing, giving the verdict bit for bit — the kept runs are the one record, the list only
says which requests to replay.

A failing store (full disk, a lock held past the timeout) costs the TUI nothing: the
write is dropped and ``failed`` says why.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lossterm.core.errors import UsageError
from lossterm.storage.schema import check_schema
from lossterm.storage.store import SCHEMA as STORE_SCHEMA
from lossterm.storage.store import _alive

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_work (
    id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, started TEXT, saved REAL NOT NULL,
    kind TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tui_studies (
    id INTEGER PRIMARY KEY, finished REAL NOT NULL, kind TEXT NOT NULL,
    problem TEXT NOT NULL, verdict TEXT NOT NULL, body TEXT NOT NULL
);
"""


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``), or None where
    that cannot be read: with the pid, it names one process even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def _running(pid: int, started: str | None) -> bool:
    """Whether the process that wrote a row (``pid``, started at ``started``) still runs:
    a live pid with another start time is a new process that reused the number."""
    if not _alive(pid):
        return False
    return started is None or process_start(pid) in (None, started)


def _why(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _Kept:
    """One store file on a connection of its own; never raises (``failed`` says why)."""

    def __init__(self, path: str | Path, *, timeout: float = 2):
        self.path = Path(path).expanduser()
        self.failed = ""  # why the last write or read failed, if one did
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._started = process_start(self._pid)
        self._db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=timeout)
        except (sqlite3.Error, OSError) as exc:
            self.failed = str(exc)
            return
        try:
            if not check_schema(db, self.path):  # an empty file: the history's tables too
                db.executescript(STORE_SCHEMA)
            db.executescript(SCHEMA)
            # as the history's writer: WAL (the Store set it) survives a crash of the app
            # without an fsync per write, which would stall the UI thread on a slow disk
            db.execute("PRAGMA synchronous=NORMAL")
        except (UsageError, sqlite3.Error) as exc:  # another program's file; full; locked
            db.close()
            self.failed = _why(exc)
            return
        self._db = db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class PendingWork(_Kept):
    """The unfinished work of TUIs on one store file."""

    def save(self, items: list[dict]) -> bool:
        """This process's unfinished work is ``items`` now (each a dict with a ``kind``);
        False if the store would not take it."""
        with self._lock:
            if self._db is None:
                return False
            now = time.time()
            try:
                with self._db:  # one transaction: the old list or the new, never half
                    self._db.execute("DELETE FROM pending_work WHERE pid=? AND started IS ?",
                                     (self._pid, self._started))
                    self._db.executemany(
                        "INSERT INTO pending_work (pid, started, saved, kind, body) "
                        "VALUES (?,?,?,?,?)",
                        [(self._pid, self._started, now, item["kind"], json.dumps(item))
                         for item in items])
            except sqlite3.Error as exc:
                self.failed = _why(exc)
                return False
            return True

    def _mine(self, pid: int, started: str | None) -> bool:
        return pid == self._pid and started == self._started

    def left_behind(self) -> list[dict]:
        """The work of processes that ended before finishing it, oldest first."""
        with self._lock:
            if self._db is None:
                return []
            try:
                rows = self._db.execute(
                    "SELECT pid, started, body FROM pending_work ORDER BY id").fetchall()
            except sqlite3.Error as exc:
                self.failed = _why(exc)
                return []
        items = []
        for pid, started, body in rows:
            if self._mine(pid, started) or _running(pid, started):
                continue
            try:
                item = json.loads(body)
            except ValueError:
                continue
            if isinstance(item, dict) and "kind" in item:
                items.append(item)
        return items

    def forget_left_behind(self) -> None:
        """Drop the work of processes that are gone (offered, then taken or declined)."""
        with self._lock:
            if self._db is None:
                return
            try:
                owners = self._db.execute(
                    "SELECT DISTINCT pid, started FROM pending_work").fetchall()
                gone = [(pid, started) for pid, started in owners
                        if not self._mine(pid, started) and not _running(pid, started)]
                with self._db:
                    self._db.executemany(
                        "DELETE FROM pending_work WHERE pid=? AND started IS ?", gone)
            except sqlite3.Error as exc:
                self.failed = _why(exc)


@dataclass(frozen=True)
class FinishedStudy:
    id: int
    finished: float  # when it ended (seconds since the epoch)
    kind: str  # "study" or "sweep"
    problem: str  # the name its runs carry, the perturbation included
    verdict: str  # its verdict line when it ended
    item: dict  # what asked for it: replayed to reopen it


class FinishedStudies(_Kept):
    """The studies and sweeps TUIs on one store file ended with a verdict, newest first."""

    def record(self, item: dict, problem: str, verdict: str) -> bool:
        with self._lock:
            if self._db is None:
                return False
            try:
                with self._db:
                    self._db.execute(
                        "INSERT INTO tui_studies (finished, kind, problem, verdict, body) "
                        "VALUES (?,?,?,?,?)",
                        (time.time(), item["kind"], problem, verdict, json.dumps(item)))
            except sqlite3.Error as exc:
                self.failed = _why(exc)
                return False
            return True

    def listed(self, limit: int = 200) -> list[FinishedStudy]:
        with self._lock:
            if self._db is None:
                return []
            try:
                rows = self._db.execute(
                    "SELECT id, finished, kind, problem, verdict, body FROM tui_studies "
                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            except sqlite3.Error as exc:
                self.failed = _why(exc)
                return []
        found = []
        for row_id, finished, kind, problem, verdict, body in rows:
            try:
                item = json.loads(body)
            except ValueError:
                continue
            if isinstance(item, dict):
                found.append(FinishedStudy(row_id, finished, kind, problem, verdict, item))
        return found

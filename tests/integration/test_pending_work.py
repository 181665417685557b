"""The TUI's unfinished work in the store: kept per process, offered only once its
process is gone, never written into another program's file, dropped on a full disk."""

import os
import sqlite3
import subprocess
import sys

from lossterm.storage.pending import PendingWork
from lossterm.storage.store import Store

ITEM = {"kind": "run", "problem": "circles", "loss": "hinge", "seeds": [0]}


def _left_by_a_process_that_ended(path, items) -> int:
    """Save ``items`` from another Python process, which then exits; its pid."""
    code = ("import os, sys, json; from lossterm.storage.pending import PendingWork; "
            f"PendingWork({str(path)!r}).save(json.loads(sys.argv[1])); print(os.getpid())")
    import json
    done = subprocess.run([sys.executable, "-c", code, json.dumps(items)], check=True,
                          capture_output=True, text=True)
    return int(done.stdout)


def test_a_gone_process_s_work_is_offered_and_forgotten_once_taken(tmp_path):
    path = tmp_path / "runs.sqlite"
    _left_by_a_process_that_ended(path, [ITEM, {**ITEM, "loss": "bce"}])
    mine = PendingWork(path)
    assert [i["loss"] for i in mine.left_behind()] == ["hinge", "bce"]
    mine.save([{"kind": "study", "problem": "blobs"}])  # this process's own work
    assert len(mine.left_behind()) == 2, "a process is never offered its own work"
    mine.forget_left_behind()
    assert mine.left_behind() == []
    rows = sqlite3.connect(path).execute("SELECT kind FROM pending_work").fetchall()
    assert rows == [("study",)], "forgetting the gone process's work kept this one's"
    mine.close()


def test_a_live_process_s_work_is_not_offered(tmp_path):
    path = tmp_path / "runs.sqlite"
    other = PendingWork(path)  # this process stands for the live one
    other.save([ITEM])
    child = ("from lossterm.storage.pending import PendingWork; "
             f"print(len(PendingWork({str(path)!r}).left_behind()))")
    seen = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert seen == "0"
    other.close()


def test_each_save_replaces_the_last_and_the_history_still_opens(tmp_path):
    path = tmp_path / "runs.sqlite"
    work = PendingWork(path)  # a fresh file: the run history's tables come with it
    assert work.save([ITEM, ITEM]) and work.save([ITEM])
    count = sqlite3.connect(path).execute("SELECT count(*) FROM pending_work").fetchone()[0]
    assert count == 1
    assert work.save([]) and sqlite3.connect(path).execute(
        "SELECT count(*) FROM pending_work").fetchone()[0] == 0
    Store(path).close()  # still a lossterm run history
    work.close()


def test_another_program_s_database_is_left_byte_identical(tmp_path):
    path = tmp_path / "theirs.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (name TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    work = PendingWork(path)
    assert "not a lossterm run history" in work.failed
    assert not work.save([ITEM]) and work.left_behind() == []
    assert path.read_bytes() == before


def test_a_full_store_drops_the_write_and_says_why(tmp_path):
    path = tmp_path / "runs.sqlite"
    work = PendingWork(path)
    assert work.save([ITEM])
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    work._db.execute(f"PRAGMA max_page_count={pages}")  # the disk is full from here on
    assert not work.save([{**ITEM, "note": "x" * 20000}] * 20)
    assert "full" in work.failed
    assert [i["loss"] for i in _read(path)] == ["hinge"], "the last whole list stays"
    work.close()


def _read(path):
    import json
    return [json.loads(b) for (b,) in sqlite3.connect(path).execute(
        "SELECT body FROM pending_work ORDER BY id")]


def test_work_of_a_pid_now_reused_by_another_process_is_offered(tmp_path):
    """A row written by a process that ended, whose pid a new process now holds (here: this
    test's pid with another start time, as the kernel would reuse it), is offered."""
    path = tmp_path / "runs.sqlite"
    work = PendingWork(path)
    work.save([])  # the table exists
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO pending_work (pid, started, saved, kind, body) "
                   "VALUES (?, '1', 0, 'run', ?)", (os.getpid(), '{"kind": "run"}'))
    db.close()
    assert work.left_behind() == [{"kind": "run"}]
    work.forget_left_behind()
    assert work.left_behind() == []
    work.close()

"""The run history in SQLite: every epoch as it ends, reports rebuilt, kill -9 survived."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from lossterm.storage.store import Store
from tests.helpers.guard import DEADLOCK_GUARD


def test_every_run_and_epoch_is_stored_and_reported(lossterm_cli, tmp_path):
    store = tmp_path / "runs.sqlite"
    done = lossterm_cli("--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge",
                        "--epochs", "4", "--seeds", "2", "--no-tune", "--store", str(store),
                        "--format", "json")
    assert done.returncode == 0, done.stderr
    trained = json.loads(done.stdout)["runs"]
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM epochs").fetchone()[0] == 16
    report = lossterm_cli("report", "--store", str(store), "--format", "json")
    assert report.returncode == 0, report.stderr
    rebuilt = json.loads(report.stdout)["runs"]
    key = lambda r: (r["loss"], r["seed"])  # noqa: E731
    assert sorted(map(key, rebuilt)) == sorted(map(key, trained))
    for a, b in zip(sorted(trained, key=key), sorted(rebuilt, key=key)):
        assert a["history"] == b["history"] and a["status"] == b["status"] == "done"


def test_report_last_n_and_missing_store(lossterm_cli, tmp_path):
    store = tmp_path / "s.sqlite"
    lossterm_cli("--headless", "--loss", "mae", "--epochs", "1", "--seeds", "3", "--store", str(store))
    last = json.loads(lossterm_cli("report", "--store", str(store), "--last", "2", "--format",
                                   "json").stdout)["runs"]
    assert [r["seed"] for r in last] == [1, 2]
    missing = lossterm_cli("report", "--store", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and "no run history at" in missing.stderr


def test_no_store_writes_nothing(lossterm_cli, tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    lossterm_cli("--headless", "--loss", "mae", "--epochs", "1", "--no-store", env=env)
    assert not (tmp_path / "lossterm").exists()
    lossterm_cli("--headless", "--loss", "mae", "--epochs", "1", env=env)
    assert (tmp_path / "lossterm" / "runs.sqlite").exists()  # the default place


def _epochs_stored(store) -> int:
    """Epochs in the store so far (0 while the file or its tables are not there yet)."""
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM epochs").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_9_mid_run_leaves_a_store_that_opens_with_the_epochs_kept(tmp_path):
    store = tmp_path / "killed.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lossterm", "--headless", "--problem", "circles", "--loss", "bce",
         "--epochs", "100000", "--store", str(store), "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        give_up = time.monotonic() + DEADLOCK_GUARD
        while _epochs_stored(store) < 5:
            assert time.monotonic() < give_up, "no 5 epochs stored (a deadlock guard, not a time limit)"
            try:
                proc.wait(timeout=0.1)  # between looks at the store; returns at once if the run ends
            except subprocess.TimeoutExpired:
                continue
            raise AssertionError(f"the run ended (exit {proc.returncode}) before storing 5 epochs")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    (_, result), = Store(store).results()
    assert result.status == "incomplete"
    assert result.epochs_run >= 5
    assert [r.epoch for r in result.records] == list(range(1, result.epochs_run + 1))


def test_an_unusable_store_is_refused_before_training(lossterm_cli, tmp_path):
    not_a_db = tmp_path / "garbage.sqlite"
    not_a_db.write_bytes(b"this is not a database" * 100)
    done = lossterm_cli("--headless", "--store", str(not_a_db))
    assert done.returncode == 2
    assert done.stderr.startswith(f"lossterm: error: cannot use {not_a_db} as the run store")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_report_counts_a_seed_trained_twice_once_and_never_pools_settings(lossterm_cli, tmp_path):
    """The same seed trained again is one seed, not two; runs of another learning rate are
    not pooled with the latest as if they were seeds."""
    store = tmp_path / "s.sqlite"
    common = ("--headless", "--problem", "circles", "--loss", "bce", "--epochs", "2",
              "--no-tune", "--store", str(store))
    for argv in (("--seeds", "2"), ("--seeds", "2"), ("--seeds", "3", "--learning-rate", "0.1"),
                 ("--seeds", "3", "--learning-rate", "0.1")):
        assert lossterm_cli(*common, *argv).returncode == 0
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 10
    report = lossterm_cli("report", "--store", str(store), "--format", "json")
    assert report.returncode == 0, report.stderr
    runs = json.loads(report.stdout)["runs"]
    assert sorted(r["seed"] for r in runs) == [0, 1, 2]  # lr 0.1, each seed once
    assert "3 runs trained again with the same settings and seed" in report.stderr
    assert "4 earlier runs of binary_crossentropy on circles used other settings" in report.stderr

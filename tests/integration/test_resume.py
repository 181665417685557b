"""A study is kept as it runs: ``kill -9`` mid-study, then the same command resumes, trains
only the runs that were missing, and reports what the uninterrupted study reports."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

STUDY = ["--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge", "--tune",
         "--seeds", "3", "--lr-grid", "0.01:0.3:3", "--epochs", "300", "--jobs", "1",
         "--format", "json"]


def lossterm(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lossterm", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def finish(process: subprocess.Popen) -> tuple[str, str]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return out, err


def stored(path) -> list[tuple[str, float]]:
    """The store's study runs (key, when stored); none while the table is not made yet."""
    if not path.exists():
        return []
    with sqlite3.connect(path, timeout=10) as db:
        try:
            return db.execute("SELECT key, stored FROM study_runs").fetchall()
        except sqlite3.OperationalError:  # no such table yet
            return []


def figures(text: str) -> dict:
    """The JSON report less its timings (seconds differ between any two runs)."""
    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k != "seconds"}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value
    return drop(json.loads(text))


def resumed(err: str) -> tuple[int, int]:
    """(kept, looked up) from the closing 'resumed K of N runs' line; (0, 0) if none."""
    found = re.search(r"resumed (\d+) of (\d+) runs from the store; trained (\d+)", err)
    if found is None:
        return 0, 0
    kept, total, trained = map(int, found.groups())
    assert trained == total - kept
    return kept, total


def test_a_killed_study_resumes_trains_only_the_missing_runs_and_reports_the_same(tmp_path):
    path = tmp_path / "runs.sqlite"
    uninterrupted = lossterm(*STUDY, "--no-store")
    reference, _ = finish(uninterrupted)
    first = lossterm(*STUDY, "--store", str(path))
    deadline = time.monotonic() + 300  # a guard only: the loop ends on the store's count
    while not stored(path) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    kept_before = len(stored(path))
    assert first.returncode == -signal.SIGKILL
    assert kept_before > 0, "the study ended before any run was stored"

    out, err = finish(lossterm(*STUDY, "--store", str(path)))
    kept, total = resumed(err)
    assert kept == kept_before and total > kept  # some but not all were in the store
    assert f"resuming: {kept_before} of " in err
    assert len(stored(path)) == total  # every run of the study is kept now
    assert figures(out) == figures(reference)  # the verdict and every figure, bit for bit
    assert json.loads(out)["studies"][0]["study"]["verdict"]

    before = time.time()
    again, err = finish(lossterm(*STUDY, "--store", str(path), "--fresh"))
    assert "resum" not in err and figures(again) == figures(reference)
    assert len(stored(path)) == total and all(when > before for _, when in stored(path))

    out, err = finish(lossterm(*STUDY, "--store", str(path)))
    assert resumed(err) == (total, total) and figures(out) == figures(reference)


def test_a_study_without_a_store_keeps_nothing_and_says_nothing(tmp_path):
    short = [a if a != "300" else "5" for a in STUDY]
    out, err = finish(lossterm(*short, "--no-store", "--store", str(tmp_path / "s.sqlite")))
    assert "resum" not in err and not (tmp_path / "s.sqlite").exists()
    assert json.loads(out)["studies"]

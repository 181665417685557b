"""``--cluster``: a study's groups as tasks on a real Dask cluster, as a person runs it.

Each test runs ``python -m lossterm`` against a real ``LocalCluster`` (started by the
command with ``local``, or by the test and joined with ``tcp://``), and checks what a
person would: the same JSON as the threads give (less seconds and placements), a worker
killed mid-study costing nothing, an unreachable scheduler as one line and exit 2.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")  # in the test extra: CI always has it

LOSSTERM = [sys.executable, "-m", "lossterm"]
SUITE = ["--headless", "--problem", "iris", "--problem", "wine", "--loss", "cce", "--loss",
         "gce", "--seeds", "2", "--epochs", "4", "--no-progress", "--format", "json"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(args, tmp_path, timeout=400) -> subprocess.CompletedProcess:
    return subprocess.run([*LOSSTERM, *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(tmp_path))


def _where_and_when_removed(payload):
    """The report less what must differ between machines: seconds, placements, header."""
    if isinstance(payload, dict):
        return {k: _where_and_when_removed(v) for k, v in payload.items()
                if k not in ("seconds", "placement", "header")}
    if isinstance(payload, list):
        return [_where_and_when_removed(v) for v in payload]
    return payload


@pytest.fixture(scope="module")
def threaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("threads")
    done = _run([*SUITE, "--jobs", "2", "--no-store"], tmp)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_study_on_a_local_cluster_gives_the_threads_json(threaded, tmp_path):
    done = _run([*SUITE, "--cluster", "local:2", "--no-store"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # no Dask log line, no warning
    report = json.loads(done.stdout)
    assert _where_and_when_removed(report) == _where_and_when_removed(threaded)
    assert report["header"].startswith("Dask cluster local:2, 2 workers: 2 x ")
    assert "CPU; Keras" in report["header"]
    assert {study["problem"] for study in report["studies"]} == {"iris", "wine"}
    placements = {run["placement"] for run in report["runs"]}  # each run says where it trained
    assert placements and all(p.endswith("(CPU)") for p in placements)
    assert not any("placement" in run for run in threaded["runs"])  # one machine: none


@pytest.fixture
def scheduler():
    """A running Dask scheduler with two worker processes, as someone on another box would
    have started: the command joins it by address."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=50)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def _study_rows(store: Path) -> int:
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM study_runs").fetchone()[0]
    except sqlite3.Error:
        return 0  # not made yet


def test_a_worker_killed_mid_study_costs_no_run_and_doubles_none(threaded, scheduler, tmp_path):
    cluster, client = scheduler
    store = tmp_path / "runs.db"
    args = [*SUITE, "--cluster", cluster.scheduler_address, "--store", str(store)]
    proc = subprocess.Popen([*LOSSTERM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(tmp_path))
    deadline = time.monotonic() + 300
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        busy = [w for w, keys in client.processing().items()
                if any(str(k).startswith("lossterm-group-") for k in keys)]
        if busy and _study_rows(store) > 0:  # a group has landed and another is training
            pids = client.run(os.getpid, workers=[busy[0]])
            killed = pids[busy[0]]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.02)
    out, err = proc.communicate(timeout=400)
    assert killed is not None, "no group was seen in flight"
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    report = json.loads(out)
    assert _where_and_when_removed(report) == _where_and_when_removed(threaded)
    planned = 2 * 2 * 5 * 2  # problems x losses x rates x replicates, before any extension
    with sqlite3.connect(store) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM study_runs")]
    assert len(keys) == len(set(keys)) >= planned
    # kept under the same keys as on one machine: the command without the cluster resumes
    # every run (trains none) and reports the same study
    again = _run([*SUITE, "--jobs", "2", "--store", str(store)], tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"resumed {len(keys)} of {len(keys)} runs from the store; trained 0" in again.stderr
    assert _where_and_when_removed(json.loads(again.stdout)) == _where_and_when_removed(threaded)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "ssh:nonexistent.invalid"])
def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, address):
    done = _run(["--headless", "--problem", "iris", "--loss", "cce", "--no-store",
                 "--cluster", address], tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"cannot reach the cluster at {address}" in lines[0], lines
    assert done.stdout == ""


@pytest.mark.parametrize("address, words", [
    ("nowhere", "is not an address"),
    ("tcp://somehost", "needs a port"),
    ("local:zero", "whole number of workers"),
    ("ssh:", "needs hosts"),
])
def test_a_malformed_address_is_refused_before_anything_trains(tmp_path, address, words):
    done = _run(["--headless", "--problem", "iris", "--loss", "cce", "--no-store",
                 "--cluster", address], tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "--cluster" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_ctrl_c_stops_the_clusters_groups_at_their_next_epoch(scheduler, tmp_path):
    cluster, client = scheduler
    args = ["--headless", "--problem", "digits", "--loss", "cce", "--loss", "gce", "--seeds",
            "2", "--epochs", "400", "--no-progress", "--no-store", "--cluster",
            cluster.scheduler_address]
    proc = subprocess.Popen([*LOSSTERM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(tmp_path))

    def groups_in_flight() -> int:
        return sum(str(k).startswith("lossterm-group-")
                   for keys in client.processing().values() for k in keys)

    deadline = time.monotonic() + 240
    while groups_in_flight() == 0 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    assert groups_in_flight() > 0
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "re-run the same command to resume" in err
    # 400 epochs of digits take minutes; stopped at the next epoch, the workers are free
    # within seconds (the deadline only bounds a failure)
    deadline = time.monotonic() + 60
    while groups_in_flight() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert groups_in_flight() == 0

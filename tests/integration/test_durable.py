"""What survives what: real processes, real signals, real SQLite failures.

Every test runs ``python -m lossterm`` as a person would and waits on events (a row in
the store, the process ending), never on a clock. The README's "what survives what"
table is these tests' findings.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

LOSSTERM = [sys.executable, "-m", "lossterm"]
TRAIN = ["--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge", "--no-tune",
         "--no-progress", "--format", "json"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(args, tmp_path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*LOSSTERM, *args], capture_output=True, text=True, timeout=300,
                          env=_env(tmp_path), **kwargs)


def _one_clean_line(stderr: str, *words: str) -> str:
    """stderr is one lossterm line holding ``words``, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], stderr
    return lines[0]


def _wait_for_rows(store: Path, proc: subprocess.Popen, sql: str) -> None:
    """Until ``sql`` counts a row in the store (the event the test waits on)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
                if db.execute(sql).fetchone()[0] > 0:
                    return
        except sqlite3.Error:
            pass  # not created yet
        time.sleep(0.05)
    raise AssertionError("no row appeared")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A real store: two losses over four seeds, two epochs each (8 runs)."""
    tmp = tmp_path_factory.mktemp("history")
    store = tmp / "runs.sqlite"
    done = _run([*TRAIN, "--seeds", "4", "--epochs", "2", "--store", str(store)], tmp)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(store) as db:  # one plain file, no WAL beside it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    return store


def _copy(store: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(store, folder / store.name))


# --- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_every_run_as_stopped_and_reports_it(tmp_path, sig):
    store = tmp_path / "runs.sqlite"
    proc = subprocess.Popen([*LOSSTERM, *TRAIN, "--seeds", "4", "--epochs", "100000",
                             "--jobs", "2", "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path))
    _wait_for_rows(store, proc, "SELECT COUNT(*) FROM epochs")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err
    line = _one_clean_line(err, "stopped part way")
    assert ("interrupted" if sig == signal.SIGINT else signal.Signals(sig).name) in line
    reported = json.loads(out)["runs"]
    with sqlite3.connect(store) as db:
        statuses = [s for (s,) in db.execute("SELECT status FROM runs")]
        epochs = db.execute("SELECT COUNT(*) FROM epochs").fetchone()[0]
    assert "running" not in statuses and statuses and set(statuses) == {"stopped"}
    assert len(reported) == len(statuses)  # every started run is in the report
    assert all(r["status"] == "stopped" for r in reported)
    assert sum(len(r["history"].get("loss", [])) for r in reported) == epochs > 0  # with its epochs


# --- the store failing ------------------------------------------------------------------------


def _unshare_works() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return done.returncode == 0


needs_mounts = pytest.mark.skipif(not _unshare_works(), reason="needs root and unshare -m")


FILL = """
import sqlite3, sys, os
from lossterm.storage.store import Store
folder = sys.argv[1]
Store(folder + "/runs.sqlite").close()  # lossterm's own tables, WAL checkpointed away
filler = os.open(folder + "/filler", os.O_WRONLY | os.O_CREAT)
size = 0
try:
    while True:
        size += os.write(filler, bytes(4096))
except OSError:
    pass
os.ftruncate(filler, max(0, size - 96 * 1024))  # room to open the store, not to keep a run
"""


@needs_mounts
def test_a_store_on_a_full_disk_costs_no_result(tmp_path):
    disk, report, fill = tmp_path / "disk", tmp_path / "report.json", tmp_path / "fill.py"
    disk.mkdir()
    fill.write_text(FILL)
    script = (f"mount -t tmpfs -o size=1m tmpfs {disk} && {sys.executable} {fill} {disk} && "
              f"exec {' '.join(LOSSTERM)} {' '.join(TRAIN)} --seeds 2 --epochs 4 "
              f"--store {disk}/runs.sqlite -o {report}")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=300, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    _one_clean_line(done.stderr, "run history was not kept", "full")
    assert len(json.loads(report.read_text())["runs"]) == 4


def test_a_lock_held_past_the_timeout_costs_no_result(tmp_path, history):
    store = _copy(history, tmp_path / "locked")
    holder = sqlite3.connect(store, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # held until this test lets go: past lossterm's 10 s
    try:
        done = _run([*TRAIN, "--seeds", "2", "--epochs", "2", "--store", str(store)], tmp_path)
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 0, done.stderr
    _one_clean_line(done.stderr, "run history was not kept", "locked")
    assert len(json.loads(done.stdout)["runs"]) == 4


def test_a_lock_taken_in_the_middle_of_a_run_costs_no_result(tmp_path):
    """Another program (a backup, a sqlite3 shell) locks the store after the first epochs
    are written and holds it to the end: the write waiting on it gives up after the
    timeout, the history is turned off with one line, training goes on, the report is
    whole, and the history reads no run as still running."""
    store = tmp_path / "runs.sqlite"
    proc = subprocess.Popen([*LOSSTERM, *TRAIN, "--epochs", "300", "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path))
    holder = None
    try:
        _wait_for_rows(store, proc, "SELECT count(*) FROM epochs")
        holder = sqlite3.connect(store, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")  # WAL: every writer now waits on this one
        out, err = proc.communicate(timeout=300)
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    _one_clean_line(err, "run history was not kept", "locked")
    runs = json.loads(out)["runs"]
    assert [r["status"] for r in runs] == ["done", "done"]
    assert all(r["test_metric"] is not None for r in runs)
    done = _run(["report", "--store", str(store), "--format", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "running" not in {r["status"] for r in json.loads(done.stdout)["runs"]}


FOREIGN = "CREATE TABLE runs (name TEXT, value INTEGER); INSERT INTO runs VALUES ('a', 1);"


@pytest.mark.parametrize("command", ["train", "report"])
def test_another_programs_runs_table_is_refused_and_left_byte_identical(tmp_path, command):
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.executescript(FOREIGN)
    db.close()
    before = foreign.read_bytes()
    args = ([*TRAIN, "--epochs", "1", "--store", str(foreign)] if command == "train"
            else ["report", "--store", str(foreign)])
    done = _run(args, tmp_path)
    assert done.returncode == 2, done.stderr
    _one_clean_line(done.stderr, "not a lossterm run history")
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("other")) == [
        "other.sqlite"]  # no -wal, no -shm


def test_report_salvages_what_a_damaged_page_left(tmp_path, history):
    store = _copy(history, tmp_path / "damaged")
    with sqlite3.connect(store) as db:  # many runs (new seeds), so the table spans pages
        for _ in range(6):
            db.execute("INSERT INTO runs SELECT NULL, started, finished, pid, problem, loss, "
                       "kind, seed + (SELECT max(id) FROM runs), config, output_activation, output_layer, target_encoding, "
                       "metric, epochs, status, message, warnings, notes, seconds FROM runs")
        db.execute("INSERT INTO epochs SELECT r.id, e.epoch, e.seconds, e.logs FROM runs r "
                   "JOIN epochs e ON e.run_id = 1 + (r.id - 1) % 8 WHERE r.id > 8")
        total = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        leaves = [p for (p,) in db.execute(
            "SELECT pageno FROM dbstat WHERE name='runs' AND pagetype='leaf' ORDER BY pageno")]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert len(leaves) > 3
    damaged = leaves[len(leaves) // 2]
    with open(store, "r+b") as file:
        file.seek((damaged - 1) * page_size)
        file.write(b"\x5a" * page_size)
    before = store.read_bytes()
    done = _run(["report", "--store", str(store), "--format", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    line = _one_clean_line(done.stderr, "could not be read")
    lost = int(line.split("report: ")[1].split()[0])
    assert 0 < lost < total
    assert len(json.loads(done.stdout)["runs"]) + lost == total
    assert store.read_bytes() == before


@needs_mounts
def test_report_reads_a_store_in_a_read_only_folder_and_never_changes_it(tmp_path, history):
    source = _copy(history, tmp_path / "source")
    before = source.read_bytes()
    view = tmp_path / "view"
    view.mkdir()
    script = (f"mount --bind -o ro {source.parent} {view} && "
              f"exec {' '.join(LOSSTERM)} report --store {view / source.name} --format json")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=300, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["runs"]) == 8
    assert source.read_bytes() == before


def test_report_leaves_the_file_it_reads_as_it_was(tmp_path, history):
    store = _copy(history, tmp_path / "plain")
    before = store.read_bytes()
    done = _run(["report", "--store", str(store)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert store.read_bytes() == before  # not switched to WAL, no tables added
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


# --- stdout gone ------------------------------------------------------------------------------


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"])
def test_a_vanished_or_full_stdout_keeps_the_report(tmp_path, redirect):
    command = " ".join([*LOSSTERM, *TRAIN, "--epochs", "1", "--no-store"])
    done = subprocess.run(["sh", "-c", f"exec {command} {redirect}"], capture_output=True,
                          text=True, timeout=300, env=_env(tmp_path))
    assert done.returncode == 1, done.stderr
    line = _one_clean_line(done.stderr, "could not write the report to stdout", "saved it to")
    kept = Path(line.split("saved it to ")[1].strip())
    assert len(json.loads(kept.read_text())["runs"]) == 2


def test_report_into_a_pipe_whose_reader_left_ends_quietly(tmp_path, history):
    proc = subprocess.Popen([*LOSSTERM, "report", "--store", str(history)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path))
    proc.stdout.close()  # the reader is gone before the report is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141
    assert err == ""


# --- outputs that are not regular files ------------------------------------------------------


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path, history):
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    done = _run(["report", "--store", str(history), "--format", "json", "-o", str(link)],
                tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(json.loads(target.read_text())["runs"]) == 8


def test_output_into_a_fifo_writes_into_it(tmp_path, history):
    fifo, got = tmp_path / "pipe", {}
    os.mkfifo(fifo)

    def read() -> None:  # blocks until lossterm opens the FIFO to write
        with open(fifo, encoding="utf-8") as reader:
            got["text"] = reader.read()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    done = _run(["report", "--store", str(history), "--format", "json", "-o", str(fifo)],
                tmp_path)
    assert done.returncode == 0, done.stderr
    assert fifo.is_fifo()  # not replaced by a regular file (the reader would wait forever)
    reader.join(timeout=60)
    assert len(json.loads(got["text"])["runs"]) == 8


def test_output_into_a_device_node_writes_into_it(tmp_path, history):
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))  # a character device: /dev/null's
    except PermissionError:
        pytest.skip("making a device node needs root")
    done = _run(["report", "--store", str(history), "-o", str(node)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert node.is_char_device()


def test_a_terminal_that_vanishes_mid_study_costs_no_result(tmp_path):
    """``--tune ... &``, disown, the SSH link drops: the terminal (stdout and stderr, a pty
    here) gives EIO from then on. The study still ends and its report is kept."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*LOSSTERM, "--headless", "--problem", "circles", "--loss", "bce",
                             "--loss", "hinge", "--tune", "--seeds", "2", "--epochs", "3",
                             "--lr-grid", "0.01:0.1:2", "--format", "json"],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=_env(tmp_path))
    os.close(slave)
    os.read(master, 1)  # the progress bar's first byte: training has begun
    os.close(master)  # the terminal is gone
    assert proc.wait(timeout=300) == 1
    kept = list((tmp_path / "data" / "lossterm" / "reports").glob("report-*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text())["studies"][0]["study"]


def test_sigterm_mid_study_says_how_to_resume(tmp_path):
    """A study's stderr on a pty (so its progress bar draws): the first byte of the bar is
    the event that training has begun; SIGTERM then ends it in one line and exit 143."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*LOSSTERM, "--headless", "--problem", "circles", "--loss", "bce",
                             "--loss", "hinge", "--tune", "--seeds", "2", "--epochs", "100000",
                             "--lr-grid", "0.01:0.1:2", "--format", "json"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                            env=_env(tmp_path))
    os.close(slave)
    seen = b""
    while b"circles" not in seen:  # the bar names a phase: the study is training
        seen += os.read(master, 4096)
    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=120)[0]
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child's side is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 143
    text = seen.decode(errors="replace")
    assert "Traceback" not in text and out == b""
    assert "stopped by SIGTERM" in text and "re-run the same command to resume" in text

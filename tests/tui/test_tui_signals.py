"""The installed ``lossterm`` in a real terminal, ended by real signals: SIGTERM, the
terminal vanishing (SIGHUP from tmux), ``kill -9``. Nothing trained is left ``running``,
and what was queued is offered again by the next ``lossterm`` on the same store."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from lossterm.storage.store import Store
from tests.helpers.guard import DEADLOCK_GUARD
from tests.helpers.terminal import EXITED, Pane

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

OFFER = "Unfinished when lossterm last closed"


def _command(store) -> str:
    return f"{sys.executable} -m lossterm --problem circles --epochs 3000 --store {store}"


def _pid(store) -> int:
    """The lossterm process using ``store`` (the pattern is unique to this test)."""
    pattern = f"^[^ ]*python[^ ]* -m lossterm --problem circles .*{store}"
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    assert len(found) == 1, found
    return int(found[0])


def _gone(pid: int) -> None:
    give_up = time.monotonic() + DEADLOCK_GUARD
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < give_up, f"lossterm ({pid}) never ended"
        time.sleep(0.2)


def _statuses(store) -> list[str]:
    return [s for (s,) in sqlite3.connect(store).execute("SELECT status FROM runs ORDER BY id")]


def _pending(store) -> list[dict]:
    return [json.loads(b) for (b,) in sqlite3.connect(store).execute(
        "SELECT body FROM pending_work ORDER BY id")]


def _queue_and_train(pane: Pane) -> None:
    pane.wait_for("training on")  # the backend is loaded
    pane.send("a")  # every loss that fits circles
    pane.wait_for("training  ")


def test_sigterm_stops_the_run_keeps_the_queue_and_exits_143(tmp_path):
    store = tmp_path / "runs.sqlite"
    pane = Pane(_command(store), tmp_path, size=(100, 30))
    try:
        _queue_and_train(pane)
        os.kill(_pid(store), signal.SIGTERM)
        after = pane.wait_for(EXITED)
        assert pane.exit_code.read_text().strip() == "143"
        assert "Traceback" not in after
    finally:
        pane.close()
    assert _statuses(store) == ["stopped"], "the run in flight is kept as stopped"
    kept = _pending(store)
    assert len(kept) >= 2 and {i["kind"] for i in kept} == {"run"}
    assert kept[0]["seeds"] == [0] and kept[0]["job"]["epochs"] == 3000


def test_a_vanished_terminal_leaves_nothing_running_and_the_next_start_requeues(tmp_path):
    store = tmp_path / "runs.sqlite"
    pane = Pane(_command(store), tmp_path, size=(100, 30))
    _queue_and_train(pane)
    pid = _pid(store)
    pane.close()  # tmux kills the session: the terminal is gone (SIGHUP)
    _gone(pid)
    assert _statuses(store) == ["stopped"]
    queued = len(_pending(store))
    assert queued >= 2

    (tmp_path / "again").mkdir()
    pane = Pane(_command(store), tmp_path / "again", size=(100, 30))
    try:
        offer = pane.wait_for(OFFER)
        assert f"{queued} runs on circles" in " ".join(offer.split())
        pane.send("Enter")
        pane.wait_for("training  ")  # the first cut run trains again
        pane.send("q")
        pane.wait_for(EXITED)
        assert (tmp_path / "again" / "exit-code").read_text().strip() == "0"
    finally:
        pane.close()
    assert _statuses(store) == ["stopped", "stopped"]
    assert len(_pending(store)) == queued, "cut again by q: offered again next time"


def test_kill_9_keeps_the_queue_for_the_next_start(tmp_path):
    store = tmp_path / "runs.sqlite"
    pane = Pane(_command(store), tmp_path, size=(100, 30))
    try:
        _queue_and_train(pane)
        os.kill(_pid(store), signal.SIGKILL)
        pane.wait_for(EXITED)
    finally:
        pane.close()
    assert len(_pending(store)) >= 2
    (tmp_path / "again").mkdir()
    pane = Pane(_command(store), tmp_path / "again", size=(100, 30))
    try:
        pane.wait_for(OFFER)
        pane.send("Escape")
        pane.wait_for("forgotten")
        pane.send("q")
        pane.wait_for(EXITED)
    finally:
        pane.close()
    assert _pending(store) == []
    # kill -9 leaves its row `running`; the history reads it as what it is
    history = Store(store, read_only=True)
    assert [r.status for _, r in history.results()] == ["incomplete"]
    history.close()

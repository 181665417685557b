"""The installed ``lossterm`` in a real terminal (tmux), driven by keystrokes."""

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from lossterm.losses import get_loss

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                          capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        # a sentence may wrap anywhere, so also look in the screen with its line breaks undone
        if text in screen or text in " ".join(screen.split()):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{_screen(session)}")


@pytest.fixture
def tmux_lossterm(tmp_path):
    session = f"lossterm-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "exit-code"
    store = tmp_path / "runs.sqlite"
    command = (f"{sys.executable} -m lossterm --epochs 3000 --store {store}; echo $? > {done}; "
               f"echo LOSSTERM-EXITED; sleep 60")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    "env", f"PATH={os.environ['PATH']}", "TERM=xterm-256color",
                    "bash", "-c", command], check=True)
    yield session, done
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_train_then_quit_mid_run_in_a_real_terminal(tmux_lossterm):
    session, done = tmux_lossterm
    ready = _wait_for(session, "training on")  # the header names the backend once loaded
    assert "Problem" in ready and "t Train" in ready
    subprocess.run(["tmux", "send-keys", "-t", session, "t"], check=True)
    training = _wait_for(session, "training  ")  # the runs table's status column
    assert "/3000" in training
    for leak in ("I0000", "WARNING: All log messages", "cuda", "oneDNN"):
        assert leak not in training, f"TensorFlow log line on screen: {leak}"
    assert _lossterm_pids(), "the pattern must find the running app"
    subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
    _wait_for(session, "LOSSTERM-EXITED", timeout=10)
    assert done.read_text().strip() == "0"
    assert not _lossterm_pids(), "a lossterm process outlived its quit"


def _lossterm_pids() -> list[str]:
    found = subprocess.run(["pgrep", "-f", "^[^ ]*python[^ ]* -m lossterm --epochs 3000"],
                           capture_output=True, text=True)
    return found.stdout.split()


def test_the_study_key_ends_on_a_verdict_in_a_real_terminal(tmp_path):
    """Launch, pick circles, S, wait for the compare screen, read the verdict and the
    tied-for-best marks off the pane, quit: exit 0 and no traceback."""
    session = f"lossterm-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "exit-code"  # (Textual draws on stderr: it stays on the pane)
    command = (f"{sys.executable} -m lossterm --epochs 20 --lr-grid "
               f"0.01:0.1:2 --tune-seeds 1 --seeds 3 --no-store; echo $? > {done}; "
               "echo LOSSTERM-EXITED; sleep 60")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                    "env", f"PATH={os.environ['PATH']}", "TERM=xterm-256color",
                    "bash", "-c", command], check=True)
    try:
        _wait_for(session, "training on")
        subprocess.run(["tmux", "send-keys", "-t", session, "Down"], check=True)  # circles
        _wait_for(session, "binary_crossentropy", timeout=10)  # its losses are listed
        subprocess.run(["tmux", "send-keys", "-t", session, "S"], check=True)
        pane = _wait_for(session, "chosen on validation", timeout=300)
        screen = " ".join(pane.split())
        assert "on circles" in screen
        assert "p Holm" in screen and "★" in screen  # the ranked table, ties marked
        tied = _tied_in_verdict(screen)
        starred = {line.split()[1] for line in pane.splitlines()
                   if line.split()[:1] and line.split()[0].isdigit() and "★" in line}
        assert tied and starred == {get_loss(name).short_name for name in tied}, pane
        subprocess.run(["tmux", "send-keys", "-t", session, "escape"], check=True)
        _wait_for(session, "Problem", timeout=10)
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        after = _wait_for(session, "LOSSTERM-EXITED", timeout=15)
        assert done.read_text().strip() == "0"
        assert "Traceback" not in after
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _tied_in_verdict(screen: str) -> list[str]:
    """The losses the verdict line names as tied for best (or the one that is best)."""
    import re

    line = screen[screen.index("on circles, "):]
    found = (re.match(r"on circles, (?:both|all \d+) tie for best: (.+?) \(", line)
             or re.match(r"on circles, (.+?) tie for best \(", line)
             or re.match(r"on circles, (\S+) is best \(", line))
    assert found, line[:300]
    return re.split(r", | and ", found.group(1))

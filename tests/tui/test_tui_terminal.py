"""The installed ``lossterm`` in a real terminal (tmux), driven by keystrokes."""

import shutil
import subprocess
import sys

import pytest

from lossterm.losses import get_loss
from tests.helpers.terminal import EXITED, Pane

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def training_pane(tmp_path):
    store = tmp_path / "runs.sqlite"
    pane = Pane(f"{sys.executable} -m lossterm --epochs 3000 --store {store}", tmp_path)
    yield pane
    pane.close()


def test_train_then_quit_mid_run_in_a_real_terminal(training_pane):
    pane = training_pane
    ready = pane.wait_for("training on")  # the header names the backend once loaded
    assert "Problem" in ready and "t Train" in ready
    pane.send("t")
    training = pane.wait_for("training  ")  # the runs table's status column
    assert "/3000" in training
    for leak in ("I0000", "WARNING: All log messages", "cuda", "oneDNN"):
        assert leak not in training, f"TensorFlow log line on screen: {leak}"
    assert _lossterm_pids(), "the pattern must find the running app"
    pane.send("q")
    pane.wait_for(EXITED)
    assert pane.exit_code.read_text().strip() == "0"
    assert not _lossterm_pids(), "a lossterm process outlived its quit"


def _lossterm_pids() -> list[str]:
    found = subprocess.run(["pgrep", "-f", "^[^ ]*python[^ ]* -m lossterm --epochs 3000"],
                           capture_output=True, text=True)
    return found.stdout.split()


def test_the_study_key_ends_on_a_verdict_in_a_real_terminal(tmp_path):
    """Launch, pick circles, S, wait for the compare screen, read the verdict and the
    tied-for-best marks off the pane, quit: exit 0 and no traceback."""
    # (Textual draws on stderr: it stays on the pane)
    pane = Pane(f"{sys.executable} -m lossterm --epochs 20 --lr-grid 0.01:0.1:2 --tune-seeds 1 "
                "--seeds 3 --no-store", tmp_path, size=(100, 30))
    try:
        pane.wait_for("training on")
        pane.send("Down")  # circles
        pane.wait_for("binary_crossentropy")  # its losses are listed
        pane.send("S")
        pane.wait_for("chosen on validation")  # the verdict line, drawn first
        pane.wait_for("p Holm")  # then the ranked table
        shown = pane.wait_for("q/esc Back")  # and the compare screen's own footer: all drawn
        screen = " ".join(shown.split())
        assert "chosen on validation" in screen and "on circles" in screen
        assert "p Holm" in screen and "★" in screen  # the ranked table, ties marked
        tied = _tied_in_verdict(screen)
        rows = [line for line in shown.splitlines()  # "1  ■ bce  0.1 ..."
                if line.split()[:1] and line.split()[0].isdigit() and "■" in line]
        starred = {line.split()[2] for line in rows if "★" in line}
        named = {get_loss(name).short_name for name in tied}
        # The study's start notice (10 s) may still lie over the right end of some rows
        # when a short study ends sooner: the rows it leaves whole must agree with the line.
        whole = {line.split()[2] for line in rows if "▌" not in line}
        assert tied and starred and starred <= named, shown
        assert whole & named <= starred, shown
        pane.send("escape")
        pane.wait_for("Problem")
        pane.send("q")
        after = pane.wait_for(EXITED)
        assert pane.exit_code.read_text().strip() == "0"
        assert "Traceback" not in after
    finally:
        pane.close()


def _tied_in_verdict(screen: str) -> list[str]:
    """The losses the verdict line names as tied for best (or the one that is best)."""
    import re

    line = screen[screen.index("on circles, "):]
    found = (re.match(r"on circles, (?:both|all \d+) tie for best: (.+?) \(", line)
             or re.match(r"on circles, (.+?) tie for best \(", line)
             or re.match(r"on circles, (\S+) is best \(", line))
    assert found, line[:300]
    return re.split(r", | and ", found.group(1))

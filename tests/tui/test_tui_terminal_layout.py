"""The installed ``lossterm`` at 80x24 in a real terminal (tmux): a study's verdict fits.

Issue 21 defect 3: at 80x24 the compare screen capped its table at 6 rows under a head
capped at 30% of the height, and the footer lost ``?`` and ``q``. Here a person's path:
launch, pick circles, ``S`` with the default study settings, and read the pane once the
verdict screen is up: the verdict line, every loss's row and the footer's ``q`` at once.
"""

import shutil
import sys

import pytest

from lossterm.losses.catalogue import losses_for_kind
from tests.helpers.terminal import EXITED, Pane

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_a_study_of_circles_fits_80x24_verdict_rows_and_q_at_once(tmp_path):
    pane = Pane(f"{sys.executable} -m lossterm --no-store", tmp_path, size=(80, 24))
    try:
        pane.wait_for("training on")  # the backend loaded: S acts
        pane.send("Down")  # circles
        pane.wait_for("hinge")  # its losses listed
        pane.send("S")
        pane.wait_for("p Holm")  # the verdict screen's table header
        shown = pane.wait_for("p Plot")  # and its footer, drawn by then or a frame later
        lines = shown.splitlines()
        assert len(lines) == 24, shown
        assert lines[0].startswith(" on circles, "), shown  # the verdict line, first row
        rows = [line.split() for line in lines if line.split()[:1]
                and line.split()[0].isdigit()]
        names = {row[2] for row in rows}  # "1  ■ squared_hinge  0.01 ..."
        expected = {spec.short_name for spec in losses_for_kind("binary")}
        assert names == expected, shown  # every loss's row
        footer = lines[23]  # the bottom row, not scrolled off
        assert "q/esc Back" in footer and "? Help" in footer, footer
        pane.send("q")  # back to the main screen, where q quits
        pane.wait_for("Problem")
        pane.send("q")
        after = pane.wait_for(EXITED)
        assert pane.exit_code.read_text().strip() == "0"
        assert "Traceback" not in after
    finally:
        pane.close()

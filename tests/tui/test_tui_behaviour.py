"""Issue 21's behaviour defects (10-16), one Pilot test per finding, each failing before its fix.

The real app with the canned trainer (tests/helpers/canned.py) where training itself is
not the point; keys typed faster than the app reads them are posted in one go, as a
terminal delivers a paste.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

import lossterm
from tests.helpers.pilot import settled
from tests.helpers.terminal import EXITED, Pane
from tests.tui.test_tui_audit import canned

# 10 --------------------------------------------------------------------------

def test_10_the_loss_selected_on_a_problem_does_not_depend_on_the_path_taken():
    """blobs -> circles selected "² categorical_crossentropy" and regression -> circles bce:
    each kind now keeps its own choice, the tutorial's loss until one is made."""
    seen = {}

    async def scenario(app, pilot):
        picker = app.query_one("#picker")
        await pilot.press("down")  # regression -> circles
        seen["from regression"] = picker.loss
        await pilot.press("down", "up")  # circles -> blobs -> circles
        seen["from blobs"] = picker.loss
        await pilot.press("tab", "down")  # circles: the next loss (hinge)
        seen["chosen"] = picker.loss
        await pilot.press("shift+tab", "down", "up")  # to blobs and back
        seen["back"] = picker.loss
        await pilot.press("down")
        seen["blobs"] = picker.loss
        await pilot.press("up", "t")
        await settled(app, pilot)

    app = canned(scenario, epochs=2)
    assert seen == {"from regression": "binary_crossentropy", "from blobs": "binary_crossentropy",
                    "chosen": "hinge", "back": "hinge", "blobs": "categorical_crossentropy"}
    assert (app.runs[1].config.problem, app.runs[1].config.loss) == ("circles", "hinge")


# 11 --------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_11_the_header_names_the_backend_chosen_while_it_loads(tmp_path):
    """`--backend jax` showed "loading TensorFlow…" (hard-coded) until Keras had loaded."""
    root = Path(lossterm.__file__).parents[1]  # this checkout, whatever tmux's environment
    pane = Pane(f"PYTHONPATH={root} {sys.executable} -m lossterm --backend jax --no-store",
                tmp_path)
    try:
        loading = pane.wait_for("loading")
        assert "loading Keras with JAX" in loading and "TensorFlow" not in loading
        assert "jax backend" in pane.wait_for("training on")
        pane.send("q")
        pane.wait_for(EXITED)
        assert pane.exit_code.read_text().strip() == "0"
    finally:
        pane.close()

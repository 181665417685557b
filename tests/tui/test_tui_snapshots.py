"""SVG snapshots of the main, compare and robustness screens, at 100x30, 80x24 and 140x45.

The app is the real one; only the trainer is canned (tests/canned.py), so the
pictures are stable. Update with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

import pytest

from lossterm.app.app import make_app
from lossterm.training.records import RunConfig
from tests.helpers.canned import (
    canned_compare_view,
    canned_loader,
    canned_robustness_view,
    canned_trainer,
    exploding_trainer,
)

SIZES = [(100, 30), (80, 24), (140, 45)]
PROBLEM_ROWS = {"regression": 0, "circles": 1, "blobs": 2}


def _app(trainer=canned_trainer):
    return make_app(trainer=trainer, loader=canned_loader,
                    base=RunConfig(problem="", loss="", epochs=60))


def _scenario(problem: str):
    async def run_before(pilot):
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(PROBLEM_ROWS[problem]):
            await pilot.press("down")
        await pilot.press("a")  # every loss that fits
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "space")  # overlay the first two runs
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("problem", list(PROBLEM_ROWS))
def test_main_screen(snap_compare, problem, size):
    assert snap_compare(_app(), terminal_size=size, run_before=_scenario(problem))


def test_help_screen(snap_compare):
    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(100, 30), run_before=run_before)


def test_main_screen_with_seeds(snap_compare):
    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.press("down", "n", "n")  # circles, 5 seeds per run
        await pilot.press("t")  # binary_crossentropy
        pilot.app.query_one("#losses").focus()
        await pilot.press("down", "t")  # hinge
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = pilot.app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "space")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(100, 30), run_before=run_before)


@pytest.mark.parametrize("problem", ["regression", "circles"])
def test_theory_screen(snap_compare, problem):
    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        for _ in range(PROBLEM_ROWS[problem]):
            await pilot.press("down")
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(100, 30), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_curves_keep_a_diverged_run_off_the_axis(snap_compare, size):
    """Every regression loss overlaid, MAPE ending at test MSE 1.5e33: the others readable."""

    async def run_before(pilot):
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.press("a")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#runs")
        table.focus()
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.pause()

    assert snap_compare(_app(exploding_trainer), terminal_size=size, run_before=run_before)


def test_loss_curves_with_seeds(snap_compare):
    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.press("down", "n", "n", "t")  # circles, 5 seeds, bce
        pilot.app.query_one("#losses").focus()
        await pilot.press("down", "t", "m")  # hinge; then the loss curves
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = pilot.app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "space")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("key", ["", "p", "m"], ids=["isolation", "curves", "metrics"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_screen(snap_compare, size, key):
    from lossterm.app.screens.compare import CompareScreen

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(CompareScreen(canned_compare_view()))
        await pilot.pause()
        if key:
            await pilot.press(key)
            await pilot.pause()

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("key", ["", "p"], ids=["robustness", "isolation"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_robustness_screen(snap_compare, size, key):
    """R's verdict on iris: a line per noise rate, the nine losses ranked at the highest
    rate (each with its plot marker), the robustness plot; p: the last rate's isolation."""
    from lossterm.app.screens.compare import CompareScreen

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(CompareScreen(canned_robustness_view()))
        await pilot.pause()
        if key:
            await pilot.press(key)
            await pilot.pause()

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)

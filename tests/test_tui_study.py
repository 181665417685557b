"""S and v in the real app: a fair study from the TUI, its verdict on the compare screen."""

import asyncio

from lossterm.app.app import make_app
from lossterm.app.screens.compare import CompareScreen
from lossterm.engine import RunConfig
from lossterm.engine.study import Protocol
from lossterm.options import Options
from test_tui_pilot import wait_until


def _app(epochs=12, **protocol):
    options = Options(base=RunConfig(problem="", loss="", epochs=epochs),
                      protocol=Protocol(**protocol))
    return make_app(problem="circles", options=options)


def test_s_runs_a_study_and_opens_its_verdict():
    app = _app(grid=(0.01, 0.1), tune_seeds=1, seeds=3)
    seen = {}

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("S")
            await wait_until(pilot, lambda: "study of circles" in app.sub_title, timeout=60)
            seen["progress"] = app.sub_title
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), timeout=300)
            await pilot.pause(0.3)
            screen = app.screen
            seen["verdict"] = str(screen.query_one("#compare-verdict").render())
            seen["rows"] = screen.query_one("#compare-table").row_count
            await pilot.press("m")
            seen["matrix"] = screen.query_one("#compare-matrix").display
            await pilot.press("escape", "v")  # back, then the same verdict again
            await pilot.pause(0.2)
            seen["again"] = isinstance(app.screen, CompareScreen)

    asyncio.run(main())
    assert "tuning" in seen["progress"] or "final" in seen["progress"]
    assert "on circles" in seen["verdict"] and "chosen on validation" in seen["verdict"]
    assert seen["rows"] >= 4  # bce, hinge, squared hinge, focal and the robust binary losses
    assert seen["matrix"] and seen["again"]


def test_s_stops_a_study_and_says_there_is_no_verdict():
    app = _app(epochs=3000, tune_seeds=2, seeds=5)  # long enough to be stopped mid-way
    seen = {}

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("S")
            await wait_until(pilot, lambda: "study of circles" in app.sub_title, timeout=60)
            await pilot.press("s")
            await wait_until(pilot, lambda: app.study_stop is None, timeout=120)
            seen["screen"] = type(app.screen).__name__
            seen["studies"] = dict(app.studies)
            await pilot.press("v")
            await pilot.pause(0.2)
            seen["after_v"] = type(app.screen).__name__

    asyncio.run(main())
    assert seen["screen"] != "CompareScreen" and not seen["studies"]
    assert seen["after_v"] != "CompareScreen"  # nothing to judge yet: a notice instead

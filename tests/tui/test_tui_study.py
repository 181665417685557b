"""S and v in the real app: a fair study from the TUI, its verdict on the compare screen."""

import asyncio

from lossterm.analysis.study import Protocol
from lossterm.app.app import make_app
from lossterm.app.screens.compare import CompareScreen
from lossterm.options import Options
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.pilot import running, settled, wait_until


def _app(epochs=12, **protocol):
    options = Options(base=RunConfig(problem="", loss="", epochs=epochs),
                      protocol=Protocol(**protocol))
    return make_app(problem="circles", options=options)


def test_s_runs_a_study_and_opens_its_verdict():
    app = _app(grid=(0.01, 0.1), tune_seeds=1, seeds=3)
    seen = {}

    async def main():
        async with running(app, (80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("S")
            await wait_until(pilot, lambda: "study of circles" in app.sub_title)
            seen["progress"] = app.sub_title
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            await settled(app, pilot)
            screen = app.screen
            seen["verdict"] = str(screen.query_one("#compare-verdict").render())
            seen["rows"] = screen.query_one("#compare-table").row_count
            await pilot.press("m")
            seen["matrix"] = screen.query_one("#compare-matrix").display
            await pilot.press("escape", "v")  # back, then the same verdict again
            await settled(app, pilot)
            seen["again"] = isinstance(app.screen, CompareScreen)

    asyncio.run(main())
    assert "tuning" in seen["progress"] or "final" in seen["progress"]
    assert "on circles" in seen["verdict"] and "chosen on validation" in seen["verdict"]
    assert seen["rows"] >= 4  # bce, hinge, squared hinge, focal and the robust binary losses
    assert seen["matrix"] and seen["again"]


def test_s_stops_a_study_and_says_there_is_no_verdict():
    app = _app(epochs=3000, grid=(0.01, 0.1), seeds=3)  # long enough to be stopped mid-way
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("S")
            await wait_until(pilot, lambda: "study of circles" in app.sub_title)
            await pilot.press("s")
            await wait_until(pilot, lambda: app.study_stop is None)
            seen["screen"] = type(app.screen).__name__
            seen["studies"] = dict(app.studies)
            await pilot.press("v")
            await settled(app, pilot)
            seen["after_v"] = type(app.screen).__name__

    asyncio.run(main())
    assert seen["screen"] != "CompareScreen" and not seen["studies"]
    assert seen["after_v"] != "CompareScreen"  # nothing to judge yet: a notice instead


def test_s_studies_only_the_losses_overlaid_on_the_problem():
    """Two runs marked with space (the overlay) on circles: S studies those two losses."""

    options = Options(base=RunConfig(problem="", loss="", epochs=8),
                      protocol=Protocol(grid=(0.03, 0.3), tune_seeds=1, seeds=2))
    app = make_app(problem="circles", loss="hinge", options=options, trainer=canned_trainer,
                   loader=canned_loader)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("t")  # hinge (canned), then the loss below it
            await app.workers.wait_for_complete()
            app.query_one("#losses").focus()
            await pilot.press("down", "t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.query_one("#runs")
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("space", "down", "space", "S")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            await settled(app, pilot)
            seen["rows"] = app.screen.query_one("#compare-table").row_count
            seen["losses"] = [s.loss for s in app.studies["circles"].losses]
            seen["trained"] = [r.config.loss for r in app.runs.values()]

    asyncio.run(main())
    assert seen["rows"] == 2 and len(set(seen["trained"])) == 2
    assert sorted(seen["losses"]) == sorted(seen["trained"])

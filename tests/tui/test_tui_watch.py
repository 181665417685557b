"""Watching long work (issue 21, items 6 and 7): the curves never blank between queued runs,
and a study shows its overall progress, an estimate of the time left and its runs' curves
as they train, while ``s`` still stops it at once."""

import asyncio

from lossterm.app.app import make_app
from lossterm.app.widgets.curves import Curves
from lossterm.app.widgets.legend import Legend
from lossterm.core.types import Status
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader
from tests.helpers.gated import HeldAfterStart
from tests.helpers.pilot import running, settled, wait_until


def test_the_last_curve_stays_until_the_next_queued_run_has_its_first_epoch():
    """Item 7: the pane went blank for about a second at the start of every queued run."""
    trainer = HeldAfterStart(held_call=2)
    app = make_app(trainer=trainer, loader=canned_loader, problem="circles",
                   base=RunConfig("", "", epochs=6))
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await wait_until(pilot, lambda: app.data_ready, "the data")
            await pilot.press("t")  # run 1, canned; then run 2, held before its first epoch
            app.query_one("#losses").focus()
            await pilot.press("down", "t")
            first, second = list(app.runs.values())
            try:
                await wait_until(pilot, lambda: trainer.holding.is_set()
                                 and app.board.training is second, "run 2 to start")
                await pilot.pause()
                curves = app.query_one(Curves)
                seen["held"] = ([r.id for r in curves.runs], [line.epochs for line in curves.lines],
                                curves.title, app.query_one(Legend).plain)
            finally:
                trainer.release.set()
            await wait_until(pilot, lambda: second.status == Status.DONE, "run 2 to end")
            await settled(app, pilot)
            seen["after"] = [r.id for r in app.query_one(Curves).runs]
            seen["ids"] = first.id, second.id

    asyncio.run(main())
    first, second = seen["ids"]
    runs, epochs, title, legend = seen["held"]
    assert runs == [first] and epochs == [6], seen["held"]  # run 1's whole curve, not a blank
    assert "no epochs yet" not in title and f"#{first}" in legend
    assert seen["after"] == [second]

"""d in the runs table: a queued run leaves the queue, the run training stops after its
epoch, and what is kept for the next start follows."""

import asyncio
import json
import sqlite3

from lossterm.app.app import make_app
from lossterm.app.widgets.runs_table import RunsTable
from lossterm.core.types import Status
from lossterm.storage.store import Store
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.pilot import running, settled, wait_until


def held_trainer(jobs, *, stop, listener):
    """Each run trains one canned epoch, then holds until it is told to stop."""
    listener.run_started(0, jobs[0])
    stop.wait()
    return canned_trainer(jobs, stop=stop, listener=listener)


def test_d_drops_a_queued_run_and_stops_the_one_training(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = Store(path)
    app = make_app(trainer=held_trainer, loader=canned_loader, store=store, problem="circles",
                   base=RunConfig(problem="", loss="", epochs=3))
    seen = {}

    async def main():
        async with running(app) as pilot:
            await wait_until(pilot, lambda: app.pending.offered, "loaded")
            await pilot.press("a")
            await wait_until(pilot, lambda: app.board.training is not None, "training")
            queued = [r for r in app.runs.values() if r.status == Status.QUEUED]
            seen["before"] = len(app.runs)
            table = app.query_one(RunsTable)
            table.focus()
            last = queued[-1]
            table.move_cursor(row=table.get_row_index(str(last.id)))
            await pilot.press("d")
            await wait_until(pilot, lambda: last.id not in app.runs, "dropped")
            seen["queue"] = list(app.board.queue)
            seen["kept"] = [json.loads(b)["loss"] for (b,) in sqlite3.connect(path).execute(
                "SELECT body FROM pending_work")]
            seen["dropped"] = last.jobs[0].loss.name
            training = app.board.training
            table.move_cursor(row=table.get_row_index(str(training.id)))
            await pilot.press("d")
            await wait_until(pilot, lambda: training.finished, "stopped")
            seen["status"] = training.status
            await wait_until(pilot, lambda: app.board.training not in (None, training),
                             "the next run started")
            app.board.stop_all()
            await settled(app, pilot)

    asyncio.run(main())
    store.close()
    assert seen["before"] >= 3 and len(seen["queue"]) == seen["before"] - 2
    assert seen["dropped"] not in seen["kept"] and len(seen["kept"]) == seen["before"] - 1
    assert seen["status"] == Status.STOPPED

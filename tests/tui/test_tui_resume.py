"""Work an earlier lossterm on the same store left unfinished is offered on start.

The earlier session is a real process that saved its queue and ended (as one does that
was killed or lost its terminal); the app here is the real one with the canned trainer.
"""

import asyncio
import json
import sqlite3
import subprocess
import sys

from lossterm.app.app import make_app
from lossterm.app.screens.resume import ResumeScreen
from lossterm.core.types import Status
from lossterm.storage.store import Store
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.pilot import running, settled, wait_until

JOB = {"epochs": 7, "learning_rate": 0.05, "momentum": 0.9, "batch_size": 32,
       "hidden_units": [12, 6], "optimizer": "adam", "checkpoint": "last",
       "checkpoint_metric": None}
CLEAN = {"label_noise": 0.0, "outliers": 0.0, "imbalance": 1.0, "seed": 0,
         "noise_kind": "symmetric"}


def _run(loss, seeds, problem="circles", perturbation=CLEAN):
    return {"kind": "run", "problem": problem, "perturbation": perturbation, "loss": loss,
            "short_name": loss, "seeds": seeds, "job": JOB}


def _left_behind(path, items) -> None:
    """An earlier lossterm process kept ``items`` and ended."""
    code = ("import sys, json; from lossterm.storage.pending import PendingWork; "
            f"PendingWork({str(path)!r}).save(json.loads(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", code, json.dumps(items)], check=True)


def _pending(path) -> list[dict]:
    return [json.loads(b) for (b,) in sqlite3.connect(path).execute(
        "SELECT body FROM pending_work ORDER BY id")]


async def _offer(app, pilot) -> str:
    """The offer's text, once it is on screen."""
    await wait_until(pilot, lambda: isinstance(app.screen, ResumeScreen)
                     and app.screen.query("#resume-items"), "the offer")
    return " ".join(str(w.content) for w in app.screen.query("Static"))


def _drive(path, scenario, size=(100, 30)):
    store = Store(path)
    app = make_app(trainer=canned_trainer, loader=canned_loader, store=store,
                   base=RunConfig(problem="", loss="", epochs=3))

    async def main():
        async with running(app, size) as pilot:
            await scenario(app, pilot)

    try:
        asyncio.run(main())
    finally:
        store.close()
    return app


def test_enter_queues_the_cut_runs_with_their_own_seeds_and_settings(tmp_path):
    path = tmp_path / "runs.sqlite"
    _left_behind(path, [_run("hinge", [4, 5]),
                        _run("binary_crossentropy", [0], perturbation={**CLEAN,
                                                                       "label_noise": 0.2})])

    async def scenario(app, pilot):
        shown = await _offer(app, pilot)
        assert "1 run on circles: hinge ×2" in shown
        assert "1 run on circles, noise0.2: binary_crossentropy" in shown
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.runs) == 2 and all(
            r.finished for r in app.runs.values()), "both runs trained")
        hinge, bce = app.runs.values()
        assert [j.seed for j in hinge.jobs] == [4, 5]
        job = hinge.jobs[0]
        assert (job.epochs, job.learning_rate, job.optimizer, job.layers) == (7, 0.05, "adam",
                                                                              (12, 6))
        assert bce.config.problem == "circles+noise0.2"
        assert {r.status for r in app.runs.values()} == {Status.DONE}
        await settled(app, pilot)

    _drive(path, scenario)
    assert _pending(path) == [], "the offered work was taken and then finished"


def test_escape_forgets_it_and_the_next_start_offers_nothing(tmp_path):
    path = tmp_path / "runs.sqlite"
    _left_behind(path, [_run("hinge", [0]), {"kind": "study", "problem": "blobs",
                                             "perturbation": CLEAN, "losses": ["all"],
                                             "seeds": 10}])

    async def scenario(app, pilot):
        shown = await _offer(app, pilot)
        assert "a study of blobs" in shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ResumeScreen), "closed")
        assert not app.runs and app.study_stop is None

    _drive(path, scenario)
    assert _pending(path) == []

    async def again(app, pilot):
        await wait_until(pilot, lambda: app.pending.offered, "the check for left work")
        await settled(app, pilot)
        assert not isinstance(app.screen, ResumeScreen)

    _drive(path, again)


def test_runs_a_session_cannot_make_are_said_and_the_rest_queued(tmp_path):
    path = tmp_path / "runs.sqlite"
    _left_behind(path, [_run("hinge", [0], problem="mine.csv"), _run("hinge", [1])])

    async def scenario(app, pilot):
        await wait_until(pilot, lambda: isinstance(app.screen, ResumeScreen), "the offer")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.runs and all(
            r.finished for r in app.runs.values()), "the run trained")
        notes = [n.message for n in app._notifications]
        assert any(n.startswith("mine.csv: not queued again") for n in notes), notes
        assert [r.jobs[0].seed for r in app.runs.values()] == [1]
        await settled(app, pilot)

    _drive(path, scenario)


def test_runs_still_queued_at_quit_are_kept_for_the_next_start(tmp_path):
    path = tmp_path / "runs.sqlite"
    gate = __import__("threading").Event()

    def held_trainer(jobs, *, stop, listener):  # the first run holds until quit stops it
        listener.run_started(0, jobs[0])
        stop.wait()
        return canned_trainer([], stop=stop, listener=listener)

    store = Store(path)
    app = make_app(trainer=held_trainer, loader=canned_loader, store=store,
                   base=RunConfig(problem="", loss="", epochs=3), problem="circles")

    async def main():
        async with running(app) as pilot:
            await wait_until(pilot, lambda: app.pending.offered, "loaded")
            await pilot.press("a")
            await wait_until(pilot, lambda: app.board.training is not None, "training")
            kept = _pending(path)
            assert len(kept) == len(app.runs) >= 2
            assert all(item["kind"] == "run" for item in kept)
            gate.set()
            await pilot.press("q")

    asyncio.run(main())
    store.close()
    assert len(_pending(path)) == len(app.runs), "what was cut is kept for the next start"

"""A study that ended in one session reopens in the next (V, or v on its problem), from
its kept runs: the same verdict, nothing trained; a study whose runs are gone says so."""

import asyncio
import json
import sqlite3

from lossterm.analysis.study import Protocol
from lossterm.app.app import make_app
from lossterm.app.screens.compare import CompareScreen
from lossterm.app.screens.studies import StudiesScreen
from lossterm.options import Options
from lossterm.storage.store import Store
from lossterm.training.records import RunConfig
from tests.helpers.pilot import running, settled, wait_until

PROTOCOL = Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=3)


def _session(path, scenario, epochs=8):
    """One TUI session on the store at ``path`` (the real engine), as a person would."""
    store = Store(path)
    options = Options(base=RunConfig(problem="", loss="", epochs=epochs), protocol=PROTOCOL)
    app = make_app(problem="circles", options=options, store=store)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await scenario(app, pilot, seen)

    try:
        asyncio.run(main())
    finally:
        store.close()
    return seen


def _verdict(app) -> str:
    return str(app.screen.query_one("#compare-verdict").render())


def _study_runs(path) -> int:
    return sqlite3.connect(path).execute("SELECT count(*) FROM study_runs").fetchone()[0]


def test_a_study_reopens_in_the_next_session_with_the_same_verdict(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite"
    monkeypatch.chdir(tmp_path)

    async def study(app, pilot, seen):
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        await settled(app, pilot)
        seen["verdict"] = _verdict(app)

    first = _session(path, study)
    kept = _study_runs(path)

    async def reopen(app, pilot, seen):
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, StudiesScreen), "the list")
        await settled(app, pilot)
        table = app.screen.query_one("#studies-table")
        seen["listed"] = [str(c) for c in table.get_row_at(0)]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "reopened")
        await settled(app, pilot)
        seen["verdict"] = _verdict(app)
        await pilot.press("x")  # the reopened study, exported as --headless writes it
        await wait_until(pilot, lambda: any("verdict written" in n.message
                                            for n in app._notifications), "exported")
        await pilot.press("escape")
        app.studies.clear()  # v alone, with nothing of this session: the store's study
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "v reopened")
        await settled(app, pilot)
        seen["by_v"] = _verdict(app)

    second = _session(path, reopen)
    assert second["listed"][1:3] == ["study", "circles"]
    assert second["listed"][3] in first["verdict"]
    assert second["verdict"] == first["verdict"] == second["by_v"]
    assert _study_runs(path) == kept, "reopening trained nothing"
    (md,) = tmp_path.glob("lossterm-circles-*.md")
    (js,) = tmp_path.glob("lossterm-circles-*.json")
    assert "chosen on validation" in md.read_text()
    assert json.loads(js.read_text())


def test_a_study_whose_runs_are_gone_says_so_and_trains_nothing(tmp_path):
    path = tmp_path / "runs.sqlite"

    async def study(app, pilot, seen):
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        await settled(app, pilot)

    _session(path, study, epochs=4)
    left = _study_runs(path) - 5
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM study_runs WHERE rowid IN (SELECT rowid FROM study_runs "
                   "ORDER BY rowid LIMIT 5)")
    db.close()

    async def reopen(app, pilot, seen):
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, StudiesScreen), "the list")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.study_stop is None and any(
            "cannot be reopened" in n.message for n in app._notifications), "the refusal")
        seen["screen"] = type(app.screen).__name__

    seen = _session(path, reopen, epochs=4)
    assert seen["screen"] != "CompareScreen"
    assert _study_runs(path) == left, "nothing was trained to fill the gap"

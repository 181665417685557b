"""x writes the verdict on screen as the reports --headless writes, and says where."""

import asyncio
import json

from lossterm.app.app import make_app
from lossterm.app.screens.compare import CompareScreen
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.pilot import running, settled, wait_until


def _drive(scenario):
    app = make_app(trainer=canned_trainer, loader=canned_loader, problem="circles",
                   base=RunConfig(problem="", loss="", epochs=5))

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def test_x_on_the_compare_screen_writes_markdown_and_json_where_lossterm_started(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the folder a person started lossterm in
    seen = {}

    async def scenario(app, pilot):
        await pilot.press("n")  # 3 seeds per run
        await pilot.press("a")  # every loss that fits circles
        await wait_until(pilot, lambda: app.runs and all(
            r.finished for r in app.runs.values()), "every run trained")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        await settled(app, pilot)
        seen["verdict"] = str(app.screen.query_one("#compare-verdict").render())
        seen["footer"] = "x" in {b.key for b in app.screen.BINDINGS}
        await pilot.press("x")
        await wait_until(pilot, lambda: any("verdict written" in n for n in _notes(app)))
        seen["runs"] = len(app.runs) * 3

    app = _drive(scenario)
    (md,) = tmp_path.glob("lossterm-circles-*.md")
    (js,) = tmp_path.glob("lossterm-circles-*.json")
    note = next(n for n in _notes(app) if "verdict written" in n)
    assert str(md) in note and js.name in note
    report = json.loads(js.read_text())
    assert len(report["runs"]) == seen["runs"]
    text = md.read_text()
    losses = {r["loss"] for r in report["runs"]}
    assert len(losses) >= 4 and all(f"| {loss} |" in text for loss in losses)
    assert "every pair (paired t-test over seeds, Holm-adjusted)" in text
    assert seen["footer"]


def test_x_with_no_verdict_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def scenario(app, pilot):
        await pilot.press("x")
        await wait_until(pilot, lambda: any("no verdict on circles" in n for n in _notes(app)))

    _drive(scenario)
    assert list(tmp_path.iterdir()) == []

"""The TUI's ``o`` with files of one name in two folders: both stay, each under its own name
(the second used to take the first's name, and with it the first's place)."""

import asyncio

from lossterm.app.app import make_app
from lossterm.data.files import problem_name
from lossterm.training.records import RunConfig
from tests.helpers.files import write_csv
from tests.helpers.pilot import running


def _csv(path, shift):
    path.parent.mkdir(parents=True)
    rows = [[i * shift, (i * 7) % 5, "yes" if i % 2 else "no"] for i in range(40)]
    return write_csv(path, ["x1", "x2", "answer"], rows)


def test_two_same_named_files_opened_in_turn_are_two_problems(tmp_path):
    first, second = _csv(tmp_path / "a" / "d.csv", 1), _csv(tmp_path / "b" / "d.csv", 2)
    app = make_app(base=RunConfig(problem="", loss="", epochs=2))

    async def open_file(pilot, path):
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#path").value = str(path)
        app.screen.query_one("#target").value = "answer"
        await pilot.click("#load")
        await app.workers.wait_for_complete()
        await pilot.pause()

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await open_file(pilot, first)
            await open_file(pilot, second)
            picker = app.query_one("#picker")
            listed = [name for name in picker.kinds if name.endswith("d.csv")]
            assert listed == ["d.csv", "b/d.csv"]
            assert picker.problem == "b/d.csv"
            # the dialog opens on the file read last; both files stay in the options
            await pilot.press("o")
            await pilot.pause()
            assert app.screen.query_one("#path").value == str(second)
            await pilot.press("escape")
            await pilot.pause()
            data = app.settings.options.data
            assert [problem_name(d) for d in data] == ["d.csv", "b/d.csv"]
            assert app.settings.own["d.csv"].description.startswith(str(first))
            assert app.settings.own["b/d.csv"].description.startswith(str(second))

    asyncio.run(main())

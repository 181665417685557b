"""B: the studies of this session side by side — here circles clean and with label noise,
two real (short) studies, as a person would get them: S, L, S, then B."""

import asyncio

from lossterm.analysis.study import Protocol
from lossterm.app.app import make_app
from lossterm.app.compare import from_study
from lossterm.app.screens.beside import BesideScreen, beside_rows
from lossterm.app.screens.compare import CompareScreen
from lossterm.options import Options
from lossterm.training.records import RunConfig
from tests.helpers.pilot import running, settled, wait_until


def test_b_shows_clean_and_perturbed_studies_side_by_side():
    options = Options(base=RunConfig(problem="", loss="", epochs=4),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=3))
    app = make_app(problem="circles", options=options)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("B")  # one verdict or none: says what to do
            await wait_until(pilot, lambda: any("needs two verdicts" in n.message
                                                for n in app._notifications))
            for keys in (["S"], ["L", "S"]):  # clean, then label noise 0.1
                await pilot.press(*keys)
                await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
                await settled(app, pilot)
                await pilot.press("escape")
            await pilot.press("B")
            await wait_until(pilot, lambda: isinstance(app.screen, BesideScreen))
            await settled(app, pilot)
            table = app.screen.query_one("#beside-table")
            seen["header"] = [str(c.label) for c in table.columns.values()]
            seen["rows"] = [[str(c) for c in table.get_row_at(i)]
                            for i in range(table.row_count)]
            seen["expected"] = beside_rows([from_study(s) for s in app.studies.values()])

    asyncio.run(main())
    assert seen["header"] == ["loss", "circles (accuracy)", "circles+noise0.1 (accuracy)"]
    header, rows = seen["expected"]
    assert list(header) == seen["header"]
    assert [list(r) for r in rows] == seen["rows"]
    assert len(rows) >= 4 and all(len(r) == 3 for r in rows)
    ranks = [int(r[1].split()[0].rstrip("★")) for r in rows]
    assert sorted(ranks) == list(range(1, len(rows) + 1)), "every loss ranked in each study"

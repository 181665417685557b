"""The layout at the sizes people use (issue 21, defects 1-5, 8, 9): what is on screen, read
off the real app's widgets under Pilot (canned trainer and loader: the layout is the point).

Each test failed on the layout before the fix: a 3-row problem list, a footer cut before
``?`` and ``q`` at 80 columns, a compare table capped at 7 or 9 rows, no notice below the
size the layout needs, a picker 33 columns wide at 140, the final curves drawn with their
min-max bands, every robustness marker a ``●`` painted before the next loss's line.
"""

import asyncio

import pytest
from textual.widgets import DataTable, Footer

from lossterm.app.app import make_app
from lossterm.app.screens.compare import MARKERS, ComparePlot, CompareScreen
from lossterm.app.widgets.curves import CurvesPlot
from lossterm.training.records import RunConfig
from tests.helpers.canned import (
    canned_compare_view,
    canned_loader,
    canned_robustness_view,
    canned_trainer,
)
from tests.helpers.pilot import running


def _app(**options):
    return make_app(trainer=canned_trainer, loader=canned_loader,
                    base=RunConfig(problem="", loss="", epochs=20), **options)


def _inside(widget, bottom: int, right: int) -> bool:
    """The widget whole on screen: not clipped by a scrolling container, above ``bottom``
    (the footer's row) and left of ``right``."""
    if not widget.display:
        return False
    where = widget.screen.find_widget(widget)
    region = where.region
    return (region.height > 0 and where.visible_region == region and region.y >= 0
            and region.bottom <= bottom and region.right <= right)


def _footer_keys(screen) -> tuple[list[str], int]:
    """The footer's keys that are whole on screen, left of the palette's ``^p``; and that x."""
    from textual.widgets._footer import FooterKey

    keys = list(screen.query(FooterKey))
    palette = next(k for k in keys if k.has_class("-command-palette"))
    return [k.key for k in keys if k is not palette and k.display
            and k.region.width and k.region.right <= palette.region.x], palette.region.x


# --- 1. the problem list ---------------------------------------------------------------


def test_every_problem_shows_at_140x45_and_the_lists_share_80x24(counts_problem):
    seen = {}

    async def main(size):
        app = _app(own_problems=[counts_problem])
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            problems, losses = app.query_one("#problems"), app.query_one("#losses")
            seen[size] = (problems.option_count, problems.size.height, problems.max_scroll_y,
                          losses.size.height)

    asyncio.run(main((140, 45)))
    asyncio.run(main((80, 24)))
    count, rows, hidden, _ = seen[140, 45]
    assert count == 9 and rows == 9 and hidden == 0  # eight built in and the own file
    _, rows, _, loss_rows = seen[80, 24]
    assert rows >= 4 and loss_rows >= 3, seen[80, 24]


# --- 2. the footer --------------------------------------------------------------------


@pytest.mark.parametrize("focus", ["#problems", "#runs"])
def test_help_and_quit_stay_in_the_footer_at_80_columns(focus):
    seen = {}

    async def main():
        app = _app()
        async with running(app, (80, 24)) as pilot:
            await app.workers.wait_for_complete()
            app.query_one(focus).focus()
            await pilot.pause()
            await pilot.pause()
            seen["keys"], _ = _footer_keys(app.screen)

    asyncio.run(main())
    assert {"question_mark", "q", "t", "S", "v"} <= set(seen["keys"]), seen["keys"]
    if focus == "#runs":
        assert "space" in seen["keys"]  # the table's overlay key too


def test_the_footer_keeps_every_key_on_a_wide_terminal():
    seen = {}

    async def main():
        app = _app()
        async with running(app, (140, 45)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            seen["keys"], _ = _footer_keys(app.screen)

    asyncio.run(main())
    assert {"n", "m", "question_mark", "q"} <= set(seen["keys"])


# --- 3. the compare screen ------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_robustness_shows_its_verdict_every_row_and_a_readable_plot(size):
    """Iris's nine losses at four rates: the verdict lines, all nine rows (not capped at 7 or
    9 lines of table), the plot at least 9 rows tall and the footer's Back and Help, at once."""
    seen = {}

    async def main():
        app = _app()
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()
            await app.push_screen(CompareScreen(canned_robustness_view()))
            await pilot.pause()
            await pilot.pause()
            screen = app.screen
            footer_y = screen.query_one(Footer).region.y
            table = screen.query_one(DataTable)
            seen["whole"] = {name: _inside(screen.query_one(name), footer_y, size[0])
                             for name in ("#compare-verdict", "#compare-table", "#compare-plot")}
            seen["rows"] = (table.row_count, table.size.height, table.max_scroll_y)
            seen["plot"] = screen.query_one("#compare-plot").size.height
            seen["keys"], _ = _footer_keys(screen)

    asyncio.run(main())
    assert all(seen["whole"].values()), seen
    rows, height, hidden = seen["rows"]
    assert rows == 9 and height == rows + 1 and hidden == 0, seen["rows"]  # header + 9 rows
    assert seen["plot"] >= (9 if size == (80, 24) else 20), seen["plot"]
    assert {"q", "question_mark", "p"} <= set(seen["keys"]), seen["keys"]


def test_a_studys_protocol_and_rows_are_on_screen_at_80x24():
    """The default study's words (as a study of circles writes them): a verdict of six lines
    at 80 columns and the replicate protocol's five, all on screen with the table."""
    from dataclasses import replace

    view = replace(
        canned_compare_view(),
        verdict="on circles, all 4 tie for best: squared_hinge, binary_focal_crossentropy, "
                "binary_crossentropy and hinge (each loss's learning rate chosen on validation "
                "inside each of 10 paired replicates; test accuracy; Holm-adjusted); tied: the "
                "study could detect gaps of about 1.2–1.8 points of accuracy at 10 replicates "
                "(80% power)",
        protocol=("each loss at its own learning rate: 10 paired replicates, each trains 9 "
                  "rates 0.0001–1 (log) from its own seed and chooses on validation (100 rows; "
                  "best epoch)", "test (500 rows) read once per replicate's chosen model; "
                  "paired over replicates; pairs Holm-adjusted"))
    seen = {}

    async def main():
        app = _app()
        async with running(app, (80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await app.push_screen(CompareScreen(view))
            await pilot.pause()
            await pilot.pause()
            screen = app.screen
            footer_y = screen.query_one(Footer).region.y
            seen["whole"] = {name: _inside(screen.query_one(name), footer_y, 80)
                             for name in ("#compare-verdict", "#compare-protocol",
                                          "#compare-table")}
            table = screen.query_one(DataTable)
            seen["rows"] = (table.row_count, table.size.height)

    asyncio.run(main())
    assert all(seen["whole"].values()), seen
    assert seen["rows"] == (4, 5)


# --- 4. too small -------------------------------------------------------------------


@pytest.mark.parametrize("size", [(60, 20), (79, 30), (120, 23)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_terminal_below_80x24_gets_a_notice_not_a_broken_layout(size):
    seen = {}

    async def main():
        app = _app()
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            notice = app.screen.query_one("#too-small")
            seen["main"] = (notice.display, str(notice.render()),
                            app.query_one("#main").display)
            await app.push_screen(CompareScreen(canned_compare_view()))
            await pilot.pause()
            notice = app.screen.query_one("#too-small")
            seen["compare"] = (notice.display, str(notice.render()),
                               app.screen.query_one("#compare").display)
            await pilot.press("q")  # back, then quit: q works under the notice
            await pilot.press("q")

    asyncio.run(main())
    for shown, text, panes in seen.values():
        assert shown and not panes
        assert f"needs at least 80x24, has {size[0]}x{size[1]}" in text


def test_80x24_shows_the_panes_not_the_notice():
    seen = {}

    async def main():
        app = _app()
        async with running(app, (80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            seen["notice"] = app.query_one("#too-small").display
            seen["main"] = app.query_one("#main").display

    asyncio.run(main())
    assert seen == {"notice": False, "main": True}


# --- 5. the picker's width ----------------------------------------------------------


def test_the_picker_widens_on_a_wide_terminal_and_shows_whole_loss_names():
    seen = {}

    async def main(size):
        app = _app()
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("down")  # circles: its six binary losses (•: data fit)
            await pilot.pause()
            losses = app.query_one("#losses")
            prompts = [str(losses.get_option_at_index(i).prompt)
                       for i in range(losses.option_count)]
            binary = [p for p in prompts if "binary" in p or "hinge" in p][:6]
            seen[size] = (app.query_one("#picker").outer_size.width,
                          losses.scrollable_content_region.width, max(map(len, binary)))

    asyncio.run(main((140, 45)))
    asyncio.run(main((100, 30)))
    width, room, longest = seen[140, 45]
    assert width >= 45 and room >= longest, seen  # every binary loss's name and marks whole
    assert seen[100, 30][0] >= 34


# --- 8. the final runs' curves ------------------------------------------------------


def test_the_final_curves_are_one_mean_line_per_loss_in_the_tables_colours():
    """No min-max bands (they covered each other's lines) and no train lines: one mean line
    per loss, in the table's order, so the table's ■ marks are the plot's colours."""
    seen = {}

    async def main():
        app = _app()
        async with running(app, (140, 45)) as pilot:
            await app.workers.wait_for_complete()
            await app.push_screen(CompareScreen(canned_compare_view()))
            await pilot.press("p")
            await pilot.pause()
            curves = app.screen.query_one("#compare-curves", CurvesPlot)
            seen["lines"] = [(line.label, len(line.test), len(line.train))
                             for line in curves.lines]
            seen["drawn"] = curves.plt.build()
            table = app.screen.query_one(DataTable)
            seen["names"] = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]

    asyncio.run(main())
    assert [label for label, _, _ in seen["lines"]] == [n.split(" ", 1)[1]
                                                         for n in seen["names"]]
    assert all((tests, trains) == (1, 0) for _, tests, trains in seen["lines"]), seen["lines"]
    assert "mean over seeds" in seen["drawn"]


# --- 9. robustness markers and the table's order ---------------------------------------


def test_every_robustness_marker_is_drawn_after_the_lines_and_the_order_is_stated():
    seen = {}

    async def main():
        app = _app()
        view = canned_robustness_view()
        async with running(app, (140, 45)) as pilot:
            await app.workers.wait_for_complete()
            await app.push_screen(CompareScreen(view))
            await pilot.pause()
            seen["drawn"] = app.screen.query_one(ComparePlot).plt.build()
            table = app.screen.query_one(DataTable)
            seen["header"] = [str(c.label) for c in table.columns.values()]
            seen["names"] = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        seen["view"] = view

    asyncio.run(main())
    view = seen["view"]
    # cce, scce and kl_divergence share every point: the highest-ranked of them covers the
    # other two there (drawn last); every other loss's own marker shows
    order = [row[1] for row in view.rates_table[1:]]
    same = ["categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence"]
    shared = set(sorted(same, key=order.index)[1:])
    assert not any(MARKERS[order.index(loss)] in seen["drawn"] for loss in shared)
    for index, loss in enumerate(order):
        if loss not in shared:
            assert MARKERS[index] in seen["drawn"], (loss, MARKERS[index])
    assert seen["header"][0] == "loss (by noise 0.6)"
    assert [name[0] for name in seen["names"]] == list(MARKERS[:len(order)])

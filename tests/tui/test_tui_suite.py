"""Issue 23, the TUI's suite verdict: problems marked in the problem list (space), and S
with two or more marked studies each and shows the verdict across them — each problem's
verdict line, the rank table, the Friedman test, the critical-difference diagram and the
pairs — on one screen that scrolls. Each test fails before the change: space on the
problem list marked the selected loss, and S studied the problem under the cursor only.

The studies train for real (a canned run has no model to read the test split with), kept
small: two problems, three losses, a two-rate grid, one tuning seed, three final seeds,
three epochs — a few seconds on this machine.
"""

from textual.widgets import OptionList

from lossterm.analysis.study import Protocol
from lossterm.app.screens.compare import CompareScreen
from lossterm.app.screens.help import key_table
from lossterm.app.screens.suite import SuiteScreen
from lossterm.options import Options
from lossterm.training.records import RunConfig
from tests.helpers.gated import HeldStudy
from tests.helpers.pilot import settled, wait_until
from tests.tui.test_tui_audit import canned
from tests.tui.test_tui_behaviour import _screen_text
from tests.tui.test_tui_pilot import _plain

OPTIONS = Options(base=RunConfig(problem="", loss="", epochs=3),
                  protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=3))
LOSSES = ("categorical_crossentropy", "categorical_hinge", "mae_prob")


async def _mark(app, pilot, problems=("iris", "wine"), losses=LOSSES) -> None:
    """Space on each of ``problems`` in the problem list, then on each of ``losses``."""
    listed = app.query_one("#problems", OptionList)
    listed.focus()
    for name in problems:
        listed.highlighted = listed.get_option_index(name)
        await pilot.pause()
        await pilot.press("space")
    picker = app.query_one("#picker")
    box = app.query_one("#losses", OptionList)
    box.focus()
    for name in losses:
        box.highlighted = box.get_option_index(name)
        await pilot.pause()
        await pilot.press("space")
    await pilot.pause()
    assert picker.problem == problems[-1]


async def _suite_screen(app, pilot, seen: dict) -> SuiteScreen:
    await pilot.press("S")
    await pilot.pause()
    seen["said"] = [n.message for n in app._notifications if "suite study" in n.message]
    await wait_until(pilot, lambda: isinstance(app.screen, SuiteScreen), "the suite screen")
    await settled(app, pilot)
    return app.screen


def _rows(app) -> list[str]:
    from tests.tui.test_tui_behaviour import _screen_rows

    return _screen_rows(app)


def test_space_on_the_problem_list_marks_problems_and_u_clears_every_mark():
    seen = {}

    async def scenario(app, pilot):
        await _mark(app, pilot)
        picker = app.query_one("#picker")
        seen["marked"] = picker.marked_problems(), picker.marked()
        seen["list"] = _screen_text(app, app.query_one("#problems"))
        seen["title"] = _screen_text(app, app.query_one("#problem-title"))
        await pilot.press("u")
        await pilot.pause()
        seen["cleared"] = (picker.marked_problems(), picker.marked(),
                           _screen_text(app, app.query_one("#problems")))
        await pilot.press("question_mark")
        await pilot.pause()
        seen["help"] = _plain(key_table(app.screen.groups))

    canned(scenario, size=(140, 45), options=OPTIONS)
    problems, losses = seen["marked"]
    assert problems == ["iris", "wine"] and sorted(losses) == sorted(LOSSES)
    assert "✓ iris (multiclass)" in seen["list"] and "✓ wine (multiclass)" in seen["list"]
    assert seen["list"].count("✓") == 2
    assert "✓ 2: S = suite" in seen["title"]
    assert seen["cleared"][:2] == ([], []) and "✓" not in seen["cleared"][2]
    help_text = " ".join(seen["help"].split())
    assert "u unmark every marked problem and loss" in help_text  # in the ? screen
    assert "On the problem list it marks the problem" in help_text  # space's row


def _suite_of_two(size):
    seen = {}

    async def scenario(app, pilot):
        await _mark(app, pilot)
        screen = await _suite_screen(app, pilot, seen)
        column = screen.query_one("#suite")
        seen["studied"] = sorted(app.studies)
        seen["problems"] = _screen_text(app, screen.query_one("#suite-problems"))
        seen["first"] = _screen_text(app)
        seen["max_scroll"] = column.max_scroll_y
        seen["wide"] = column.max_scroll_x
        text = [" ".join(_rows(app))]
        while column.scroll_y < column.max_scroll_y:  # the whole column, a page at a time
            await pilot.press("pagedown")
            await pilot.pause()
            text.append(" ".join(_rows(app)))
        seen["all"] = " ".join(" ".join(text).split())
        seen["diagram"] = str(screen.query_one("#suite-cd-0").render())
        seen["friedman"] = str(screen.query_one("#suite-friedman-0").render())
        suite = screen.suites[0]
        seen["verdict"] = suite.verdict
        seen["studies"] = {s.problem: s.verdict.line for s in screen.studies}
        await pilot.press("q")
        await pilot.pause()
        seen["back"] = app.screen is app.screen_stack[0]

    canned(scenario, size=size, options=OPTIONS)
    return seen


def test_s_on_two_marked_problems_studies_both_and_shows_the_suite_at_80x24():
    seen = _suite_of_two((80, 24))
    assert seen["studied"] == ["iris", "wine"]
    assert ("suite study of 2 problems (iris, wine) comparing multiclass: 3 losses, "
            "categorical_crossentropy, categorical_hinge, mae_prob") in seen["said"][0]
    # each problem's verdict line, then the suite's: verdict, Friedman, diagram, pairs
    for problem, line in seen["studies"].items():
        assert f"{problem}: {' '.join(line.split()[:6])}" in seen["problems"]
    assert "Suite of 2 multiclass problems: iris, wine" in seen["all"]
    assert "suite verdict: over 2 multiclass problems (iris, wine)" in seen["all"]
    assert seen["friedman"].startswith("Friedman")
    assert seen["friedman"] in seen["all"]
    assert "critical-difference diagram" in seen["all"]
    diagram = seen["diagram"].splitlines()
    assert diagram[1].startswith("├") and diagram[1].rstrip().endswith("┤")
    assert any("●" in row and row.rstrip().endswith("cce") for row in diagram)  # short names
    assert all(len(row) <= 76 for row in diagram), diagram  # fits 80 columns
    assert "every pair" in seen["all"] and "P(a > b)" in seen["all"]
    assert seen["max_scroll"] > 0 and seen["wide"] == 0  # scrolls down, never sideways
    assert seen["back"]


def test_the_suite_screen_at_140x45_draws_the_report_s_full_width_diagram():
    seen = _suite_of_two((140, 45))
    diagram = seen["diagram"].splitlines()
    assert len(diagram[1]) == 50  # the report's axis, no wider
    assert "Friedman" in seen["all"] and seen["wide"] == 0


def test_one_marked_problem_studies_the_selected_problem_as_before():
    seen = {}

    async def scenario(app, pilot):
        await _mark(app, pilot, problems=("iris",))
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        await settled(app, pilot)
        seen["studied"] = sorted(app.studies)
        seen["losses"] = sorted(s.loss for s in app.studies["iris"].losses)

    canned(scenario, options=OPTIONS)
    assert seen["studied"] == ["iris"]
    assert seen["losses"] == sorted(LOSSES)


def test_problems_of_two_kinds_give_one_suite_per_kind_and_a_lone_problem_is_named():
    """circles and breast_cancer (binary), iris and wine (multiclass), regression alone:
    two suites, each with its own Friedman line and diagram, as the report forms one per
    kind; regression, alone of its kind, is in none, and the screen says why."""
    seen = {}

    async def scenario(app, pilot):
        await _mark(app, pilot, problems=("regression",), losses=("mean_squared_error", "huber"))
        await _mark(app, pilot, problems=("circles", "breast_cancer"),
                    losses=("binary_crossentropy", "hinge"))
        await _mark(app, pilot, problems=("iris", "wine"), losses=LOSSES[:2])
        screen = await _suite_screen(app, pilot, seen)
        seen["kinds"] = [s.kind for s in screen.suites]
        seen["studied"] = sorted(app.studies)
        seen["friedman"] = [str(screen.query_one(f"#suite-friedman-{i}").render())
                            for i in range(len(screen.suites))]
        seen["diagrams"] = len(screen.query(".suite-cd"))
        seen["heads"] = " ".join(str(s.render()) for s in screen.query(".suite-head"))

    canned(scenario, size=(140, 45), options=OPTIONS)
    assert seen["studied"] == ["breast_cancer", "circles", "iris", "regression", "wine"]
    assert seen["kinds"] == ["binary", "multiclass"]  # in the problem list's order
    assert all(line.startswith("Friedman") for line in seen["friedman"])
    assert seen["diagrams"] == 2
    assert "Suite of 2 binary problems: circles, breast_cancer" in seen["heads"]
    assert "Suite of 2 multiclass problems: iris, wine" in seen["heads"]
    assert ("regression is in no suite: the only regression problem marked (a suite needs "
            "two of a kind)") in seen["heads"]


def test_s_stops_a_suite_study_with_no_verdict_and_s_can_start_another():
    """The suite's runner holds after its first run until s is pressed (so the suite
    cannot end before it). Canned runs, which draw regions of two-feature problems only:
    circles and blobs."""
    runner = HeldStudy(after=1)
    seen = {}

    async def scenario(app, pilot):
        await _mark(app, pilot, problems=("circles", "blobs"), losses=())
        await pilot.press("S")
        await pilot.pause()
        seen["running"] = app.study_stop is not None
        await pilot.press("s")
        await settled(app, pilot)
        seen["said"] = [n.message for n in app._notifications if "stopped" in n.message]
        seen["after"] = app.study_stop, app.screen is app.screen_stack[0], dict(app.studies)

    canned(scenario, options=OPTIONS, study_trainer=runner, gates=(runner.release,))
    assert seen["running"]
    assert any(line.startswith("suite study stopped; no verdict") for line in seen["said"])
    assert seen["after"] == (None, True, {})

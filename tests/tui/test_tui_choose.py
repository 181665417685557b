"""Issue 21, "choosing what a study compares": losses marked in the picker (space) for S and
a, and the settings screen (,) for the runs and studies that follow. Each test fails
before the change: space marked nothing (a queued every loss, S studied every loss) and
no key opened the settings (epochs, rate, optimizer, layers and seeds were the command
line's only)."""

from textual import events

from lossterm.analysis.study import Protocol
from lossterm.app.screens.compare import CompareScreen
from lossterm.options import Options
from lossterm.training.records import RunConfig
from tests.helpers.pilot import settled, wait_until
from tests.tui.test_tui_audit import canned, type_ahead
from tests.tui.test_tui_behaviour import _screen_text


def _said(app, words: str) -> list[str]:
    return [n.message for n in app._notifications if words in n.message]


# marks ------------------------------------------------------------------------

async def _mark_two(app, pilot) -> list[str]:
    """On circles, space on the selected loss and on the one below it: their names."""
    app.query_one("#problems").highlighted = 1  # circles (binary)
    await pilot.pause()
    app.query_one("#losses").focus()
    picker = app.query_one("#picker")
    names = [picker.loss]
    await pilot.press("space", "down")
    names.append(picker.loss)
    await pilot.press("space")
    await pilot.pause()
    return names


def _list_text(app) -> str:
    return _screen_text(app, app.query_one("#losses"))


def test_space_marks_losses_and_a_queues_exactly_the_marked():
    seen = {}

    async def scenario(app, pilot):
        seen["marked"] = await _mark_two(app, pilot)
        seen["list"] = _list_text(app)
        seen["screen"] = _screen_text(app, app.query_one("#picker"))
        await pilot.press("a")
        await settled(app, pilot)
        seen["queued"] = [r.config.loss for r in app.runs.values()]

    canned(scenario, epochs=3)
    first, second = seen["marked"]
    assert first != second
    assert f"✓ {first}" in seen["list"] and f"✓ {second}" in seen["list"]
    assert seen["list"].count("✓") == 2
    assert "2 marked (space unmarks): S studies, a queues them" in seen["screen"]
    assert sorted(seen["queued"]) == sorted(seen["marked"])


def test_marks_are_per_kind_and_space_unmarks():
    seen = {}

    async def scenario(app, pilot):
        await _mark_two(app, pilot)
        problems = app.query_one("#problems")
        problems.highlighted = 2  # blobs (multiclass): none of circles' marks
        await pilot.pause()
        seen["blobs"] = (app.query_one("#picker").problem, _list_text(app),
                         _screen_text(app, app.query_one("#picker")))
        problems.highlighted = 1  # back to circles: still marked
        await pilot.pause()
        seen["back"] = _list_text(app).count("✓")
        app.query_one("#losses").focus()
        await pilot.press("space")  # the loss selected is the second marked: unmarked
        await pilot.pause()
        seen["one"] = (_list_text(app).count("✓"), _screen_text(app, app.query_one("#picker")))
        await pilot.press("a")  # one marked: a queues every loss again
        await settled(app, pilot)
        seen["queued"] = len(app.runs)

    canned(scenario, epochs=3)
    problem, losses, picker = seen["blobs"]
    assert problem == "blobs" and "✓" not in losses and "marked" not in picker
    assert seen["back"] == 2
    assert seen["one"][0] == 1 and "1 marked" in seen["one"][1]
    assert seen["queued"] > 2


def test_s_studies_exactly_the_marked_losses_and_says_so_when_it_starts():
    """A real short study: two losses marked on circles, S compares those two."""
    options = Options(base=RunConfig(problem="", loss="", epochs=6),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=3))
    seen = {}

    async def scenario(app, pilot):
        seen["marked"] = await _mark_two(app, pilot)
        await pilot.press("S")
        seen["said"] = _said(app, "study of circles")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        await settled(app, pilot)
        seen["rows"] = app.screen.query_one("#compare-table").row_count
        seen["studied"] = [s.loss for s in app.studies["circles"].losses]

    canned(scenario, options=options)
    marked = seen["marked"]
    assert len(marked) == 2 and sorted(seen["studied"]) == sorted(marked)
    assert seen["rows"] == 2
    assert f"comparing 2 losses, {marked[0]}, {marked[1]}" in seen["said"][-1]


# settings ---------------------------------------------------------------------

def _dialog(app):
    """The settings screen, if it is the one on top."""
    return app.screen if type(app.screen).__name__ == "RunSettingsScreen" else None


def test_comma_opens_the_settings_and_a_refused_value_keeps_it_open_saying_why():
    seen = {}

    async def scenario(app, pilot):
        await pilot.press("comma")
        await pilot.pause()
        screen = _dialog(app)
        assert screen is not None, "no settings screen"
        seen["shown"] = _screen_text(app)
        lr = screen.query_one("#learning-rate")
        lr.value = "-1"
        lr.focus()
        await pilot.press("enter")
        await pilot.pause()
        seen["lr"] = (_dialog(app) is screen, _screen_text(app), screen.focused.id)
        lr.value = "0.05"
        final = screen.query_one("#final-seeds")
        final.value = "1"
        await pilot.press("enter")
        await pilot.pause()
        seen["final"] = (_dialog(app) is screen, _screen_text(app), screen.focused.id)
        hidden = screen.query_one("#hidden")
        final.value, hidden.value = "3", "32,x"
        await pilot.press("enter")
        await pilot.pause()
        seen["hidden"] = (_dialog(app) is screen, screen.focused.id)
        hidden.value = "32,16"
        screen.query_one("#optimizer").value = "adagrad"
        await pilot.press("enter")
        await pilot.pause()
        seen["optimizer"] = (_dialog(app) is screen, _screen_text(app), screen.focused.id)
        await pilot.press("escape")
        await pilot.pause()
        seen["kept"] = app.settings.options.base.learning_rate

    canned(scenario, size=(80, 24))
    assert "20 epochs, sgd at its usual rate" in seen["shown"]
    assert "learning rate" in seen["shown"] and "final seeds" in seen["shown"]
    assert "Use" in seen["shown"] and "Cancel" in seen["shown"]  # the whole dialog at 80x24
    assert seen["lr"][0] and "learning rate must be positive" in seen["lr"][1]
    assert seen["lr"][2] == "learning-rate"
    assert seen["final"][0] and "a study needs final seeds of at least 2" in seen["final"][1]
    assert seen["final"][2] == "final-seeds"
    assert seen["hidden"] == (True, "hidden")
    assert seen["optimizer"][0] and seen["optimizer"][2] == "optimizer"
    assert "unknown optimizer 'adagrad'; choose from sgd, adam, adamw, rmsprop" \
        in seen["optimizer"][1]
    assert seen["kept"] is None  # cancelled: nothing changed


def test_keys_typed_right_after_tab_land_in_the_next_settings_field():
    """Tab then fast typing (a paste), through every field: each value lands in its own."""
    seen = {}

    async def scenario(app, pilot):
        await pilot.press("comma")
        await pilot.pause()
        screen = _dialog(app)
        assert screen is not None, "no settings screen"
        for field in ("epochs", "learning-rate", "hidden", "tune-seeds", "final-seeds"):
            screen.query_one(f"#{field}").value = ""
        screen.query_one("#epochs").focus()
        await pilot.pause()
        type_ahead(app, "7\t0.3\t")  # then Backspace over the optimizer's "sgd"
        for _ in range(3):
            app.post_message(events.Key("backspace", None))
        type_ahead(app, "adam\t8,4\t2\t4")
        for _ in range(4):
            await pilot.pause()
        seen["values"] = [screen.query_one(f"#{f}").value for f in
                          ("epochs", "learning-rate", "optimizer", "hidden", "tune-seeds",
                           "final-seeds")]

    canned(scenario)
    assert seen["values"] == ["7", "0.3", "adam", "8,4", "2", "4"]


def test_settings_are_used_by_the_runs_and_the_study_that_follow():
    """Epochs, optimizer, rate and layers reach t's runs; the seeds reach S's study, and the
    study's kept item carries the options it ran with (what a resume asks for again)."""
    options = Options(base=RunConfig(problem="", loss="", epochs=40),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=2, seeds=10))
    seen = {}

    async def scenario(app, pilot):
        app.query_one("#problems").highlighted = 1  # circles
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        screen = _dialog(app)
        assert screen is not None, "no settings screen"
        for field, value in (("epochs", "5"), ("learning-rate", "0.02"), ("hidden", "8,4"),
                             ("tune-seeds", "1"), ("final-seeds", "3"), ("optimizer", "adam")):
            screen.query_one(f"#{field}").value = value
        screen.query_one("#epochs").focus()
        await pilot.press("enter")
        await pilot.pause()
        seen["closed"] = _dialog(app) is None
        await pilot.press("t")
        await settled(app, pilot)
        seen["run"] = app.runs[1].jobs[0]  # what it trains with, every setting decided
        await pilot.press("S")
        seen["pending"] = dict(app.pending.study or {})
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        study = app.studies["circles"]
        seen["final"] = study.final_seeds

    canned(scenario, options=options)
    run = seen["run"]
    assert seen["closed"]
    assert (run.epochs, run.learning_rate, run.optimizer, run.layers) == \
        (5, 0.02, "adam", (8, 4))
    assert seen["final"] == [0, 1, 2]
    kept = seen["pending"]["options"]
    assert (kept["base"]["epochs"], kept["base"]["optimizer"], kept["base"]["hidden_units"]) \
        == (5, "adam", (8, 4))
    assert (kept["protocol"]["tune_seeds"], kept["protocol"]["seeds"]) == (1, 3)

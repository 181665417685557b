"""The TUI audit of issue 12, one Pilot test per finding, each failing before its fix.

The app is the real one; most tests use the canned trainer (tests/canned.py)
or a canned result shaped like the one the audit met, so they are quick and
exact. Keys typed faster than the app reads them are posted in one go, as a
terminal delivers a paste or tmux's send-keys.
"""

import asyncio
import math
import re
import threading

from rich.text import Text
from textual import events

from lossterm.app.app import make_app
from lossterm.app.screens.open_data import OpenDataScreen
from lossterm.training.listener import RunListener
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer, exploding_trainer
from tests.helpers.guard import DEADLOCK_GUARD
from tests.helpers.pilot import cells, running, settled, wait_until


class _Shifted(RunListener):
    """Run k of a later trainer call is run k + 1 of the whole."""

    def __init__(self, listener):
        self.listener = listener

    def run_started(self, index, job):
        self.listener.run_started(index + 1, job)

    def epoch_ended(self, index, record):
        self.listener.epoch_ended(index + 1, record)

    def run_ended(self, index, result):
        self.listener.run_ended(index + 1, result)


def canned(scenario, *, size=(100, 30), trainer=canned_trainer, epochs=20, gates=(), **options):
    """Run ``scenario(app, pilot)`` in the app with a canned trainer; return the app.

    ``gates`` are events a trainer waits on until the scenario opens them; they are opened
    when the scenario ends either way, so a failed assertion never leaves a trainer waiting."""
    app = make_app(trainer=trainer, loader=canned_loader,
                   base=RunConfig(problem="", loss="", epochs=epochs), **options)

    async def main():
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            try:
                await scenario(app, pilot)
            finally:
                for gate in gates:
                    gate.set()

    asyncio.run(main())
    return app


def type_ahead(app, keys: str) -> None:
    """Post every key at once, before the app has handled the first (a fast typist, a paste)."""
    for key in keys:
        name = {"\r": "enter", "\t": "tab"}.get(key, key)
        app.post_message(events.Key(name, None if len(name) > 1 else key))


# 1 ---------------------------------------------------------------------------

def test_1_the_loss_given_on_the_command_line_is_the_one_selected_and_trained():
    async def scenario(app, pilot):
        assert app.query_one("#picker").loss == app.initial[1]
        await pilot.press("t")
        await settled(app, pilot)

    for problem, loss in (("circles", "hinge"), ("blobs", "kl_divergence")):
        app = canned(scenario, problem=problem, loss=loss, epochs=3)
        assert (app.runs[1].config.problem, app.runs[1].config.loss) == (problem, loss)


def test_1_a_key_right_after_moving_acts_on_the_row_now_highlighted():
    async def scenario(app, pilot):
        type_ahead(app, "jt")  # circles, then train at once
        await settled(app, pilot)

    app = canned(scenario, epochs=3)
    assert app.runs[1].config.problem == "circles"


# 2, 3 ------------------------------------------------------------------------

def test_2_3_an_absurd_run_is_diverged_and_kept_out_of_the_axis_of_the_others():
    async def scenario(app, pilot):
        await pilot.press("a")  # every regression loss; MAPE blows up
        await settled(app, pilot)
        table = app.query_one("#runs")
        mape = next(r for r in app.runs.values() if r.short_name == "mape")
        assert cells(table, str(mape.id))[4] == "diverged"
        assert cells(table, str(mape.id))[7] == "—"
        table.focus()
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.pause()
        plot = app.query_one("#curves-plot")
        assert len(plot.lines) == table.row_count
        _, high = plot._limits([line for line in plot.lines if line.epochs])
        assert high < 2 and not plot.log_scale  # the calm runs set the axis, not 1.5e33
        legend = app.query_one("#legend").plain
        assert "mape ✗ diverged" in legend
        long_numbers = re.findall(r"\d[\d.,]{8,}", " ".join(_screen_text(app)))
        assert not long_numbers, long_numbers  # no 30-digit tick labels

    app = canned(scenario, trainer=exploding_trainer, size=(140, 45))
    mape = next(r for r in app.runs.values() if r.short_name == "mape")
    assert mape.status == "diverged" and "target's variance" in mape.results[0].message


def _screen_text(app) -> list[str]:
    """The words on the curves plot (its tick labels among them)."""
    return _plain(app.query_one("#curves-plot")).split()


def _plain(plot) -> str:
    return Text.from_ansi(plot.plt.build()).plain


# 4 ---------------------------------------------------------------------------

def test_4_check_warnings_come_first_and_mark_their_losses_at_80x24():
    async def scenario(app, pilot):
        app.query_one("#losses").focus()
        await pilot.press("j")  # mean_squared_logarithmic_error on regression
        await pilot.pause()
        picker = app.query_one("#picker")
        assert picker.loss == "mean_squared_logarithmic_error"
        details = app.query_one("#details").render()
        first_line = str(details).splitlines()[0]
        assert first_line.startswith("⚠ 264 of 500 (53%) training targets are negative")
        prompts = {o.id: str(o.prompt) for o in app.query_one("#losses").options}
        assert prompts["mean_squared_logarithmic_error"].startswith("⚠ ")
        assert prompts["mean_absolute_percentage_error"].startswith("⚠ ")
        assert prompts["poisson"].startswith("✗ ")  # refused: negative targets
        assert prompts["mean_squared_error"] == "  mean_squared_error •"
        box = app.query_one("#details-box")
        assert box.region.y + 2 <= app.screen.size.height  # the warning is on screen
        assert _visible(app, "#details-box")

    canned(scenario, size=(80, 24))


def _visible(app, selector) -> bool:
    widget = app.query_one(selector)
    return widget.region.height > 0 and widget.region.bottom <= app.screen.size.height - 1


# 5 ---------------------------------------------------------------------------

def test_5_the_perturbation_line_is_in_view_and_says_what_applies():
    async def scenario(app, pilot):
        assert _visible(app, "#settings")
        await pilot.press("L")  # label noise on regression: kept, not applied
        await pilot.pause()
        text = str(app.query_one("#settings").render())
        assert "no perturbation" in text and "label noise 0.1: not on regression" in text
        assert any("does not apply to regression" in n.message for n in app._notifications)
        assert app.query_one("#scatter").problem.name == "regression"
        await pilot.press("down")  # circles: now it applies
        await pilot.pause()
        assert "label noise 0.1 (L O I)" in str(app.query_one("#settings").render())
        await pilot.press("O")  # outliers are for regression
        await pilot.pause()
        text = str(app.query_one("#settings").render())
        assert "label noise 0.1 " in text and "outliers 0.05: not on binary" in text

    for size in ((100, 30), (80, 24)):
        canned(scenario, size=size)


# 6 ---------------------------------------------------------------------------

def test_6_runs_of_different_problems_are_never_drawn_on_one_axis():
    async def scenario(app, pilot):
        await pilot.press("t")  # regression, mse
        await settled(app, pilot)
        await pilot.press("down", "t")  # circles, bce
        await settled(app, pilot)
        table = app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "space")
        await pilot.pause()
        assert [r.id for r in app.board.overlay] == [1]
        assert any("different metric" in n.message for n in app._notifications)
        plot = app.query_one("#curves-plot")
        assert plot.title.startswith("mse per epoch") and len(plot.lines) == 1

    canned(scenario)


# 7 ---------------------------------------------------------------------------

def test_7_the_legend_wraps_and_names_every_run_and_the_line_key():
    async def scenario(app, pilot):
        await pilot.press("a")  # six regression losses
        await settled(app, pilot)
        table = app.query_one("#runs")
        table.focus()
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.pause()
        legend = app.query_one("#legend")
        shown = str(legend.render())
        for run in app.runs.values():
            assert run.label in shown, run.label
        assert "━ test" in shown and "━ train" in shown
        assert max(len(line) for line in shown.splitlines()) <= legend.content_size.width

    for size in ((100, 30), (140, 45), (80, 24)):
        canned(scenario, size=size)


# 8 ---------------------------------------------------------------------------

def test_8_the_scatter_names_the_run_its_regions_come_from_and_drops_them_on_clear():
    release = threading.Event()

    def trainer(jobs, **how):
        if jobs[0].loss.name == "hinge":  # the second run trains until released
            how["listener"].run_started(0, jobs[0])
            release.wait(DEADLOCK_GUARD)
        return canned_trainer(jobs, **how)

    async def scenario(app, pilot):
        await pilot.press("down")
        app.query_one("#losses").focus()
        await pilot.press("t", "down", "t")
        await wait_until(pilot, lambda: app.runs[2].status == "training")
        scatter = app.query_one("#scatter")
        assert scatter.regions is not None and scatter.regions_label == "#1 bce"
        assert "#1 bce" in _plain(scatter)
        await pilot.press("c")
        await pilot.pause()
        assert scatter.regions is None and "#1 bce" not in _plain(scatter)
        release.set()
        await settled(app, pilot)
        assert scatter.regions_label == "#2 hinge"

    canned(scenario, trainer=trainer, gates=(release,))


# 9 ---------------------------------------------------------------------------

def test_9_the_run_training_joins_the_overlay_on_the_curves():
    release = threading.Event()

    def trainer(jobs, **how):
        if jobs[0].loss.name == "hinge":
            how["listener"].run_started(0, jobs[0])
            release.wait(DEADLOCK_GUARD)
        return canned_trainer(jobs, **how)

    async def scenario(app, pilot):
        await pilot.press("down", "t")
        await settled(app, pilot)
        table = app.query_one("#runs")
        table.focus()
        await pilot.press("space")
        app.query_one("#losses").focus()
        await pilot.press("down", "t")  # hinge, while bce is overlaid
        await wait_until(pilot, lambda: app.runs[2].status == "training")
        await pilot.pause()  # its start redraws the curves at once (only epochs are throttled)
        plot = app.query_one("#curves-plot")
        assert [line.label for line in plot.lines] == ["#1 bce", "#2 hinge"]
        release.set()
        await settled(app, pilot)
        assert [line.label for line in plot.lines] == ["#1 bce"]  # done, not overlaid

    canned(scenario, trainer=trainer, gates=(release,))


# 10 --------------------------------------------------------------------------

def test_10_a_bad_path_is_said_in_the_dialog_and_what_was_typed_stays(labelled_csv, tmp_path):
    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        missing = str(tmp_path / "missing.csv")
        type_ahead(app, missing + "\ranswer\r")
        await settled(app, pilot)
        screen = app.screen
        assert isinstance(screen, OpenDataScreen)  # still open
        assert screen.query_one("#path").value == missing
        assert screen.query_one("#target").value == "answer"
        assert "no such file" in str(screen.query_one("#open-error").render())
        assert screen.focused.id == "path"
        screen.query_one("#path").value = ""
        type_ahead(app, str(labelled_csv) + "\r\r")  # to the column (kept), then load
        await settled(app, pilot)
        assert not isinstance(app.screen, OpenDataScreen)
        assert app.query_one("#picker").problem == "labelled.csv"

    app = canned(scenario)
    assert app.runs == {}  # nothing typed into the dialog ran as a main-screen command


def test_10_keys_typed_after_enter_follow_the_focus_to_the_next_field(numeric_csv):
    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        type_ahead(app, f"{numeric_csv}\ry")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#path").value == str(numeric_csv)
        assert screen.query_one("#target").value == "y"
        await pilot.press("enter")
        await settled(app, pilot)
        assert app.query_one("#picker").problem == "numeric.csv"

    canned(scenario)


# 11 --------------------------------------------------------------------------

def test_11_pressing_t_again_trains_the_next_seed_not_the_same_one():
    async def scenario(app, pilot):
        for _ in range(3):
            await pilot.press("t")
            await settled(app, pilot)

    app = canned(scenario, epochs=3)
    assert [r.jobs[0].seed for r in app.runs.values()] == [0, 1, 2]
    assert any("seed 0 already trained; training seed 1" in n.message
               for n in app._notifications)


# 12 --------------------------------------------------------------------------

def test_12_a_long_problem_name_is_cut_and_the_cursor_follows_training():
    release = threading.Event()

    def trainer(jobs, **how):
        if jobs[0].loss.name == "squared_hinge":
            how["listener"].run_started(0, jobs[0])
            release.wait(DEADLOCK_GUARD)
        return canned_trainer(jobs, **how)

    async def scenario(app, pilot):
        await pilot.press("down", "L", "L", "I", "I")  # circles+noise0.2+imbalance0.2
        await pilot.press("a")
        await wait_until(pilot, lambda: any(r.status == "training" for r in app.runs.values()))
        await pilot.pause()
        table = app.query_one("#runs")
        training = app.board.training
        assert training.short_name == "squared_hinge"
        assert table.selected_run_id() == training.id  # followed from the first queued row
        row = cells(table, str(training.id))
        assert row[2].startswith("circles+") and row[2].endswith("…")
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.size.width  # train, test and seconds stay on screen
        release.set()
        await settled(app, pilot)

    canned(scenario, size=(80, 24), trainer=trainer, gates=(release,))


# 13 --------------------------------------------------------------------------

def test_13_a_multi_seed_run_stopped_mid_way_says_how_many_seeds_its_figures_hold():
    release = threading.Event()

    def trainer(jobs, *, stop, listener):
        results = canned_trainer(jobs[:1], stop=stop, listener=listener)
        release.wait(DEADLOCK_GUARD)  # the person presses s during the second seed
        return results + canned_trainer(jobs[1:], stop=stop, listener=_Shifted(listener))

    async def scenario(app, pilot):
        await pilot.press("down", "n")  # 3 seeds
        await pilot.press("t")
        await wait_until(pilot, lambda: app.runs and len(app.runs[1].results) == 1)
        await pilot.press("s")
        release.set()
        await settled(app, pilot)
        row = cells(app.query_one("#runs"), "1")
        assert row[4] == "stopped 1/3"
        assert math.isclose(float(row[7]), app.runs[1].results[0].test_metric, abs_tol=1e-3)

    canned(scenario, trainer=trainer, gates=(release,))


# the curves ----------------------------------------------------------------

def test_m_switches_the_one_tall_plot_between_metric_and_loss():
    async def scenario(app, pilot):
        await pilot.press("down", "t")
        await settled(app, pilot)
        plot = app.query_one("#curves-plot")
        assert plot.title.startswith("accuracy per epoch")
        assert plot.region.height >= 15  # one tall plot at 100x30, not two of four rows
        await pilot.press("m")
        await pilot.pause()
        assert plot.title.startswith("loss per epoch")
        assert "m Curves" in _footer(app)

    canned(scenario)


def _footer(app) -> str:
    footer = app.query_one("Footer")
    return " ".join(f"{k.key_display} {k.description}" for k in footer.query("FooterKey"))


def test_the_picker_states_the_output_layer_of_the_selected_problem():
    """digits has 10 classes: its softmax layer has 10 units (it once said 3 for every
    multiclass problem); a loss of another kind says its layer in general."""
    seen = {}

    async def scenario(app, pilot):
        picker = app.query_one("#picker")
        await wait_until(pilot, lambda: picker.data_ready)
        picker.refresh_details()
        seen["digits"] = str(picker.details_text())
        app.query_one("#problems").highlighted = list(picker.kinds).index("iris")
        await pilot.pause()
        seen["iris"] = str(picker.details_text())

    canned(scenario, problem="digits", loss="categorical_crossentropy")
    assert "output  10, softmax" in seen["digits"]
    assert "output  3, softmax" in seen["iris"]

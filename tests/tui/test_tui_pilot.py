"""The real app driven with Textual's Pilot and the real engine on short runs."""

import asyncio
import threading

from lossterm.app.app import engine_trainer, make_app
from lossterm.app.screens.help import HelpScreen, key_table
from lossterm.losses import losses_for_kind
from lossterm.training.records import RunConfig
from tests.helpers.guard import DEADLOCK_GUARD
from tests.helpers.pilot import cells, next_message, running, wait_until


def drive(scenario, *, epochs=4, size=(100, 30), trainer=None):
    """Run ``scenario(app, pilot)`` inside the app; return the app after it has exited."""
    app = make_app(base=RunConfig(problem="", loss="", epochs=epochs), trainer=trainer)

    async def main():
        async with running(app, size) as pilot:
            await app.workers.wait_for_complete()  # data and Keras loaded
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def test_first_frame_says_the_backend_is_loading_then_names_it():
    release = threading.Event()
    seen = {}

    def slow_loader():
        release.wait(DEADLOCK_GUARD)  # until the first frame has been read
        return "Keras 3 (test), tensorflow backend, training on CPU"

    app = make_app(loader=slow_loader)

    async def main():
        async with running(app, (100, 30)) as pilot:
            try:
                await pilot.pause()
                seen["loading"] = app.sub_title
            finally:
                release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            seen["ready"] = app.sub_title

    asyncio.run(main())
    assert seen["loading"] == "loading Keras with TensorFlow…"
    assert seen["ready"].startswith("Keras 3 (test)")


def test_select_train_and_watch_the_table_and_curves():
    async def scenario(app, pilot):
        await pilot.press("down")  # circles
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert cells(app.query_one("#runs"), "1")[4:6] == ["done", "4/4"]
        curves = app.query_one("#curves-plot")
        assert len(curves.runs[0].series("val_accuracy")) == 4

    app = drive(scenario, epochs=4)
    (run,) = app.runs.values()
    assert (run.config.problem, run.config.loss, run.status) == ("circles", "binary_crossentropy",
                                                                 "done")


def test_curves_grow_while_a_run_trains():
    seen_lengths = set()

    async def scenario(app, pilot):
        await pilot.press("t")  # regression, mse
        curves = app.query_one("#curves-plot")
        await wait_until(pilot, lambda: app.runs and app.runs[1].status == "training")
        while app.runs[1].status == "training":
            if curves.runs:
                seen_lengths.add(len(curves.runs[0].series("loss")))
            await next_message(pilot)  # an epoch, a redraw: whatever the app does next
        await app.workers.wait_for_complete()

    app = drive(scenario, epochs=1500)
    assert app.runs[1].status == "done"
    growing = sorted(n for n in seen_lengths if 0 < n < 1500)
    assert len(growing) >= 2, seen_lengths  # the plot was redrawn mid-run, more than once


def test_queue_all_losses_fills_the_table():
    async def scenario(app, pilot):
        await pilot.press("down", "down")  # blobs
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#runs")
        fitting = len(losses_for_kind("multiclass"))  # every loss for blobs
        assert table.row_count == fitting
        assert {cells(table, str(i))[4] for i in range(1, fitting + 1)} == {"done"}
        assert cells(table, "2")[3] == "scce"

    drive(scenario, epochs=2)


def test_stop_ends_the_current_run_mid_way():
    async def scenario(app, pilot):
        await pilot.press("t")
        await wait_until(pilot, lambda: app.runs and max(map(len, app.runs[1].live.values()), default=0) >= 3)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert cells(app.query_one("#runs"), "1")[4] == "stopped"

    app = drive(scenario, epochs=5000)
    run = app.runs[1]
    assert run.status == "stopped"
    assert 3 <= run.results[0].epochs_run < 5000


def test_quit_mid_run_stops_training_and_leaves_no_thread():
    finished = []

    def recording_trainer(configs, **handlers):
        finished.extend(engine_trainer(configs, **handlers))
        return finished

    async def scenario(app, pilot):
        await pilot.press("t")
        await wait_until(pilot, lambda: app.runs and max(map(len, app.runs[1].live.values()), default=0) >= 2)
        await pilot.press("q")

    drive(scenario, epochs=5000, trainer=recording_trainer)
    (result,) = finished
    assert result.status == "stopped" and result.epochs_run < 5000
    workers = [t for t in threading.enumerate() if t.name.startswith("asyncio_")]
    assert not workers, workers


def test_a_loss_that_cannot_take_the_data_is_a_notification_not_a_crash():
    async def scenario(app, pilot):
        app.query_one("#losses").focus()
        for _ in range(6):  # down to poisson
            await pilot.press("j")
        await pilot.press("t")
        await pilot.pause()
        assert app.query_one("#picker").loss == "poisson"
        assert any("poisson needs targets >= 0" in n.message for n in app._notifications)
        assert app.is_running

    app = drive(scenario)
    assert app.runs == {}


def test_overlay_and_clear():
    async def scenario(app, pilot):
        await pilot.press("down", "a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        shown = app.query_one("#curves-plot").runs
        assert [r.id for r in shown] == [1, 3]
        assert "#1 bce" in str(app.query_one("#legend").render())
        await pilot.press("c")
        await pilot.pause()
        assert app.query_one("#runs").row_count == 0

    app = drive(scenario, epochs=2)
    assert app.runs == {}


def test_help_lists_every_key_and_closes():
    async def scenario(app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = _plain(key_table(app.screen.groups))
        for line in ("t  train the selected problem", "a  queue every loss", "s  stop the current",
                     "space  show this run in the curves", "q  quit", "ctrl+p  command palette"):
            assert line in text, line
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

    drive(scenario)


def test_keys_are_in_the_command_palette():
    async def scenario(app, pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Train", "All", "Stop", "Study", "Verdict", "Robustness", "Seeds", "Clear",
                      "Regions", "Help", "Quit"):
            assert title in titles

    drive(scenario)


def _plain(renderable) -> str:
    import io
    import re

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(renderable)
    return re.sub(r" {2,}", "  ", buffer.getvalue())


def test_seeds_key_trains_every_seed_and_shows_mean_and_band():
    async def scenario(app, pilot):
        await pilot.press("down")  # circles
        await pilot.press("n")  # 1 -> 3 seeds per run
        assert app.seeds == 3
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        run = app.runs[1]
        assert run.status == "done" and [r.seed for r in run.results] == [0, 1, 2]
        assert cells(app.query_one("#runs"), "1")[4] == "done ×3"
        series = run.all_series("val_accuracy")
        assert len(series) == 3
        mean = run.series("val_accuracy")
        assert mean[-1] == sum(s[-1] for s in series) / 3
        assert "min–max over seeds" in str(app.query_one("#legend").render())

    drive(scenario, epochs=3)


def test_own_data_prompt_loads_a_csv_or_says_why_not(labelled_csv, tmp_path):
    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        await pilot.click("#path")
        await pilot.press(*str(tmp_path / "missing.csv"), "enter", *"answer", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no such file" in str(app.screen.query_one("#open-error").render())
        assert app.is_running
        app.screen.query_one("#path").value = ""
        await pilot.press(*str(labelled_csv), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = app.query_one("#picker")
        assert picker.problem == "labelled.csv" and picker.kinds["labelled.csv"] == "binary"
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()

    app = drive(scenario, epochs=3)
    assert app.runs[1].config.problem == "labelled.csv" and app.runs[1].status == "done"


def test_perturbation_keys_train_on_perturbed_data():
    async def scenario(app, pilot):
        await pilot.press("down")  # circles
        await pilot.press("L", "L")  # label noise 0.2
        await pilot.pause()
        assert app.query_one("#scatter").problem.name == "circles+noise0.2"
        assert "label noise 0.2" in str(app.query_one("#settings").render())
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()

    app = drive(scenario, epochs=2)
    run = app.runs[1]
    assert run.config.problem == "circles+noise0.2"
    assert any("training labels flipped" in w for w in run.results[0].warnings)


def test_earlier_runs_from_the_store_are_listed_and_can_be_overlaid(tmp_path):
    from lossterm.storage.store import Store

    store = Store(tmp_path / "history.sqlite")
    from lossterm.storage.store import Recorder
    from lossterm.training.scheduler import schedule

    recorder = Recorder(store)
    schedule([RunConfig("blobs", "cce", epochs=3)], listener=recorder)
    app = make_app(base=RunConfig(problem="", loss="", epochs=3), store=store)

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.query_one("#runs")
            assert table.row_count == 1 and cells(table, "1")[2] == "↺ blobs"
            await pilot.press("down", "down", "t")  # blobs, cce again: a new run
            await app.workers.wait_for_complete()
            await pilot.pause()
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("space", "down", "space")
            await pilot.pause()
            assert [r.id for r in app.query_one("#curves-plot").runs] == [1, 2]

    asyncio.run(main())
    assert len(store.results()) == 2  # the new run was recorded too


def test_own_data_dialog_takes_every_data_option_and_matches_the_command_line(
        numeric_csv, lossterm_cli):
    """Kind, test share and data seed typed into `o` give the run the command line gives."""
    import json

    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*str(numeric_csv), "tab", "y", "tab")  # path, target, then kind
        await pilot.press("enter", "down", "enter")  # the kind list: regression
        await pilot.pause()
        assert app.screen.query_one("#kind").value == "regression"
        await pilot.press("tab", *["backspace"] * 4, *"0.3", "tab", "backspace", "4")
        await pilot.click("#load")
        await pilot.pause()
        picker = app.query_one("#picker")
        assert picker.problem == "numeric.csv" and picker.kinds["numeric.csv"] == "regression"
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()

    app = drive(scenario, epochs=5)
    run = app.runs[1]
    assert run.status == "done" and len(run.results[0].records) == 5
    assert len(run.jobs[0].problem.X_test) == 60  # 30% of 200 rows
    done = lossterm_cli("--headless", "--data", str(numeric_csv), "--target", "y", "--kind",
                        "regression", "--test-size", "0.3", "--data-seed", "4", "--loss", "mse",
                        "--epochs", "5", "--format", "json", "--no-store")
    (cli_run,) = json.loads(done.stdout)["runs"]
    assert abs(cli_run["test_metric"] - run.results[0].test_metric) < 1e-6


def test_clear_removes_finished_history_runs_including_incomplete_ones(tmp_path):
    """A run left `running` by a process that died reads back `incomplete`: finished, so `c`
    clears it with the others."""
    import sqlite3

    from lossterm import service
    from lossterm.options import Options
    from lossterm.storage.store import Recorder, Store
    from lossterm.training.fit import new_result
    from lossterm.training.scheduler import schedule

    store = Store(tmp_path / "history.sqlite")
    recorder = Recorder(store)
    schedule([RunConfig("blobs", "cce", epochs=2)], listener=recorder)
    (job,) = service.plan(Options(problems=("circles",), losses=("bce",),
                                   base=RunConfig("", "", epochs=2))).runs
    dead = store.start_run(new_result(job), job)
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE runs SET pid=? WHERE id=?", (2**22 + 12345, dead))
    app = make_app(base=RunConfig(problem="", loss="", epochs=2), store=store)

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.query_one("#runs")
            assert [cells(table, k)[4] for k in ("1", "2")] == ["done", "incomplete"]
            await pilot.press("c")
            await pilot.pause()
            assert table.row_count == 0

    asyncio.run(main())
    assert app.runs == {}

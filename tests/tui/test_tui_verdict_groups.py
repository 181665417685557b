"""v judges one experiment, never a pool: runs of other settings are left out and named,
one-seed runs get a line saying what to press, and perturbed problems are found.

Real runs throughout: stored by the engine into a temporary store, or trained by the
app on circles for two epochs.
"""

import asyncio

import pytest

from lossterm.analysis.experiments import distinct, experiments
from lossterm.analysis.study import Protocol
from lossterm.app.app import make_app
from lossterm.app.groups import RunGroup, difference, pick_group, settings_text
from lossterm.app.screens.compare import CompareScreen
from lossterm.app.state import RunBoard
from lossterm.data.perturb import Perturbation
from lossterm.options import Options
from lossterm.storage.store import Recorder, Store
from lossterm.training.records import RunConfig
from lossterm.training.scheduler import schedule
from tests.helpers.pilot import running, settled, wait_until

LOSSES = ("binary_crossentropy", "hinge")


@pytest.fixture(scope="module")
def two_epoch_settings(tmp_path_factory):
    """A store holding bce and hinge on circles at 2 epochs (seeds 3-5), then at 3 epochs
    (seeds 0-2): pooled, each loss would count six seeds."""
    store = Store(tmp_path_factory.mktemp("history") / "runs.sqlite")
    recorder = Recorder(store)
    schedule([RunConfig("circles", loss, epochs=epochs, seed=seed)
           for epochs, seeds in ((2, range(3, 6)), (3, range(3)))
           for loss in LOSSES for seed in seeds],
          listener=recorder)
    return store


def _screen_text(screen) -> dict:
    return {"verdict": str(screen.query_one("#compare-verdict").render()),
            "protocol": str(screen.query_one("#compare-protocol").render()),
            "rows": screen.query_one("#compare-table").row_count,
            "n": {row.loss: row.n for row in screen.view.rows}}


def test_v_over_runs_of_two_epoch_settings_judges_one_and_names_it(two_epoch_settings):
    app = make_app(problem="circles", store=two_epoch_settings,
                   base=RunConfig("", "", epochs=2))
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: len(app.runs) == 4)  # 2 losses x 2 settings, ×3 each
            await pilot.press("v")  # the latest run's settings: 3 epochs
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            seen["latest"] = _screen_text(app.screen)
            await pilot.press("escape")
            await pilot.pause()
            table = app.query_one("#runs")
            table.focus()
            table.move_cursor(row=0)  # a 2-epoch run, selected
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            seen["selected"] = _screen_text(app.screen)

    asyncio.run(main())
    for which, epochs, other in (("latest", 3, 2), ("selected", 2, 3)):
        shown = seen[which]
        assert shown["rows"] == 2 and shown["n"] == dict.fromkeys(LOSSES, 3)  # not 6
        assert "3 paired seeds" in shown["verdict"]
        assert f"runs at {epochs} epochs" in shown["protocol"]
        assert f"1 other setting ({other} epochs)" in shown["protocol"]


def test_v_refuses_one_seed_per_loss_and_says_what_to_press():
    app = make_app(problem="circles", loss="binary_crossentropy",
                   base=RunConfig("", "", epochs=2))
    seen = {}

    async def main():
        async with running(app, (80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("t")  # bce, one seed
            app.query_one("#losses").focus()
            await pilot.press("down", "t")  # the next loss, one seed
            await wait_until(pilot, lambda: len(app.runs) == 2 and all(
                r.finished for r in app.runs.values()))
            await pilot.press("v")
            await settled(app, pilot)
            seen["screen"] = type(app.screen).__name__
            seen["notes"] = [str(n.message) for n in app._notifications]
            await pilot.press("n", "t", "up", "t")  # what the line says: more seeds, train
            await wait_until(pilot, lambda: len(app.runs) == 4 and all(
                r.finished for r in app.runs.values()))
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            seen["after"] = _screen_text(app.screen)

    asyncio.run(main())
    assert seen["screen"] != "CompareScreen"
    (line,) = [n for n in seen["notes"] if "one seed per loss" in n]
    assert "on circles (2 epochs" in line and "press n" in line and "S for a study" in line
    # seed 0 from the first runs, seeds 1-3 from the second: four paired seeds per loss
    assert seen["after"]["rows"] == 2 and set(seen["after"]["n"].values()) == {4}
    assert "Holm" in seen["after"]["verdict"]


def test_v_finds_the_runs_and_the_study_of_a_perturbed_problem():
    options = Options(base=RunConfig("", "", epochs=2),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=2))
    app = make_app(problem="circles", loss="binary_crossentropy", seeds=2, options=options,
                   perturbation=Perturbation(label_noise=0.1))
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("t")
            app.query_one("#losses").focus()
            await pilot.press("down", "t")
            await wait_until(pilot, lambda: len(app.runs) == 2 and all(
                r.finished for r in app.runs.values()))
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            seen["runs"] = _screen_text(app.screen)
            await pilot.press("escape")
            table = app.query_one("#runs")
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("space", "down", "space")  # both overlaid: S studies those two
            app.query_one("#problems").focus()
            await pilot.press("S")
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("v")  # the study again, found under the perturbed name
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            seen["study"] = _screen_text(app.screen)
            seen["studies"] = list(app.studies)

    asyncio.run(main())
    assert {r.config.problem for r in app.runs.values()} == {"circles+noise0.1"}
    assert "on circles+noise0.1" in seen["runs"]["verdict"]
    assert seen["runs"]["n"] == dict.fromkeys(LOSSES, 2)
    assert seen["studies"] == ["circles+noise0.1"]
    assert "on circles+noise0.1" in seen["study"]["verdict"]
    assert "chosen on validation" in seen["study"]["verdict"]


# -- the grouping rule on its own --------------------------------------------------------


def _history(two_epoch_settings, **change):
    """The store's runs on a board, the 3-epoch ones' stored settings changed by ``change``."""
    entries = two_epoch_settings.entries()
    board = RunBoard()
    board.add_history([r for _, _, r in entries],
                      [{**s, **change} if s["epochs"] == 3 else s for _, s, _ in entries])
    return board


def test_the_store_records_what_changes_a_result(two_epoch_settings):
    (_, settings, result), *_ = two_epoch_settings.entries()
    assert settings["backend"] == "tensorflow" and len(settings["data"]) == 12
    assert settings["epochs"] == 2 and result.learning_rate == settings["learning_rate"]


@pytest.mark.parametrize("change, words", [
    ({"backend": "jax"}, "tensorflow"),  # the 2-epoch runs, left out, were on tensorflow
    ({"data": "0123456789ab"}, "other data"),
    ({"learning_rate": 0.1}, "sgd lr 0.01 momentum 0.9"),
])
def test_runs_differing_in_one_setting_are_two_groups(two_epoch_settings, change, words):
    board = _history(two_epoch_settings, **change)
    group = pick_group(board, "circles")
    assert group.settings["epochs"] == 3 and len(group.left_out) == 1
    assert {r.seed for r in group.results} == {0, 1, 2}
    assert words in difference(group.settings, group.left_out[0])
    assert group.refusal() is None


def test_the_report_and_v_share_one_rule(two_epoch_settings):
    entries = two_epoch_settings.entries()
    assert len(experiments(entries)) == 2
    kept, notes = distinct(entries)  # lossterm report keeps each loss's latest settings
    assert {r.epochs for r in kept} == {3} and len(notes) == 2


def test_a_group_of_one_seed_per_loss_is_refused(two_epoch_settings):
    entries = [e for e in two_epoch_settings.entries() if e[2].seed in (0, 3)]
    group = RunGroup("circles", {k: v for k, v in entries[-1][1].items() if k != "seed"},
                     tuple(r for _, s, r in entries if s["epochs"] == 3),
                     left_out=(entries[0][1],))
    assert group.paired_seeds() == [0]
    assert group.refusal().startswith("one seed per loss on circles (3 epochs, tensorflow)")
    assert "1 other setting left out" in group.refusal()
    assert "press a to train every loss over 3 more seeds" in group.refusal(seeds_now=3)


def test_settings_read_as_a_person_would(two_epoch_settings):
    (_, settings, _), *_ = two_epoch_settings.entries()
    assert settings_text(settings) == ("2 epochs, sgd lr 0.01 momentum 0.9, batch 32, "
                                       "50 units, tensorflow")
    old = {k: v for k, v in settings.items() if k not in ("backend", "data")}
    assert settings_text(old, short=True) == "2 epochs, backend not recorded"

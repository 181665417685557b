"""Several target columns in the TUI: a multilabel file loads and trains without a crash."""


from lossterm.training.records import RunConfig
from tests.helpers.pilot import running

# --- loading ------------------------------------------------------------------------------


# --- losses -------------------------------------------------------------------------------


# --- metrics ------------------------------------------------------------------------------


# --- end to end ---------------------------------------------------------------------------


def test_the_tui_loads_labels_and_trains_without_crashing(labels_csv):
    """Opened on several targets (the o dialog takes 'a, b, c'), the TUI trains a run, keeps
    the perturbation keys harmless and shows no scatter or regions."""
    import asyncio

    from lossterm.app.app import make_app
    from lossterm.app.widgets.scatter import DatasetScatter

    app = make_app(base=RunConfig(problem="", loss="", epochs=3))

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("o")
            await pilot.pause()
            app.screen.query_one("#path").value = str(labels_csv)
            app.screen.query_one("#target").value = "a, b, c"
            await pilot.click("#load")
            await app.workers.wait_for_complete()
            await pilot.pause()
            picker = app.query_one("#picker")
            assert picker.kinds["labels.csv"] == "multilabel"
            assert "output  3, sigmoid" in str(picker.details_text())
            scatter = app.query_one(DatasetScatter)
            assert scatter.problem.n_targets == 3 and scatter.regions is None
            assert "label set" in scatter.plt.build()  # the plane, coloured by label set
            await pilot.press("L")  # label noise does not apply: said, and trained on clean labels
            await pilot.pause()
            notes.extend(str(n.message) for n in app._notifications)
            await pilot.press("t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running

    notes = []
    asyncio.run(main())
    assert any("perturbations take one target column and labels.csv has 3" in n for n in notes)
    (run,) = app.runs.values()
    assert (run.config.problem, run.status) == ("labels.csv", "done")
    assert run.results[0].kind == "multilabel"

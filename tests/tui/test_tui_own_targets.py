"""Several target columns in the TUI: a multilabel file loads and trains without a crash."""

import numpy as np
import pytest

from lossterm.training.records import RunConfig
from tests.helpers.files import write_csv
from tests.helpers.pilot import running

N = 240


def _features(rng, n=N):
    return rng.normal(size=(n, 4))


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory):
    """Three labels, not exclusive: a and b 0/1, c 'yes'/'no'; plus a numeric column r."""
    rng = np.random.default_rng(2)
    X = _features(rng)
    a = (X[:, 0] > 0).astype(int)
    b = (X[:, 1] + X[:, 2] > 0.3).astype(int)
    c = np.where(X[:, 3] > -0.5, "yes", "no")
    r = X[:, 0] * 3.7 + rng.normal(size=N)
    rows = [[*(f"{v:.6f}" for v in X[i]), a[i], b[i], c[i], f"{r[i]:.4f}"] for i in range(N)]
    return write_csv(tmp_path_factory.mktemp("labels") / "labels.csv",
                     ["x1", "x2", "x3", "x4", "a", "b", "c", "r"], rows)


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

"""Robustness curves in the TUI: `R` sweeps label noise and opens the curves; `s` stops the
sweep before its first rate without a verdict."""

from lossterm.analysis.study import Protocol
from lossterm.training.records import RunConfig
from tests.helpers.pilot import running, settled, wait_until

# --- flips ---------------------------------------------------------------------------------


# --- sweeps (small: few epochs, two rates, two seeds) ---------------------------------------


# --- the command line -----------------------------------------------------------------------


def _sweep_app(epochs: int):
    """The TUI on iris with --noise-sweep 0,0.3 and a small study per point."""
    from lossterm.app.app import make_app
    from lossterm.options import Options

    options = Options(base=RunConfig(problem="", loss="", epochs=epochs),
                      noise_rates=(0.0, 0.3),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=2))
    return make_app(problem="iris", options=options)


def test_r_in_the_tui_sweeps_noise_and_shows_the_robustness_curves():
    """The TUI's R: --noise-sweep's rates, a study at each, the compare screen opening on
    the robustness plot with a verdict line per rate."""
    import asyncio

    from lossterm.app.screens.compare import ComparePlot, CompareScreen

    app = _sweep_app(epochs=10)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: "training on" in app.sub_title)
            await pilot.pause()
            seen["hint"] = [str(n.message) for n in app._notifications]
            await pilot.press("R")
            await wait_until(pilot, lambda: "noise" in app.sub_title)
            seen["progress"] = app.sub_title
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            await settled(app, pilot)
            screen = app.screen
            seen["verdict"] = str(screen.query_one("#compare-verdict").render())
            seen["protocol"] = str(screen.query_one("#compare-protocol").render())
            table = screen.query_one("#compare-table")
            seen["columns"] = [str(c.label) for c in table.columns.values()]
            seen["rows"] = table.row_count
            seen["plot"] = screen.query_one(ComparePlot).mode
            seen["robustness"] = screen.view.robustness
            seen["drawn"] = screen.query_one(ComparePlot).plt.build()
            await pilot.press("p")
            seen["next"] = screen.plot

    asyncio.run(main())
    assert "iris" in seen["progress"] and ("(1/2)" in seen["progress"]
                                           or "(2/2)" in seen["progress"])
    assert any(n.startswith("--noise-sweep 0,0.3: R runs the robustness sweep") for n in
               seen["hint"]), seen["hint"]
    lines = seen["verdict"].splitlines()  # a line per rate: who ties for best there
    assert lines[0].startswith("noise 0: ") and lines[1].startswith("noise 0.3: ")
    assert all("tie for best" in line for line in lines)
    assert "noise 0.3: on iris+noise0.3" in seen["protocol"]  # each point's whole verdict
    assert "each point is a fair study" in seen["protocol"]
    # ranked by the highest rate's mean, and the table says so
    assert seen["columns"] == ["loss (by noise 0.3)", "noise 0", "noise 0.3"]
    assert seen["rows"] == len(seen["robustness"])
    assert seen["plot"] == "robustness" and seen["next"] == "isolation"
    losses = seen["robustness"]
    assert {"categorical_crossentropy", "categorical_generalized_cross_entropy"} <= set(losses)
    for points in losses.values():
        assert [p[0] for p in points] == [0.0, 0.3]
        assert all(0 <= p[1] <= 1 for p in points)
    assert "label noise" in seen["drawn"]


def test_s_stops_the_tuis_sweep_before_its_first_rate_without_a_verdict():
    """s during R's first rate: that point is dropped, so there is no verdict to show; a
    notice says the sweep stopped before its first rate ended."""
    import asyncio

    from lossterm.app.screens.compare import CompareScreen

    app = _sweep_app(epochs=3000)  # long enough to be stopped mid-way
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("R")
            await wait_until(pilot, lambda: "noise 0 (1/2)" in app.sub_title)
            await pilot.press("s")
            await wait_until(pilot, lambda: app.study_stop is None)
            await settled(app, pilot)
            seen["screen"] = type(app.screen).__name__
            seen["notes"] = [str(n.message) for n in app._notifications]
            seen["studies"] = dict(app.studies)

    asyncio.run(main())
    assert seen["screen"] != CompareScreen.__name__ and not seen["studies"]
    assert "sweep stopped before its first rate ended" in seen["notes"]

"""Watching long work (issue 21, items 6 and 7): the curves never blank between queued runs,
and a study shows its overall progress, an estimate of the time left and its runs' curves
as they train, while ``s`` still stops it at once."""

import asyncio
import re

from lossterm.analysis.study import Protocol
from lossterm.app import watch
from lossterm.app.app import make_app
from lossterm.app.widgets.curves import Curves
from lossterm.app.widgets.legend import Legend
from lossterm.core.types import Status
from lossterm.options import Options
from lossterm.training.records import RunConfig
from tests.helpers.canned import canned_loader, canned_trainer
from tests.helpers.gated import HeldAfterStart, HeldStudy
from tests.helpers.pilot import running, settled, wait_until


def test_the_last_curve_stays_until_the_next_queued_run_has_its_first_epoch():
    """Item 7: the pane went blank for about a second at the start of every queued run."""
    trainer = HeldAfterStart(held_call=2)
    app = make_app(trainer=trainer, loader=canned_loader, problem="circles",
                   base=RunConfig("", "", epochs=6))
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await wait_until(pilot, lambda: app.data_ready, "the data")
            await pilot.press("t")  # run 1, canned; then run 2, held before its first epoch
            app.query_one("#losses").focus()
            await pilot.press("down", "t")
            first, second = list(app.runs.values())
            try:
                await wait_until(pilot, lambda: trainer.holding.is_set()
                                 and app.board.training is second, "run 2 to start")
                await pilot.pause()
                curves = app.query_one(Curves)
                seen["held"] = ([r.id for r in curves.runs], [line.epochs for line in curves.lines],
                                curves.title, app.query_one(Legend).plain)
            finally:
                trainer.release.set()
            await wait_until(pilot, lambda: second.status == Status.DONE, "run 2 to end")
            await settled(app, pilot)
            seen["after"] = [r.id for r in app.query_one(Curves).runs]
            seen["ids"] = first.id, second.id

    asyncio.run(main())
    first, second = seen["ids"]
    runs, epochs, title, legend = seen["held"]
    assert runs == [first] and epochs == [6], seen["held"]  # run 1's whole curve, not a blank
    assert "no epochs yet" not in title and f"#{first}" in legend
    assert seen["after"] == [second]


def _study_app(runner, epochs=10):
    options = Options(base=RunConfig(problem="", loss="", epochs=epochs),
                      protocol=Protocol(grid=(0.01, 0.1, 1.0), tune_seeds=1, seeds=3))
    return make_app(trainer=canned_trainer, loader=canned_loader, problem="circles",
                    options=options, study_trainer=runner)


def test_a_study_shows_its_overall_progress_an_estimate_and_its_runs_curves_and_s_stops_it(
        monkeypatch):
    """Item 6: the header sat at 'tuning, 0/162 runs' and nothing else moved. Now the
    whole study's runs done, the share done, the time left (an estimate, once runs have
    ended) and each loss's median curve over its runs, redrawn as they train; ``s``
    still stops the study at once (the runner holds until the stop event is set)."""
    # Every change posted at once (not throttled): what the screen shows once the runner
    # holds is then all there is to come, so the test looks without waiting on a clock.
    monkeypatch.setattr(watch, "EVERY", 0.0)
    runner = HeldStudy(after=4)  # 4 runs ended, the 5th about to start
    app = _study_app(runner)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await wait_until(pilot, lambda: app.data_ready and app.backend_line, "the backend")
            try:
                await pilot.press("S")
                await wait_until(pilot, lambda: runner.holding.is_set()
                                 and "4/" in app.sub_title, "the study to hold, 4 runs ended")
                await pilot.pause()
                curves = app.query_one(Curves)
                live = getattr(curves, "live", None)  # what the curves were handed to draw
                seen["handed"] = [(line.loss, line.runs) for line in live.lines] if live else []
                seen["header"] = app.sub_title
                assert "(estimate)" in seen["header"] and seen["handed"], seen
                await wait_until(pilot, lambda: curves.lines
                                 and curves.lines[0].label.endswith("×4"),
                                 "the curves' timer to draw the 4 runs")
                seen["lines"] = [(line.label, line.epochs) for line in curves.lines]
                seen["title"] = curves.title
                seen["legend"] = app.query_one(Legend).plain
                await pilot.press("s")  # the runner is still held: only the stop frees it
                await wait_until(pilot, lambda: app.study_stop is None, "the study to stop")
                await settled(app, pilot)
                seen["stopped"] = [n.message for n in app._notifications]
                seen["after"] = (app.sub_title, curves.live, curves.title)
            finally:
                runner.release.set()

    asyncio.run(main())
    assert not app.studies  # stopped: no verdict kept
    header = re.fullmatch(r"study of circles: tuning, 4/(\d+) runs, (\d+)%, "
                          r"about \d+ (s|min) left \(estimate\)", seen["header"])
    assert header is not None, seen["header"]
    planned, share = int(header[1]), int(header[2])
    # circles: every binary loss (4 or more), 3 replicates x 3 rates each
    assert planned % 9 == 0 and planned >= 36 and share == round(100 * 4 / planned)
    # the 4 ended runs (3 rates x 3 replicates of the first loss start it) with their
    # 10 epochs: one line per loss with runs, labelled with how many runs it is the median of
    (label, epochs), *_ = seen["lines"]
    assert label.endswith("×4") and epochs == 10, seen["lines"]
    assert "median accuracy" in seen["title"]
    # the legend carries the progress too (the header cuts it on a narrow terminal)
    assert seen["legend"].startswith(f"tuning, 4/{planned} runs  {share}%  about ")
    assert "(estimate)" in seen["legend"] and "━ validation ━ train" in seen["legend"]
    assert any("study stopped; no verdict" in m for m in seen["stopped"])
    header, live, title = seen["after"]
    assert "study of" not in header and live is None and "median" not in title


def test_a_robustness_sweep_counts_every_rate_in_its_progress():
    """R: four studies (one per noise rate); the total counts all of them up front."""
    runner = HeldStudy(after=2)
    app = _study_app(runner)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await wait_until(pilot, lambda: app.data_ready and app.backend_line, "the backend")
            try:
                await pilot.press("R")
                await wait_until(pilot, lambda: runner.holding.is_set()
                                 and "2/" in app.sub_title, "the sweep to hold")
                seen["header"] = app.sub_title
                await pilot.press("s")
                await wait_until(pilot, lambda: app.study_stop is None, "the sweep to stop")
            finally:
                runner.release.set()

    asyncio.run(main())
    header = re.match(r"study of circles: noise 0 \(1/4\) tuning, 2/(\d+) runs, ",
                      seen["header"])
    assert header is not None, seen["header"]
    assert int(header[1]) % (4 * 9) == 0  # 4 rates x 3 replicates x 3 rates a loss


def test_a_new_phase_keeps_the_last_phases_curves_until_it_has_an_epoch(monkeypatch):
    """A sweep's next rate (or a grid extension) starts a phase with no epoch yet: the live
    curves keep the last phase's lines meanwhile, as the run queue's do (item 7)."""
    monkeypatch.setattr(watch, "EVERY", 0.0)
    runner = HeldStudy(after=0, call=2)  # the second phase, before its first epoch
    app = _study_app(runner)
    seen = {}

    async def main():
        async with running(app, (100, 30)) as pilot:
            await wait_until(pilot, lambda: app.data_ready and app.backend_line, "the backend")
            try:
                await pilot.press("R")
                await wait_until(pilot, lambda: runner.holding.is_set(), "the second phase")
                await pilot.pause()
                curves = app.query_one(Curves)
                seen["held"] = [(line.loss, line.runs) for line in curves.live.lines]
                seen["legend"] = app.query_one(Legend).plain
                seen["phase"] = app.sub_title.split(": ", 1)[1].split(",")[0]
                await pilot.press("s")
                await wait_until(pilot, lambda: app.study_stop is None, "the sweep to stop")
            finally:
                runner.release.set()

    asyncio.run(main())
    # the second phase (a grid extension, or the next rate's tuning) has not one epoch,
    # the first phase's lines (3 rates x 3 replicates a loss) stay; the legend's progress
    # names the phase now
    assert seen["phase"] != "noise 0 (1/4) tuning", seen
    assert seen["held"] and all(runs == 9 for _, runs in seen["held"]), seen
    assert seen["legend"].startswith(seen["phase"] + ", "), seen

"""Regenerate screenshots/ from the real app and the real engine, mid-training.

    python scripts/screenshots.py
    python scripts/screenshots.py --snapshots   # PNGs of the layout snapshots only

``--snapshots`` converts the SVG snapshot tests' pictures (canned trainer and views, see
tests/tui/test_tui_snapshots.py) of the main, compare and robustness screens at 80x24,
100x30 and 140x45 into screenshots/ without training anything.

Writes SVG (Textual's own export) and, when ``rsvg-convert`` is installed
(Debian: librsvg2-bin), PNG next to each.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

from lossterm.app.app import make_app
from lossterm.training.records import RunConfig

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def _until(pilot, condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app never reached the state to capture")
        await pilot.pause(0.02)


async def capture(name: str, size: tuple[int, int], problem_row: int, overlay: bool,
                  epochs: int | None) -> list[Path]:
    app = make_app(base=RunConfig(problem="", loss="", epochs=epochs))
    written = []
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(problem_row):
            await pilot.press("down")
        if overlay == "robustness":  # R: a study at each label-noise rate, then the curves
            await pilot.press("R")
            await _until(pilot, lambda: app.studies, timeout=900)
            await pilot.pause(0.5)
            written.append(Path(app.save_screenshot(f"{name}.svg", path=str(OUT))))
            await pilot.press("escape", "q")
            return written
        if overlay == "study":  # S: a fair study, then its verdict, then the metric matrix
            await pilot.press("S")
            await _until(pilot, lambda: app.studies, timeout=600)
            await pilot.pause(0.5)
            written.append(Path(app.save_screenshot(f"{name}.svg", path=str(OUT))))
            await pilot.press("m")
            await pilot.pause(0.3)
            written.append(Path(app.save_screenshot(f"{name}-metrics.svg", path=str(OUT))))
            await pilot.press("escape", "q")
            return written
        await pilot.press("a")
        if overlay:  # everything trained; runs 1, 4 and 5 overlaid
            await _until(pilot, lambda: app.runs and all(r.finished for r in app.runs.values()))
            table = app.query_one("#runs")
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("space", "down", "down", "down", "space", "down", "space")
            await pilot.pause(0.3)
        else:  # the curves show the second run about half-way through
            await _until(pilot, lambda: _half_drawn(app, run_id=2))
        written.append(Path(app.save_screenshot(f"{name}.svg", path=str(OUT))))
        await pilot.press("q")
    return written


def _half_drawn(app, run_id: int) -> bool:
    shown = app.query_one("#curves-plot").runs
    if not shown or shown[0].id != run_id:
        return False
    run = shown[0]
    return run.status == "training" and len(run.series("loss")) * 2 >= run.config.epochs


def to_png(svg: Path) -> Path | None:
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], check=True)
    return png


SNAPSHOTS = OUT.parent / "tests" / "tui" / "__snapshots__" / "test_tui_snapshots"
LAYOUT_SHOTS = {"main-circles": "test_main_screen[circles-{size}]",
                "compare-circles": "test_compare_screen[{size}-isolation]",
                "robustness-iris": "test_robustness_screen[{size}-robustness]"}


def snapshots() -> None:
    """screenshots/NAME-WxH.png from the snapshot tests' SVGs, at the three tested sizes."""
    for name, test in LAYOUT_SHOTS.items():
        for size in ("80x24", "100x30", "140x45"):
            svg = SNAPSHOTS / (test.format(size=size) + ".svg")
            png = OUT / f"{name}-{size}.png"
            subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], check=True)
            print(f"wrote {png.relative_to(OUT.parent)}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    if sys.argv[1:] == ["--snapshots"]:
        snapshots()
        return
    # (name, size, problem row, overlay finished runs?, epochs: None = the tutorial's;
    # a regression run takes 0.3 s, too short to catch half-drawn, so it gets 400)
    shots = [("training-circles-100x30", (100, 30), 1, False, None),
             ("compare-blobs-100x30", (100, 30), 2, True, None),
             ("training-regression-80x24", (80, 24), 0, False, 400),
             ("study-circles-100x30", (100, 30), 1, "study", None),
             ("study-regression-80x24", (80, 24), 0, "study", None),
             ("robustness-digits-100x30", (100, 30), 6, "robustness", None)]
    for name, size, row, overlay, epochs in shots:
        for svg in asyncio.run(capture(name, size, row, overlay, epochs)):
            png = to_png(svg)
            print(f"wrote {svg.relative_to(OUT.parent)}" + (f" and {png.name}" if png else ""))


if __name__ == "__main__":
    main()

"""Issue 21's behaviour defects (10-16), one Pilot test per finding, each failing before its fix.

The real app with the canned trainer (tests/helpers/canned.py) where training itself is
not the point; keys typed faster than the app reads them are posted in one go, as a
terminal delivers a paste.
"""

import html
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

import lossterm
from lossterm.app.screens.open_data import OpenDataScreen
from tests.helpers.pilot import cells, settled, wait_until
from tests.helpers.terminal import EXITED, Pane
from tests.tui.test_tui_audit import canned, type_ahead


def _screen_rows(app) -> list[str]:
    """What the screen shows now, row by row, as plain text (from the exported SVG: each
    text run names its row and starts at its column times the cell width, 12.2)."""
    rows: dict[int, dict[int, str]] = {}
    svg = app.export_screenshot()
    for x, row, text in re.findall(r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" '
                                   r'textLength="[0-9.]+" clip-path="url\(#[^)]*-line-(\d+)\)">'
                                   r"([^<]*)</text>", svg):
        rows.setdefault(int(row), {})[round(float(x) / 12.2)] = html.unescape(text).strip("\n")
    lines = []
    for row in range(max(rows, default=-1) + 1):
        line = ""
        for column, text in sorted(rows.get(row, {}).items()):
            line = line.ljust(column) + text.replace("\xa0", " ")
        lines.append(line)
    return lines


def _legend_colours(app, widget) -> dict[str, str]:
    """Each "━ name" drawn inside ``widget``, with the colour the screen draws it in."""
    svg = app.export_screenshot()
    fills = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]+)", svg))
    r = widget.region
    found = {}
    for cls, x, row, text in re.findall(
            r'<text class="([^"]*)" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" '
            r'clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>', svg):
        text = html.unescape(text).replace("\xa0", " ")
        if r.y <= int(row) < r.bottom and r.x <= round(float(x) / 12.2) < r.right and \
                text.startswith("━"):
            found[text.lstrip("━ ").split(" ")[0]] = fills.get(cls, cls)
    return found


def _screen_text(app, widget=None) -> str:
    """The screen's text (``widget``: within its region), its lines joined by spaces."""
    rows = _screen_rows(app)
    if widget is not None:
        r = widget.content_region
        rows = [row[r.x:r.right] for row in rows[r.y:r.bottom]]
    return " ".join(" ".join(rows).split())

# 10 --------------------------------------------------------------------------

def test_10_the_loss_selected_on_a_problem_does_not_depend_on_the_path_taken():
    """blobs -> circles selected "² categorical_crossentropy" and regression -> circles bce:
    each kind now keeps its own choice, the tutorial's loss until one is made."""
    seen = {}

    async def scenario(app, pilot):
        picker = app.query_one("#picker")
        await pilot.press("down")  # regression -> circles
        seen["from regression"] = picker.loss
        await pilot.press("down", "up")  # circles -> blobs -> circles
        seen["from blobs"] = picker.loss
        await pilot.press("tab", "down")  # circles: the next loss (hinge)
        seen["chosen"] = picker.loss
        await pilot.press("shift+tab", "down", "up")  # to blobs and back
        seen["back"] = picker.loss
        await pilot.press("down")
        seen["blobs"] = picker.loss
        await pilot.press("up", "t")
        await settled(app, pilot)

    app = canned(scenario, epochs=2)
    assert seen == {"from regression": "binary_crossentropy", "from blobs": "binary_crossentropy",
                    "chosen": "hinge", "back": "hinge", "blobs": "categorical_crossentropy"}
    assert (app.runs[1].config.problem, app.runs[1].config.loss) == ("circles", "hinge")


# 11 --------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_11_the_header_names_the_backend_chosen_while_it_loads(tmp_path):
    """`--backend jax` showed "loading TensorFlow…" (hard-coded) until Keras had loaded."""
    root = Path(lossterm.__file__).parents[1]  # this checkout, whatever tmux's environment
    pane = Pane(f"PYTHONPATH={root} {sys.executable} -m lossterm --backend jax --no-store",
                tmp_path)
    try:
        loading = pane.wait_for("loading")
        assert "loading Keras with JAX" in loading and "TensorFlow" not in loading
        assert "jax backend" in pane.wait_for("training on")
        pane.send("q")
        pane.wait_for(EXITED)
        assert pane.exit_code.read_text().strip() == "0"
    finally:
        pane.close()


# 13 --------------------------------------------------------------------------

def test_13_earlier_seeds_of_one_run_are_one_history_row(tmp_path):
    """A run of three seeds came back from the store as three rows ("↺ regression mse" three
    times): it is one row, "done ×3", its seeds those the run trained; a run with other
    settings stays a row of its own."""
    from lossterm.storage.store import Store

    store = Store(tmp_path / "history.sqlite")

    async def train(app, pilot):
        await pilot.press("n", "t")  # 3 seeds
        await settled(app, pilot)

    canned(train, store=store, epochs=2)
    canned(train, store=store, epochs=3)  # other settings: another row

    async def look(app, pilot):
        table = app.query_one("#runs")
        assert table.row_count == 2
        assert [cells(table, k)[2:6] for k in ("1", "2")] == [
            ["↺ regression", "mse", "done ×3", "2/2"], ["↺ regression", "mse", "done ×3", "3/3"]]

    app = canned(look, store=store, epochs=2)
    assert [sorted(r.seed for r in run.results) for run in app.runs.values()] == [[0, 1, 2]] * 2


# 15 --------------------------------------------------------------------------

def test_15_every_field_of_the_own_data_dialog_is_named():
    """The test share and data seed fields showed two bare numbers ("0.2", "0")."""
    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OpenDataScreen)
        assert {f: str(screen.query_one(f"#{f}").border_title) for f in ("test-size", "data-seed")} \
            == {"test-size": "test share", "data-seed": "data seed"}
        drawn = _screen_text(app)
        assert "test share" in drawn and "data seed" in drawn  # drawn, not cut

    for size in ((80, 24), (100, 30)):
        canned(scenario, size=size)


def test_15_keys_typed_right_after_tab_land_in_the_next_field(numeric_csv):
    """Tab then fast typing (a paste) put the text in the field Tab left."""
    async def scenario(app, pilot):
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        type_ahead(app, f"{numeric_csv}\ty")  # path, Tab, target at once
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#path").value == str(numeric_csv)
        assert screen.query_one("#target").value == "y"
        share = screen.query_one("#test-size")
        share.focus()
        await pilot.pause()
        before = share.value
        type_ahead(app, "\t7")  # from the test share to the data seed, then 7
        await pilot.pause()
        await pilot.pause()
        assert share.value == before
        assert screen.query_one("#data-seed").value == "07"  # typed after its 0

    canned(scenario)


# 14 --------------------------------------------------------------------------

def test_14_the_theory_screen_says_its_axis_as_the_readme_does_and_colours_each_loss():
    """The plot's axis was the margin while the README said the probability of the true
    class; the family's other losses were identical grey dots; the formula wrapped to
    column 0."""
    from lossterm.app.screens.theory import ShapePlot

    readme = (Path(lossterm.__file__).parents[1] / "README.md").read_text()
    said = " ".join(readme[readme.index("`e` opens the same explanation"):].split())
    said = said[:said.index(").") + 1]
    assert "multi-class: against the margin of the true class's score" in said
    assert "probability of the true class" in said

    async def scenario(app, pilot):
        await pilot.press("down", "down", "e")  # blobs, cce
        await pilot.pause()
        screen = app.screen
        text = _screen_text(app, screen.query_one("#theory-plot-pane"))
        assert "margin m of the true class's score over the others'" in text
        assert "p(true class) = e^m/(e^m + 2) with 3 classes: 0.02 at -3, 0.33 at 0, 0.91 at 3" \
            in text
        # each loss of the family named under the plot, each in a colour of its own
        named = _legend_colours(app, screen.query_one("#theory-legend"))
        assert set(named) == {"cce", "kl_divergence", "categorical_hinge", "categorical_focal"}
        assert len(set(named.values())) == 4, named
        assert "kl_divergence (same as cce)" in text  # drawn under cce's curve
        plot = screen.query_one(ShapePlot)
        assert plot.loss == "categorical_crossentropy"

    async def narrow(app, pilot):
        await pilot.press("down", "down", "e")
        await pilot.pause()
        rows = _screen_rows(app)
        # the formula wraps under its own column, not back to column 0
        at = next(i for i, row in enumerate(rows) if "formula" in row)
        start, value = rows[at].index("formula"), rows[at].index("-mean")
        assert rows[at + 1][start:value].strip() == "" and rows[at + 1][value] != " ", rows

    canned(scenario, size=(100, 30))
    canned(narrow, size=(80, 24))


# 16 --------------------------------------------------------------------------

def test_16_the_perturbation_is_said_in_words():
    """"perturb noise0.2, imbalance0.5" (the file-name suffix) is "label noise 0.2,
    imbalance 0.5", one setting a line so neither is cut in a narrow picker."""
    async def scenario(app, pilot):
        await pilot.press("down", "L", "L", "I")  # circles: noise 0.2, imbalance 0.5
        await pilot.pause()
        settings = _screen_text(app, app.query_one("#settings"))
        assert "label noise 0.2, imbalance 0.5 (L O I)" in settings, settings
        assert "noise0.2" not in settings
        await pilot.press("up")  # regression: neither applies
        await pilot.pause()
        settings = _screen_text(app, app.query_one("#settings"))
        assert "no perturbation (L O I)" in settings
        assert "label noise 0.2, imbalance 0.5: not on regression" in settings

    canned(scenario, size=(80, 24))


def test_16_the_loss_list_says_what_its_marks_mean():
    """⚠ and ✗ in the loss list were unexplained: its title says what each mark shown means."""
    async def scenario(app, pilot):
        title = _screen_text(app, app.query_one("#loss-title"))
        assert "⚠ warns" in title and "✗ refused" in title, title  # regression: msle, ...
        await pilot.press("down")  # circles: the multiclass losses' two-unit forms
        await pilot.pause()
        title = _screen_text(app, app.query_one("#loss-title"))
        assert "² 2 units" in title and "⚠" not in title, title

    for size in ((80, 24), (140, 45)):
        canned(scenario, size=size)


def test_16_the_first_screen_says_what_to_press():
    async def scenario(app, pilot):
        hint = "no runs yet: t trains the selected loss · a every loss · S a study · ? help"
        assert hint in _screen_text(app)
        await pilot.press("t")
        await settled(app, pilot)
        assert "no runs yet" not in _screen_text(app)

    canned(scenario, size=(80, 24), epochs=2)


def test_16_enter_on_a_loss_trains_it_and_on_a_run_overlays_it():
    """Enter on a list did nothing: on a problem it moves to the losses (as before), on a
    loss it trains it (as t), on a run it overlays it (as space); the help says so."""
    async def scenario(app, pilot):
        await pilot.press("down", "enter")  # circles, then to its losses
        assert app.focused.id == "losses"
        await pilot.press("down", "enter")  # hinge: trained
        await settled(app, pilot)
        assert [(r.config.problem, r.config.loss) for r in app.runs.values()] == [
            ("circles", "hinge")]
        app.query_one("#runs").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.runs[1].overlay
        await pilot.press("question_mark")
        await pilot.pause()
        shown = _screen_text(app, app.screen.query_one("#help"))
        assert "Enter on a loss trains it" in shown and "space (or Enter) overlays" in shown

    canned(scenario, epochs=2)


def test_16_the_compare_screen_says_q_is_back_and_the_main_keys_do_not_act_behind_it():
    """On the compare screen t, a and S started work behind it without a word, and q meant
    Back while the footer did not say so."""
    async def scenario(app, pilot):
        await pilot.press("n", "a")  # every regression loss over 3 seeds
        await settled(app, pilot)
        before = len(app.runs)
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "CompareScreen"
        footer = _screen_text(app, app.screen.query_one("Footer"))
        assert "q/esc Back" in footer and "Train" not in footer and "Study" not in footer
        await pilot.press("t", "a", "S")
        await settled(app, pilot)
        assert len(app.runs) == before and app.study_stop is None  # nothing started behind
        await pilot.press("q")  # back, not quit
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ != "CompareScreen"
        await pilot.press("t")  # the main screen's keys act again
        await settled(app, pilot)
        assert len(app.runs) == before + 1

    canned(scenario, epochs=2)


# 12 --------------------------------------------------------------------------

def test_12_loss_all_says_what_it_does():
    """`--loss all` had no visible effect in the TUI."""
    from lossterm.options import Options
    from lossterm.training.records import RunConfig

    async def scenario(app, pilot):
        await wait_until(pilot, lambda: app.backend_line, "Keras loaded")
        said = [n.message for n in app._notifications]
        assert any(m.startswith("--loss all: a trains every loss that fits the selected "
                                "problem; S studies them all over 10 paired seeds") for m in said), said

    canned(scenario, options=Options(losses=("all",), base=RunConfig("", "", epochs=2)))


def test_12_a_study_trains_the_protocols_seeds_not_the_seeds_per_run():
    """S used n's seeds per run (3: "little power") as its final seeds, silently; it trains
    the protocol's (10, or --seeds) and says which when it starts."""
    from lossterm.analysis.study import Protocol
    from lossterm.app.screens.compare import CompareScreen
    from lossterm.options import Options
    from lossterm.training.records import RunConfig

    options = Options(base=RunConfig(problem="", loss="", epochs=6),
                      protocol=Protocol(grid=(0.03, 0.3), tune_seeds=1, seeds=4))
    seen = {}

    async def scenario(app, pilot):
        await pilot.press("down", "t")  # circles: bce, then hinge (canned), overlaid
        await pilot.press("tab", "down", "t")
        await settled(app, pilot)
        table = app.query_one("#runs")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "down", "space", "n")  # n: 3 seeds per run
        assert app.seeds == 3
        await pilot.press("S")
        seen["said"] = [n.message for n in app._notifications if "study of" in n.message]
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), "the verdict")
        seen["final"] = app.studies["circles"].final_seeds

    canned(scenario, options=options)
    assert seen["final"] == [0, 1, 2, 3]
    assert "then 4 paired final seeds (seeds 0–3) (--seeds sets them; n is seeds per run, " \
           "for t and a)" in seen["said"][-1]

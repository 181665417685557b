"""``e``: the theory of the selected loss, and its shape beside its family's.

Regression losses against the residual (at y = 1, where MSLE is defined),
binary ones against the margin y·f, multi-class ones against the margin of the
true class's score (its logit, under a softmax) over the others': the one axis
every loss of a kind shares whatever its head; a line under the plot reads it in
probabilities (:func:`~lossterm.losses.theory.shape_reading`). Each loss's record
names the family it is drawn with: the selected loss bright, each other in a
colour of its own, named in that colour below the plot (one hidden under the
selected one's curve is said to be the same).
"""

from __future__ import annotations

import re

import numpy as np
from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from lossterm.core.types import Kind
from lossterm.losses import get_loss
from lossterm.losses.theory import explain, shape, shape_axis, shape_reading

SELECTED_COLOR = "orange"  # plotext's name; the legend's (Rich's) below
LEGEND_STYLES = {"orange": "#ff8700"}
OTHER_COLORS = ("cyan", "magenta", "green", "blue", "red", "yellow")  # the others, in order
_FIELD = re.compile(r"^([a-z]+ *| {11})$")  # the 11 columns before a field's value


def family(loss: str) -> list[tuple[str, str, str]]:
    """(name, colour, what the legend adds) for the loss's family, the selected last (it is
    drawn over the others); "(same as …)" for one whose curve the selected hides."""
    spec = get_loss(loss)
    others = [n for n in spec.family if n != spec.name]
    _, mine = shape(spec.name)
    rows = []
    for i, name in enumerate(others):
        _, curve = shape(name)
        same = np.allclose(curve, mine, rtol=0, atol=1e-3)  # to the eye (KL and CE: 3e-6)
        rows.append((name, OTHER_COLORS[i % len(OTHER_COLORS)],
                     f" (same as {spec.short_name})" if same else ""))
    return [*rows, (spec.name, SELECTED_COLOR, "")]


class ShapePlot(PlotextPlot):
    def __init__(self, loss: str, **kwargs):
        super().__init__(**kwargs)
        self.loss = get_loss(loss).name

    def on_mount(self) -> None:
        spec = get_loss(self.loss)
        plt = self.plt
        for name, color, _ in family(self.loss):  # the selected last, over the others
            x, y = shape(name)
            plt.plot(list(x), list(y), color=color, marker="braille")
        plt.ylim(0, 4)  # keep the squared losses from flattening the others
        plt.title(f"{spec.short_name} (orange) among its family")
        plt.xlabel(shape_axis(spec.kind) + (" at y = 1" if spec.kind == Kind.REGRESSION else ""))


def family_legend(loss: str) -> Group:
    """Each loss of the family in its line's colour (never split over two lines); then
    what the x axis means."""
    spec = get_loss(loss)
    items = []
    for name, color, note in family(loss):
        style = LEGEND_STYLES.get(color, color)
        item = Text(f"━ {get_loss(name).short_name}",
                    style=f"bold {style}" if name == spec.name else style, no_wrap=True)
        item.append(note, style="dim")
        items.append(item)
    return Group(Columns(items, padding=(0, 2)),
                 Text(shape_reading(spec.kind), style="dim"))


def theory_text(text: str) -> RenderableType:
    """``explain``'s text with its fields as a two-column grid: a long value (a formula)
    wraps under itself, not back to column 0; the paragraphs wrap as they are."""
    parts: list[RenderableType] = []
    grid: Table | None = None
    for line in text.rstrip("\n").split("\n"):
        if len(line) > 12 and line[11] == " " and line[12] != " " and _FIELD.match(line[:11]):
            if grid is None:
                grid = Table.grid(padding=(0, 1))
                grid.add_column(no_wrap=True, width=11)
                grid.add_column(overflow="fold")
                parts.append(grid)
            grid.add_row(line[:11].rstrip(), line[12:])
        else:
            grid = None
            parts.append(Text(line))
    return Group(*parts)


class TheoryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,e,q", "dismiss", "Close")]

    def __init__(self, loss: str, form: str = ""):
        """``form``: how the selected problem trains it, where that is not the record's
        own kind (a multiclass loss's two-node form on a binary problem)."""
        super().__init__()
        self.loss, self.form = loss, form

    def compose(self) -> ComposeResult:
        with Horizontal(id="theory"):
            with VerticalScroll(id="theory-text"):
                if self.form:
                    yield Static(f"here: {self.form}", markup=False, classes="theory-form")
                yield Static(theory_text(explain(self.loss)), id="theory-explain")
                yield Static("[dim](escape closes)[/dim]")
            with VerticalScroll(id="theory-plot-pane"):
                yield ShapePlot(self.loss, id="theory-plot")
                yield Static(family_legend(self.loss), id="theory-legend")

"""``e``: the theory of the selected loss, and its shape beside its family's.

Regression losses against the residual (at y = 1, where MSLE is defined),
binary ones against the margin y·f, multi-class ones against the margin of the
true class's score (its logit, under a softmax) over the others'. Each loss's
record names the family it is drawn with. The selected loss is drawn bright,
the others dim.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from lossterm.core.types import Kind
from lossterm.losses import get_loss
from lossterm.losses.theory import explain, shape, shape_axis

OTHERS_COLOR, SELECTED_COLOR = "gray", "orange"


class ShapePlot(PlotextPlot):
    def __init__(self, loss: str, **kwargs):
        super().__init__(**kwargs)
        self.loss = get_loss(loss).name

    def on_mount(self) -> None:
        spec = get_loss(self.loss)
        names = spec.family
        if spec.name not in names:
            names = (*names, spec.name)
        plt = self.plt
        for name in sorted(names, key=lambda n: n == spec.name):  # selected drawn last
            x, y = shape(name)
            chosen = name == spec.name
            plt.plot(list(x), list(y), color=SELECTED_COLOR if chosen else OTHERS_COLOR,
                     marker="braille" if chosen else "dot")
        plt.ylim(0, 4)  # keep the squared losses from flattening the others
        plt.title(f"{get_loss(self.loss).short_name} (bright) among its family")
        plt.xlabel(shape_axis(spec.kind) + (" at y = 1" if spec.kind == Kind.REGRESSION else ""))


def family_legend(loss: str) -> str:
    spec = get_loss(loss)
    others = [get_loss(n).short_name for n in spec.family if n != spec.name]
    return (f"[{SELECTED_COLOR}]━ {spec.short_name}[/]   "
            f"[dim]· {', '.join(others)}[/dim]")


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
                yield Static(explain(self.loss), markup=False)
                yield Static("[dim](escape closes)[/dim]")
            with VerticalScroll(id="theory-plot-pane"):
                yield ShapePlot(self.loss, id="theory-plot")
                yield Static(family_legend(self.loss), id="theory-legend")

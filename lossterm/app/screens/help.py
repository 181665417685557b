"""``?``: every key, read from the bindings themselves so the list cannot drift."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "Pick a problem and a loss on the left; t trains it, a queues every loss that fits "
    "the problem. Enter on a problem moves to its losses; Enter on a loss trains it (as t). "
    "Curves update every epoch. In the runs table, space (or Enter) overlays a run's "
    "curves with the others. The metric is the same for every loss of a problem (MSE or "
    "accuracy), so runs compare fairly; each loss's own value is in the loss plot.\n\n"
    "Marks in the loss list: ✗ the checks refuse the loss on this problem, ⚠ they warn "
    "(select it: the details say why), ² a multiclass loss in its two-unit form on a "
    "binary problem, • one of the tutorial's nine; ✓ marked with space: with two or more "
    "marked, S studies and a queues only those. Space on the problem list marks a "
    "problem (✓): with two or more marked, S studies each and shows the suite verdict "
    "across them (ranks, Friedman, a critical-difference diagram); u unmarks everything. "
    ", sets the epochs, learning rate, "
    "optimizer, layers and a study's seeds for what follows."
)


def key_table(groups: list[tuple[str, list[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for title, bindings in groups:
        table.add_row(f"[b]{title}[/b]", "")
        for b in bindings:
            table.add_row(b.key_display or b.key.replace("_", " "), b.tooltip or b.description)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, groups: list[tuple[str, list[Binding]]]):
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("[b]lossterm keys[/b]   (escape closes)\n")
            yield Static(INTRO + "\n")
            yield Static(key_table(self.groups))

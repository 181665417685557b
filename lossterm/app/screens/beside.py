"""``B``: every verdict of this session side by side — one column per problem studied.

The same losses on two problems, or one problem clean and perturbed (``L`` then ``S``
again: ``circles`` and ``circles+noise0.2`` are two studies), read across a row: each
cell is the loss's rank in that column's study, ★ when it ties for best there, and its
mean test figure. Each column is its own study with its own protocol and metric; ranks
compare within a column only. Nothing is pooled across columns: a verdict across
problems needs a design of its own (the problems are not replicates of one another).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from lossterm.app.compare import CompareView
from lossterm.app.screens.compare import figure, short

NOTE = ("each column is its own study (its protocol and metric); ranks compare within a "
        "column; ★ tied for best there. Nothing is pooled across problems.")


def beside_rows(views: list[CompareView]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header (loss, then one column per view) and one row per loss any view ranks,
    ordered by its best rank in any column, then by name."""
    header = ("loss", *(f"{v.problem} ({v.metric})" for v in views))
    cells: dict[str, dict[int, str]] = {}
    best: dict[str, int] = {}
    for column, view in enumerate(views):
        for row in view.rows:
            mark = "★" if row.tied else " "
            cells.setdefault(row.loss, {})[column] = (
                f"{row.rank}{mark} {figure(view.metric, row.mean)}")
            best[row.loss] = min(best.get(row.loss, row.rank), row.rank)
    order = sorted(cells, key=lambda loss: (best[loss], short(loss)))
    rows = [(short(loss), *(cells[loss].get(c, "—") for c in range(len(views))))
            for loss in order]
    return header, rows


class BesideScreen(ModalScreen[None]):
    BINDINGS = [Binding("q", "dismiss", "Back", key_display="q/esc"),
                Binding("escape,B", "dismiss", "Back", show=False)]

    def __init__(self, views: list[CompareView]):
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        header, rows = beside_rows(self.views)
        with VerticalScroll(id="beside"):
            yield Static(f"[b]{len(self.views)} verdicts side by side[/b]: rank, ★ tied for "
                         "best, mean test figure")
            table: DataTable = DataTable(id="beside-table", cursor_type="row")
            table.add_columns(*header)
            for row in rows:
                table.add_row(*row)
            yield table
            for view in self.views:
                yield Static(f"[dim]{view.verdict}[/dim]")
            yield Static(f"[dim]{NOTE}[/dim]")
        yield Footer()

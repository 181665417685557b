"""``V``: the studies and sweeps that ended with a verdict, to reopen one.

Listed newest first from the store, each with when it ended, what it was, on which
problem and its verdict line. Enter reopens the one under the cursor (recomputed from
its kept runs: nothing trains); Escape goes back.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from lossterm.storage.pending import FinishedStudy


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


class StudiesScreen(ModalScreen[FinishedStudy | None]):
    """Dismissed with the study to reopen, or None."""

    BINDINGS = [Binding("enter", "open", "Reopen", priority=True),
                Binding("escape,q", "dismiss(None)", "Back")]

    def __init__(self, studies: list[FinishedStudy]):
        super().__init__()
        self.studies = studies

    def compose(self) -> ComposeResult:
        with Vertical(id="studies"):
            yield Static("[b]Past studies[/b] on this store, newest first: Enter reopens one "
                         "from its kept runs (nothing trains)")
            table: DataTable = DataTable(id="studies-table", cursor_type="row")
            table.add_columns("ended", "what", "problem", "verdict")
            for study in self.studies:
                table.add_row(_when(study.finished), study.kind, study.problem,
                              study.verdict, key=str(study.id))
            yield table
        yield Footer()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.studies:
            self.dismiss(None)
            return
        self.dismiss(self.studies[table.cursor_row])

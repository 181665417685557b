"""One row per run: problem, loss, status, epoch k/N, train and test metric, seconds.

The table watches the App's run board (``data_bind``) and keeps its rows in
step with it: rows of runs the board dropped go, a row is rewritten only when
its run's revision moved, new runs are appended, and the cursor jumps to the
first of the runs just queued so what was asked for is in view.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

from lossterm.app.runs import RunView
from lossterm.app.state import RunBoard
from lossterm.report.rows import figure

COLUMNS = ("", "#", "problem", "loss", "status", "epoch", "train", "test", "seconds")


class RunsTable(DataTable):
    BINDINGS = [
        Binding("space", "toggle_overlay", "Overlay", tooltip="show this run in the curves"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class OverlayToggled(Message):
        run_id: int

    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._drawn: dict[int, int] = {}  # run id -> the revision its row shows
        for name in COLUMNS:
            self.add_column(name, key=name or "mark")

    def watch_board(self, board: RunBoard | None) -> None:
        if board is None:
            return
        for run_id in [i for i in self._drawn if i not in board.runs]:
            self.remove_row(str(run_id))
            del self._drawn[run_id]
        for run in board:
            if self._drawn.get(run.id) != board.revision(run.id):
                self.upsert(run)
                self._drawn[run.id] = board.revision(run.id)
        if board.last.kind == "planned" and board.last.run_ids:
            self.move_cursor(row=self.get_row_index(str(board.last.run_ids[0])))

    def upsert(self, run: RunView) -> None:
        cells = _cells(run)
        key = str(run.id)
        if key in self.rows:
            for column, value in zip(COLUMNS, cells):
                self.update_cell(key, column or "mark", value, update_width=True)
        else:
            self.add_row(*cells, key=key)

    def selected_run_id(self) -> int | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value)

    def action_toggle_overlay(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None:
            self.post_message(self.OverlayToggled(run_id))


def _cells(run: RunView) -> tuple[str, ...]:
    return (
        "●" if run.overlay else " ", str(run.id), run.problem_text, run.short_name,
        run.status_text, run.epoch_text, figure(run.figure("train")), figure(run.figure("test")),
        f"{run.seconds:.1f}",
    )

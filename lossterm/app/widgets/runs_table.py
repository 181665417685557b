"""One row per run: problem, loss, status, epoch k/N, train and test metric, seconds.

The table watches the App's run board (``data_bind``) and keeps its rows in
step with it: rows of runs the board dropped go, a row is rewritten only when
its run's revision moved, new runs are appended, the cursor jumps to the
first of the runs just queued so what was asked for is in view, and then
follows training from run to run unless it was moved to a finished run.

Columns have fixed widths fitted to the table's width: a long (perturbed)
problem name is cut short with an ellipsis instead of pushing train, test
and seconds off screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from lossterm.app.figures import compact
from lossterm.app.runs import QUEUED, RunView
from lossterm.app.state import RunBoard

COLUMNS = ("", "#", "problem", "loss", "status", "epoch", "train", "test", "sec")
# On the table's top border while it is empty: a first screen that says what to press.
EMPTY_HINT = "no runs yet: t trains the selected loss · a every loss · S a study · ? help"
FIXED = {"": 1, "#": 2, "status": 12, "train": 6, "test": 6, "sec": 5}
SHARED = ("problem", "loss")  # these two share what the others leave


def column_widths(table_width: int, epochs: int = 100, padding: int = 1) -> dict[str, int]:
    """Each column's text width for a table ``table_width`` cells wide whose longest
    run has ``epochs`` epochs ("epoch" shows k/N)."""
    fixed = {**FIXED, "epoch": max(5, 2 * len(str(epochs)) + 1)}
    free = table_width - sum(fixed.values()) - 2 * padding * len(COLUMNS) - 2
    problem = max(8, min(24, free * 11 // 20))
    loss = max(6, min(20, free - problem))
    return {**fixed, "problem": problem, "loss": loss}


class RunsTable(DataTable):
    BINDINGS = [
        Binding("space", "toggle_overlay", "Overlay", tooltip="show this run in the curves"),
        Binding("enter", "toggle_overlay", "Overlay", show=False,
                tooltip="the same as space: show this run in the curves, or take it out"),
        Binding("d,delete", "drop", "Drop", show=False,
                tooltip="a queued run: take it off the queue; the run training: stop it "
                        "after this epoch (a study training beside it goes on)"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class OverlayToggled(Message):
        run_id: int

    @dataclass
    class Dropped(Message):
        run_id: int

    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._drawn: dict[int, int] = {}  # run id -> the revision its row shows
        self.widths = column_widths(80)
        for name in COLUMNS:
            self.add_column(name, key=name or "mark", width=self.widths[name])
        self._trained_last: int | None = None
        self.border_title = EMPTY_HINT

    def on_resize(self) -> None:
        self._fit()
        if self.board is not None:
            self._sync_rows(self.board)

    def _fit(self) -> None:
        """Column widths for the table's width and its longest run; rows redrawn if they moved."""
        epochs = max((r.config.epochs or 0 for r in self.board or ()), default=100)
        widths = column_widths(self.size.width or 80, epochs)
        if widths != self.widths:
            self.widths = widths
            for name in COLUMNS:
                column = self.columns[ColumnKey(name or "mark")]
                column.width, column.auto_width = widths[name], False
            self._drawn.clear()  # every row again, cut to the new widths
            self.refresh()

    def watch_board(self, board: RunBoard | None) -> None:
        if board is None:
            return
        if board.last.kind in ("planned", "history"):
            self._fit()
        self._sync_rows(board)
        if board.last.kind == "planned" and board.last.run_ids:
            self.move_cursor(row=self.get_row_index(str(board.last.run_ids[0])))
        elif board.last.kind == "started" and board.last.run_ids:
            self._follow(board, board.last.run_ids[0])

    def _sync_rows(self, board: RunBoard) -> None:
        """Rows of runs gone removed; rows whose run changed rewritten; new runs appended."""
        self.border_title = None if board.runs else EMPTY_HINT
        for key in [k for k in self.rows if _run_id(k) not in board.runs]:
            self.remove_row(key)
            self._drawn.pop(_run_id(key), None)
        for run in board:
            if self._drawn.get(run.id) != board.revision(run.id):
                self.upsert(run)
                self._drawn[run.id] = board.revision(run.id)

    def _follow(self, board: RunBoard, run_id: int) -> None:
        """Move the cursor to the run starting now, unless it rests on a finished run
        the person moved to (the run that trained last does not count)."""
        at = board.get(self.selected_run_id())
        if at is None or at.status == QUEUED or at.id in (self._trained_last, run_id) or \
                not at.finished:
            self.move_cursor(row=self.get_row_index(str(run_id)))
        self._trained_last = run_id

    def upsert(self, run: RunView) -> None:
        cells = _cells(run, self.widths)
        key = str(run.id)
        if key in self.rows:
            for column, value in zip(COLUMNS, cells):
                self.update_cell(key, column or "mark", value)
        else:
            self.add_row(*cells, key=key)

    def selected_run_id(self) -> int | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return _run_id(row_key)

    def action_toggle_overlay(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None:
            self.post_message(self.OverlayToggled(run_id))

    def action_drop(self) -> None:
        run_id = self.selected_run_id()
        if run_id is not None:
            self.post_message(self.Dropped(run_id))


def _cells(run: RunView, widths: dict[str, int]) -> tuple[Text, ...]:
    values = (
        "●" if run.overlay else " ", str(run.id), run.problem_text, run.short_name,
        run.status_text, run.epoch_text, compact(run.figure("train")),
        compact(run.figure("test")), f"{run.seconds:.1f}",
    )
    return tuple(_cut(v, widths[c]) for c, v in zip(COLUMNS, values))


def _cut(value: str, width: int) -> Text:
    """The cell's text, cut to ``width`` with an ellipsis (a DataTable cell would widen)."""
    text = Text(value, no_wrap=True, overflow="ellipsis")
    text.truncate(width, overflow="ellipsis")
    return text


def _run_id(key: RowKey) -> int:
    """The run a row shows: every row is added keyed by ``str(run.id)``, so its key has a
    value (Textual types a key's value as optional, for rows added without one)."""
    assert key.value is not None, "a runs-table row without a key"
    return int(key.value)

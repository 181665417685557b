"""One row per run: problem, loss, status, epoch k/N, train and test metric, seconds."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from lossterm.app.runs import RunView
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

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name or "mark")

    def upsert(self, run: RunView) -> None:
        cells = _cells(run)
        key = str(run.id)
        if key in self.rows:
            for column, value in zip(COLUMNS, cells):
                self.update_cell(key, column or "mark", value, update_width=True)
        else:
            self.add_row(*cells, key=key)

    def remove(self, run: RunView) -> None:
        if str(run.id) in self.rows:
            self.remove_row(str(run.id))

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

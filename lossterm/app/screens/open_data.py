"""``o``: load a CSV file of your own: its path and the column to predict."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class OpenDataScreen(ModalScreen[tuple[str, str] | None]):
    """Returns (path, target column), or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="open-data"):
            yield Label("[b]Your own data[/b]: a CSV file with a header row")
            yield Input(placeholder="path/to/file.csv", id="path")
            yield Input(placeholder="the column to predict", id="target")
            with Horizontal(id="open-buttons"):
                yield Button("Load", variant="primary", id="load")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "path":
            self.query_one("#target", Input).focus()
        else:
            self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "load":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        target = self.query_one("#target", Input).value.strip()
        self.dismiss((path, target) if path else None)

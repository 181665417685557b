"""``o``: load a data file of your own, with every data option the command line has:
the column to predict, the kind, the test share, an unscaled target and the data seed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from lossterm.engine.data import DataOptions
from lossterm.engine.types import Kind


class OpenDataScreen(ModalScreen[DataOptions | None]):
    """Returns the :class:`DataOptions` typed in, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, last: DataOptions | None = None):
        super().__init__()
        self.last = last or DataOptions(path="", target="")

    def compose(self) -> ComposeResult:
        last = self.last
        with Vertical(id="open-data"):
            yield Label("[b]Your own data[/b]: CSV (any delimiter, .gz) or Parquet")
            yield Input(last.path, placeholder="path/to/file.csv", id="path")
            yield Input(last.target, placeholder="the column to predict", id="target")
            with Horizontal(classes="open-row"):
                yield Select([(k.value, k.value) for k in Kind], prompt="kind: inferred",
                             value=last.kind or Select.NULL, id="kind")
                yield Input(f"{last.test_size:g}", placeholder="test share", id="test-size",
                            tooltip="share of rows held out for testing")
                yield Input(str(last.seed), placeholder="data seed", id="data-seed",
                            tooltip="seed of the split and the perturbations")
            yield Checkbox("keep a regression target unscaled", last.raw_target,
                           id="raw-target")
            yield Label("", id="open-error")
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
        value = {w.id: w.value for w in self.query(Input)}
        if not value["path"].strip():
            self.dismiss(None)
            return
        try:
            test_size, seed = float(value["test-size"]), int(value["data-seed"])
        except ValueError:
            self.query_one("#open-error", Label).update(
                "[red]test share must be a number and data seed an integer[/red]")
            return
        kind = self.query_one("#kind", Select).value
        self.dismiss(DataOptions(
            path=value["path"].strip(), target=value["target"].strip(),
            kind=None if kind is Select.NULL else str(kind), test_size=test_size,
            raw_target=self.query_one("#raw-target", Checkbox).value, seed=seed))

"""``o``: load a data file of your own, with every data option the command line has:
the column to predict, the kind, the test share, an unscaled target and the data seed.

The dialog loads the file itself, off the UI thread, and closes only once it
has loaded: a bad path or column is said inside it, with everything typed
kept. Keys typed ahead of the focus (right after Enter moved it) follow the
focus instead of landing in the field that had it, and keys reaching a field
after the dialog closed are dropped, never run as main-screen commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from lossterm.engine.data import DataOptions
from lossterm.engine.types import Kind
from lossterm.errors import LosstermError


class FormInput(Input):
    """An Input that passes on keys it gets after losing the focus (typed ahead).

    Textual hands each key to the widget focused when the App reads it; keys
    read before this field's Enter moved the focus still arrive here. They go
    on to the field focused now, in order; after the dialog closed, nowhere.
    """

    async def _on_key(self, event: events.Key) -> None:
        if self.has_focus:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        screen = self.screen
        target = screen.focused if screen.is_current else None
        if target is not None and target is not self:
            target.post_message(events.Key(event.key, event.character))


@dataclass
class Loaded(Message):
    answer: object  # what ``load`` returned


@dataclass
class Refused(Message):
    error: str


class OpenDataScreen(ModalScreen[object | None]):
    """Returns what ``load`` made of the options typed in, or None when cancelled.

    ``load`` runs on a worker thread and raises LosstermError to refuse; its
    message is shown in the dialog (fields named by ``name_of``).
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, last: DataOptions | None = None,
                 load: Callable[[DataOptions], object] = lambda options: options,
                 name_of: Callable[[str], str] | None = None):
        super().__init__()
        self.last = last or DataOptions(path="", target="")
        self.load, self.name_of = load, name_of
        self.loading = False

    def compose(self) -> ComposeResult:
        last = self.last
        with Vertical(id="open-data"):
            yield Label("[b]Your own data[/b]: CSV (any delimiter, .gz) or Parquet")
            yield FormInput(last.path, placeholder="path/to/file.csv", id="path")
            yield FormInput(last.target, placeholder="the column to predict", id="target")
            with Horizontal(classes="open-row"):
                yield Select([(k.value, k.value) for k in Kind], prompt="kind: inferred",
                             value=last.kind or Select.NULL, id="kind")
                yield FormInput(f"{last.test_size:g}", placeholder="test share",
                                id="test-size", tooltip="share of rows held out for testing")
                yield FormInput(str(last.seed), placeholder="data seed", id="data-seed",
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

    def _say(self, line: str, field: str | None = None) -> None:
        self.query_one("#open-error", Label).update(f"[red]{line}[/red]" if line else "")
        if field:
            self.query_one(f"#{field}").focus()

    def _submit(self) -> None:
        if self.loading:
            return
        value = {w.id: w.value.strip() for w in self.query(Input)}
        if not value["path"]:
            self._say("type the path of a CSV or Parquet file", "path")
            return
        if not value["target"]:
            self._say("type the column to predict", "target")
            return
        try:
            test_size, seed = float(value["test-size"]), int(value["data-seed"])
        except ValueError:
            self._say("test share must be a number and data seed an integer", "test-size")
            return
        kind = self.query_one("#kind", Select).value
        options = DataOptions(
            path=value["path"], target=value["target"],
            kind=None if kind is Select.NULL else str(kind), test_size=test_size,
            raw_target=self.query_one("#raw-target", Checkbox).value, seed=seed)
        self.loading = True
        self.query_one("#open-error", Label).update("[dim]loading…[/dim]")
        self._load(options)

    @work(thread=True, exclusive=True, group="open-data", exit_on_error=False)
    def _load(self, options: DataOptions) -> None:
        try:
            self.post_message(Loaded(self.load(options)))
        except LosstermError as exc:
            self.post_message(Refused(exc.render(self.name_of)))

    def on_loaded(self, message: Loaded) -> None:
        self.loading = False
        self.dismiss(message.answer)

    def on_refused(self, message: Refused) -> None:
        self.loading = False
        self._say(message.error, "target" if "column" in message.error else "path")

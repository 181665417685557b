"""``o``: load a data file of your own, with every data option the command line has:
the column to predict, the kind, the test share, an unscaled target and the data seed.

The dialog loads the file itself, off the UI thread, and closes only once it
has loaded: a bad path or column is said inside it, with everything typed
kept, so what is typed next lands in the dialog, not on the main screen.
Enter in the path field moves to the column at once: keys typed right after
it land in the column field, not at the end of the path (:class:`FormInput`); so
does Tab (and shift+Tab) in every text field: keys pasted after it land in the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from lossterm.core.errors import LosstermError
from lossterm.core.types import Kind
from lossterm.data.own import DataOptions

T = TypeVar("T")  # what ``load`` makes of the options: the dialog's answer


class FormInput(Input):
    """An Input whose Enter (``then``: the next field's id) and Tab move the focus on at
    once, and which passes on keys typed ahead of that move.

    Textual hands each key to the widget focused when the App reads it, and
    Enter or Tab acts only once it has bubbled back up to the App's bindings: keys
    typed right after it reach this field before the focus moves. So they
    move the focus here, in order, and any key this field gets after losing
    the focus goes on to the focused field, in order; after the dialog has
    closed, nowhere (never to the main screen's commands).
    """

    def __init__(self, *args, then: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.then = then

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if screen.focused is not self:
            event.stop()
            event.prevent_default()
            target = screen.focused if screen.is_current else None
            if isinstance(target, Input) and event.is_printable and event.character:
                target.insert_text_at_cursor(event.character)
            elif target is not None:
                target.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter" and self.then is not None:
            event.stop()
            event.prevent_default()
            screen.set_focus(screen.query_one(f"#{self.then}"))
            return
        if event.key in ("tab", "shift+tab"):  # as Enter: the move comes before what follows
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                screen.focus_next()
            else:
                screen.focus_previous()
            return
        await super()._on_key(event)


@dataclass
class Loaded(Message, Generic[T]):
    answer: T  # what ``load`` returned


@dataclass
class Refused(Message):
    error: str


class OpenDataScreen(ModalScreen[T | None], Generic[T]):
    """Returns what ``load`` made of the options typed in, or None when cancelled.

    ``load`` runs on a worker thread and raises LosstermError to refuse; its
    message is shown in the dialog (fields named by ``name_of``).
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, last: DataOptions | None, load: Callable[[DataOptions], T],
                 name_of: Callable[[str], str] | None = None):
        super().__init__()
        self.last = last or DataOptions(path="", target="")
        self.load, self.name_of = load, name_of
        self.loading = False

    def compose(self) -> ComposeResult:
        last = self.last
        with Vertical(id="open-data"):
            yield Label("[b]Your own data[/b]: CSV (any delimiter, .gz) or Parquet")
            yield FormInput(last.path, placeholder="path/to/file.csv", id="path", then="target")
            yield FormInput(", ".join(last.target),
                            placeholder="the column to predict (several: a, b)", id="target")
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

    def on_mount(self) -> None:
        # Every field named on its border: a placeholder goes once the field holds text
        # (the test share and data seed always do), leaving two bare numbers.
        for field, title in (("path", "file"), ("target", "column to predict"),
                             ("test-size", "test share"), ("data-seed", "data seed")):
            self.query_one(f"#{field}", Input).border_title = title

    def on_input_submitted(self, _: Input.Submitted) -> None:
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
            path=value["path"],
            target=tuple(t.strip() for t in value["target"].split(",") if t.strip()),
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

    def on_loaded(self, message: Loaded[T]) -> None:
        self.loading = False
        self.dismiss(message.answer)

    def on_refused(self, message: Refused) -> None:
        self.loading = False
        self._say(message.error, "target" if "column" in message.error else "path")

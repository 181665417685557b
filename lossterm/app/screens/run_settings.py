""",``: the settings of the runs and studies that follow — epochs, learning rate,
optimizer, hidden layers, and a study's tuning and final seeds — which were the
command line's only.

The values are checked by the engine's own rules (the options' ``validate_settings``,
the study protocol's, and that a study needs two final seeds): a value refused
keeps the dialog open with the engine's line under the row of the field, and the
field focused, as the ``o`` dialog does. Its fields are
:class:`~lossterm.app.screens.open_data.FormInput`: keys typed right after Tab or
Enter land in the next field, not the one left. The optimizer is typed too (sgd,
adam, adamw or rmsprop, the engine says so when it is none): a Select would take
the keys typed after Tab for itself.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from lossterm.app.screens.open_data import FormInput
from lossterm.core.errors import LosstermError, UsageError
from lossterm.core.types import Optimizer
from lossterm.options import Options

# field id -> (its border title, the engine's name for it)
FIELDS = {"epochs": ("epochs", "epochs"), "learning-rate": ("learning rate", "learning_rate"),
          "hidden": ("hidden layers", "hidden_units"),
          "optimizer": ("optimizer", "optimizer"),
          "tune-seeds": ("tuning seeds", "tune_seeds"), "final-seeds": ("final seeds", "seeds")}
_ENGINE = {engine: field for field, (_, engine) in FIELDS.items()}
_WORDS = {engine: title for title, engine in FIELDS.values()}
_ROWS = (("epochs", "learning-rate", "optimizer"), ("hidden", "tune-seeds", "final-seeds"))


def name_of(field: str) -> str:
    """The engine's field as this dialog labels it ("seeds" is the final seeds here)."""
    return _WORDS.get(field, field.replace("_", " "))


def describe(options: Options) -> str:
    """The settings in one line: "20 epochs, sgd at 0.01, layers 32,16; studies: 1 tuning
    seed per rate, 10 final seeds" (the problem's or optimizer's default where unset)."""
    base, protocol = options.base, options.protocol
    hidden = base.hidden_units
    layers = ("the problem's layers" if hidden is None else "layers " + (
        str(hidden) if isinstance(hidden, int) else ",".join(str(w) for w in hidden)))
    epochs = "the problem's epochs" if base.epochs is None else f"{base.epochs} epochs"
    rate = "its usual rate" if base.learning_rate is None else f"{base.learning_rate:g}"
    final = options.seeds if options.seeds > 1 else protocol.seeds
    return (f"{epochs}, {base.optimizer} at {rate}, {layers}; studies: "
            f"{protocol.tune_seeds} tuning seed{'s' if protocol.tune_seeds > 1 else ''} per "
            f"rate, {final} final seeds")


def _number(text: str, field: str, whole: bool = True) -> float | None:
    """``text`` as a number (blank: None, the default); UsageError naming ``field``."""
    if not text:
        return None
    try:
        return int(text) if whole else float(text)
    except ValueError:
        what = "a whole number" if whole else "a number"
        raise UsageError(f"{{field}} must be {what}, not {text!r}", field=field) from None


def _whole(text: str, field: str) -> int | None:
    value = _number(text, field)
    return None if value is None else int(value)


def apply(options: Options, values: dict[str, str]) -> Options:
    """``options`` with the dialog's values; UsageError (naming the field) when the
    engine refuses one. Blank epochs, rate or layers: the problem's or optimizer's own."""
    hidden: tuple[int, ...] | None = None
    if values["hidden"]:
        try:
            hidden = tuple(int(w) for w in values["hidden"].replace(" ", "").split(","))
        except ValueError:
            raise UsageError("{field} are whole numbers, one per layer: 32,16",
                             field="hidden_units") from None
    epochs = _whole(values["epochs"], "epochs")
    rate = _number(values["learning-rate"], "learning_rate", whole=False)
    tune = _whole(values["tune-seeds"], "tune_seeds")
    final = _whole(values["final-seeds"], "seeds")
    base = replace(options.base, epochs=epochs, learning_rate=rate, hidden_units=hidden,
                   optimizer=values["optimizer"].lower())
    protocol = replace(options.protocol, tune_seeds=options.protocol.tune_seeds
                       if tune is None else tune,
                       seeds=options.protocol.seeds if final is None else final)
    protocol.check_for_study()  # the final seeds are a study's: one cannot pair
    # replace() runs the options' own checks (validate_settings on the base)
    return replace(options, base=base, protocol=protocol, seeds=protocol.seeds)


class RunSettingsScreen(ModalScreen[Options | None]):
    """Returns the options with what was typed, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    RunSettingsScreen { align: center middle; }
    #run-settings { width: 76; max-width: 100%; height: auto; border: thick $primary;
                    background: $surface; padding: 0 1; }
    #run-settings .settings-row { height: auto; }
    #run-settings Input { width: 1fr; }
    #run-settings Input { border-title-color: $text-muted; }
    #run-settings .settings-error { height: auto; color: $error; }
    #settings-now { color: $text-muted; height: auto; width: 100%; }
    #settings-buttons { height: auto; }
    #settings-buttons Button { margin-right: 2; }
    """

    def __init__(self, options: Options):
        super().__init__()
        self.options = options

    def compose(self) -> ComposeResult:
        base, protocol = self.options.base, self.options.protocol
        hidden = base.hidden_units
        now = {"epochs": "" if base.epochs is None else str(base.epochs),
               "learning-rate": "" if base.learning_rate is None else f"{base.learning_rate:g}",
               "hidden": "" if hidden is None else (
                   str(hidden) if isinstance(hidden, int) else ",".join(map(str, hidden))),
               "tune-seeds": str(protocol.tune_seeds),
               "final-seeds": str(self.options.seeds if self.options.seeds > 1
                                  else protocol.seeds),
               "optimizer": base.optimizer}
        hints = {"epochs": "the problem's", "learning-rate": "the usual",
                 "hidden": "e.g. 32,16", "optimizer": " ".join(Optimizer)}
        with Vertical(id="run-settings"):
            yield Label("[b]Settings[/b] for the next runs (t, a) and studies (S, R); "
                        "blank: the default")
            yield Label(f"now: {describe(self.options)}", id="settings-now")
            for index, row in enumerate(_ROWS):
                with Horizontal(classes="settings-row"):
                    for field in row:
                        yield FormInput(now[field], placeholder=hints.get(field, ""),
                                        id=field)
                yield Label("", id=f"settings-error-{index}", classes="settings-error")
            with Horizontal(id="settings-buttons"):
                yield Button("Use", variant="primary", id="use")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for field, (title, _) in FIELDS.items():
            self.query_one(f"#{field}", Input).border_title = title
        self.query_one("#epochs").focus()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "use":
            self._submit()
        else:
            self.dismiss(None)

    def _say(self, line: str, field: str | None) -> None:
        """``line`` under the row of ``field`` (cleared elsewhere), the field focused."""
        for index, row in enumerate(_ROWS):
            here = field in row
            self.query_one(f"#settings-error-{index}", Label).update(line if here else "")
        for widget in self.query(Input):
            widget.set_class(widget.id == field, "-invalid")
        if field:
            self.query_one(f"#{field}").focus()

    def _submit(self) -> None:
        values = {w.id or "": w.value.strip() for w in self.query(Input)}
        try:
            options = apply(self.options, values)
        except LosstermError as exc:
            self._say(exc.render(name_of), _ENGINE.get(exc.field or "", "epochs"))
            return
        self.dismiss(options)

"""Problem and loss picker, with what the selected loss needs and any warning."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from lossterm.engine import CATALOGUE, PROBLEM_NAMES, check, get_loss, get_problem
from lossterm.engine.losses import LossSpec
from lossterm.engine.problems import PROBLEM_KIND
from lossterm.errors import UsageError


class VimOptionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class Picker(Vertical):
    """Two lists (problems, then losses) and a details box."""

    @dataclass
    class Changed(Message):
        problem: str
        loss: str

    def __init__(self, problem: str | None = None, loss: str | None = None, *,
                 seeds: int = 1, extra: list[tuple[str, str]] = (), problem_of=get_problem,
                 **kwargs):
        super().__init__(**kwargs)
        self.problem_of = problem_of  # listed name -> the Problem the checks look at
        self.seeds = seeds
        self.perturbation = "none"
        self.kinds = {**{name: kind for name, kind in extra}, **PROBLEM_KIND}
        self.problem = problem or (extra[0][0] if extra else PROBLEM_NAMES[0])
        self.loss = loss or "mean_squared_error"
        self.data_ready = False

    def compose(self) -> ComposeResult:
        yield Label("Problem", classes="pane-title")
        yield VimOptionList(
            *(Option(_one_line(f"{p} ({kind})"), id=p) for p, kind in self.kinds.items()),
            id="problems",
        )
        yield Label("Loss", classes="pane-title")
        yield VimOptionList(id="losses")
        yield Static(id="details")
        yield Static(self._settings_text(), id="settings")

    def _settings_text(self) -> str:
        return (f"[dim]seeds per run:[/dim] [b]{self.seeds}[/b] [dim](n)[/dim]\n"
                f"[dim]perturb:[/dim] [b]{self.perturbation}[/b] [dim](L O I)[/dim]")

    def show_settings(self, seeds: int, perturbation: str) -> None:
        self.seeds, self.perturbation = seeds, perturbation
        self.query_one("#settings", Static).update(self._settings_text())

    def add_problem(self, name: str, kind: str) -> None:
        """A problem loaded while the app runs (own data): listed and selected."""
        problems = self.query_one("#problems", OptionList)
        if name not in self.kinds:
            problems.add_option(Option(_one_line(f"{name} ({kind})"), id=name))
        self.kinds[name] = kind
        problems.highlighted = list(self.kinds).index(name)

    def on_mount(self) -> None:
        self.query_one("#problems", OptionList).highlighted = list(self.kinds).index(self.problem)
        self._fill_losses()

    @property
    def spec(self) -> LossSpec:
        return get_loss(self.loss)

    def _fill_losses(self) -> None:
        kind = self.kinds[self.problem]
        losses = self.query_one("#losses", OptionList)
        losses.clear_options()
        fitting = [s for s in CATALOGUE if s.kind == kind]
        others = [s for s in CATALOGUE if s.kind != kind]
        losses.add_options([Option(_loss_prompt(s), id=s.name) for s in fitting])
        losses.add_options([Option(_one_line(f"{s.name} ({s.kind} only)", "dim"),
                                   id=s.name, disabled=True) for s in others])
        names = [s.name for s in fitting]
        self.loss = self.loss if self.loss in names else names[0]
        losses.highlighted = names.index(self.loss)
        self.refresh_details()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_list.id == "problems" and event.option_id != self.problem:
            self.problem = event.option_id
            self._fill_losses()
        elif event.option_list.id == "losses" and event.option_id != self.loss:
            self.loss = event.option_id
            self.refresh_details()
        else:
            return
        self.post_message(self.Changed(self.problem, self.loss))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "problems":  # enter on a problem moves to its losses
            event.stop()
            self.query_one("#losses").focus()

    def refresh_details(self) -> None:
        self.query_one("#details", Static).update(self.details_text())

    def details_text(self) -> Text:
        spec = self.spec
        text = Text()
        text.append(spec.title, style="bold")
        text.append("  e: theory\n", style="dim")
        text.append(f"{' · '.join(spec.names)}\n", style="dim")
        text.append(f"output  {spec.output_layer(3 if spec.kind == 'multiclass' else 1)}\n")
        text.append(f"targets {spec.target_encoding}\n")
        text.append(f"metric  {spec.metric}\n")
        text.append(f"{spec.summary}\n", style="italic")
        if not self.data_ready:
            text.append("checks run once the data is loaded", style="dim")
            return text
        try:
            findings = check(spec, self.problem_of(self.problem))
        except UsageError as why:
            text.append(f"✗ {why}", style="bold red")
            return text
        for line in findings.warnings:
            text.append(f"⚠ {line.split(': ', 1)[-1]}\n", style="yellow")
        for line in findings.notes:
            text.append(f"ℹ {line.split(': ', 1)[-1]}\n", style="dim")
        return text


def _one_line(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _loss_prompt(spec: LossSpec) -> Text:
    text = _one_line(spec.name)
    if spec.tutorial:
        text.append(" •", style="cyan")
    return text

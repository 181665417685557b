"""Problem and loss picker, with what the selected loss needs and any warning.

The selection is what the lists show, read at once (:meth:`Picker.sync`):
a key pressed right after moving in a list acts on the row now highlighted,
not on the one before the list's highlight message arrived. The checks'
warnings come first in the details, and the losses they concern are marked
⚠ in the list, so they are never below the fold. Space marks losses (✓, per kind of
problem) for ``S`` to study and ``a`` to queue, instead of every loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from lossterm.app.widgets.problem_marks import ProblemMarks
from lossterm.core.errors import UsageError
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import PROBLEM_KIND, PROBLEM_NAMES, get_problem
from lossterm.losses import CATALOGUE, LossSpec, get_loss
from lossterm.losses.catalogue import own_losses, tutorial_losses_for
from lossterm.losses.checks import check
from lossterm.losses.forms import fit_to
from lossterm.losses.twonode import is_two_node


class VimOptionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class Picker(ProblemMarks, Vertical):
    """Two lists (problems, then losses) and a details box."""

    @dataclass
    class Changed(Message):
        problem: str
        loss: str

    def __init__(self, problem: str | None = None, loss: str | None = None, *,
                 seeds: int = 1, extra: Sequence[tuple[str, str]] = (), problem_of=get_problem,
                 **kwargs):
        super().__init__(**kwargs)
        self.problem_of = problem_of  # listed name -> the Problem the checks look at
        self.seeds = seeds
        self.perturbation = Perturbation()
        self.kinds = {**{name: kind for name, kind in extra}, **PROBLEM_KIND}
        self.problem = problem or (extra[0][0] if extra else PROBLEM_NAMES[0])
        # The loss last chosen for each kind of problem: moving to a problem selects its
        # kind's own choice (the tutorial's loss until one is chosen), never the loss of
        # the problem before (a multiclass loss carried to a binary problem trains there in
        # its two-node form: t would train another loss depending on the path taken).
        self.chosen: dict[str, str] = {}
        if loss:
            self.chosen[self.kinds.get(self.problem, "")] = loss
        self.loss = loss or ""
        self.data_ready = False
        # The losses marked (space) per kind of problem: S studies and a queues exactly
        # these when two or more are marked. Per kind, as ``chosen``: a binary loss cannot
        # be marked for blobs, and the marks stay when moving among the kind's problems.
        self.marks: dict[str, set[str]] = {}
        self.problem_marks: list[str] = []  # space on the problem list: S studies a suite

    def compose(self) -> ComposeResult:
        yield Label("Problem", classes="pane-title", id="problem-title")
        yield VimOptionList(
            *(Option(self.problem_prompt(p), id=p) for p in self.kinds),
            id="problems",
        )
        yield Static(self._settings_text(), id="settings")
        yield Label("Loss", classes="pane-title", id="loss-title")
        yield VimOptionList(id="losses")
        yield Static(id="marked")
        yield VerticalScroll(Static(id="details"), id="details-box", can_focus=False)

    def _settings_text(self) -> Text:
        """Seeds, and the perturbation that applies to this problem's kind (the rest named)."""
        kind = self.kinds.get(self.problem, "binary")
        applied = self.perturbation.for_kind(kind)
        # one setting a line: "label noise 0.2, imbalance 0.5" is cut in a narrow picker
        perturbed = ((applied.describe().replace(", ", ",\n"), "bold") if applied.active else
                     ("no perturbation", "dim"))
        text = Text.assemble(("seeds per run ", "dim"), (str(self.seeds), "bold"), (" (n)\n", "dim"),
                             perturbed, (" (L O I)", "dim"), no_wrap=True, overflow="ellipsis")
        rest = _other_part(self.perturbation, applied)
        if rest:
            text.append(f"\n{rest}: not on {kind}", style="dim italic")
        return text

    def show_settings(self, seeds: int, perturbation: Perturbation) -> None:
        self.seeds, self.perturbation = seeds, perturbation
        self.query_one("#settings", Static).update(self._settings_text())

    def add_problem(self, name: str, kind: str) -> None:
        """A problem loaded while the app runs (own data): listed and selected."""
        problems = self.query_one("#problems", OptionList)
        if name not in self.kinds:
            problems.add_option(Option(_one_line(f"{name} ({kind})"), id=name))
        self.kinds[name] = kind
        self.show_problem_marks()
        problems.highlighted = list(self.kinds).index(name)

    def on_mount(self) -> None:
        self.query_one("#problems", OptionList).highlighted = list(self.kinds).index(self.problem)
        self._fill_losses()

    def sync(self) -> bool:
        """Take the selection from what the lists highlight now; True if it changed.

        Called by the highlight handler and by the App before it acts on the
        selection, so a key typed right after moving acts on what is shown.
        """
        problems = self.query_one("#problems", OptionList)
        losses = self.query_one("#losses", OptionList)
        changed = False
        problem = problems.highlighted_option
        if problem is not None and problem.id is not None and problem.id != self.problem:
            self.problem, changed = problem.id, True
            self._fill_losses()
            self.query_one("#settings", Static).update(self._settings_text())
        loss = losses.highlighted_option
        if loss is not None and loss.id is not None and not loss.disabled and loss.id != self.loss:
            self.loss, changed = loss.id, True
            self.refresh_details()
        if loss is not None and loss.id == self.loss:  # the kind's choice, from now on
            self.chosen[self.kinds.get(self.problem, "")] = self.loss
        return changed

    @property
    def spec(self) -> LossSpec:
        return fit_to(get_loss(self.loss), self.kinds.get(self.problem, ""))

    def _every(self) -> list[LossSpec]:
        """The catalogue, then the --loss-file losses, each in the form that trains the
        selected problem (a binary loss per label on a multilabel problem, a multiclass
        loss in its two-node form on a binary one)."""
        kind = self.kinds.get(self.problem, "")
        return [fit_to(s, kind) for s in (*CATALOGUE, *own_losses())]

    def _fill_losses(self) -> None:
        kind = self.kinds[self.problem]
        losses = self.query_one("#losses", OptionList)
        losses.clear_options()
        every = self._every()
        fitting = [s for s in every if s.kind == kind]
        others = [s for s in every if s.kind != kind]
        losses.add_options([Option(self._loss_prompt(s), id=s.name) for s in fitting])
        losses.add_options([Option(_one_line(f"  {s.name} ({s.kind} only)", "dim"),
                                   id=s.name, disabled=True) for s in others])
        names = [s.name for s in fitting]
        tutorial = [s.name for s in tutorial_losses_for(kind) if s.name in names]
        mine = self.chosen.get(kind)
        self.loss = mine if mine in names else (tutorial or names)[0]
        losses.highlighted = names.index(self.loss)
        self.refresh_details()
        self._show_legend(fitting)
        self._show_marked()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # The event may be stale (the list moved on since); the lists themselves are not.
        if self.sync():
            self.post_message(self.Changed(self.problem, self.loss))

    def marked(self) -> list[str]:
        """The losses marked on the selected problem's kind, in the list's order, when two
        or more are: what S studies and a queues. Otherwise none (they take every loss)."""
        mine = self.marks.get(self.kinds.get(self.problem, ""), set())
        names = [s.name for s in self._every() if s.name in mine]
        return names if len(names) >= 2 else []

    def toggle_mark(self) -> str:
        """Mark the selected loss, or unmark it; a refused one (✗) is not marked. Returns
        what to tell the person when nothing changed, else ""."""
        self.sync()
        kind = self.kinds.get(self.problem, "")
        mine = self.marks.setdefault(kind, set())
        if self.loss in mine:
            mine.discard(self.loss)
        elif isinstance(self._findings(self.spec), UsageError):
            return f"{self.loss} is refused on {self.problem} (✗): not marked"
        else:
            mine.add(self.loss)
        self.mark_losses()
        self._show_marked()
        return ""

    def _show_marked(self) -> None:
        """One line under the loss list saying what the marks do; hidden with none."""
        count = len(self.marks.get(self.kinds.get(self.problem, ""), ()))
        line = self.query_one("#marked", Static)
        line.display = count > 0
        # two short lines: the picker is 26 columns wide at 80
        then = "mark more for S and a" if count == 1 else "S studies, a queues them"
        line.update(Text(f"{count} marked (space unmarks):\n{then}",
                         style="green" if count == 1 else "bold green"))

    def mark_losses(self) -> None:
        """Redraw the loss list's prompts: ⚠ on those the checks warn about."""
        losses = self.query_one("#losses", OptionList)
        fitting = [s for s in self._every() if s.kind == self.kinds[self.problem]]
        for spec in fitting:
            losses.replace_option_prompt(spec.name, self._loss_prompt(spec))
        self._show_legend(fitting)

    def _show_legend(self, fitting: Sequence[LossSpec] | None = None) -> None:
        """The loss pane's title says what the marks in its list mean (those shown only;
        ⚠ and ✗ unexplained read as decoration; the details say why, for the selected).
        Packed into the pane's width: a second line only when ✗, ⚠ and ² all show; •
        is said only where it fits (the help says it too)."""
        if fitting is None:
            fitting = [s for s in self._every() if s.kind == self.kinds[self.problem]]
        marks = {_mark(self._findings(s), is_two_node(s)) for s in fitting}
        if any(s.tutorial for s in fitting):
            marks.add("•")
        width = self.content_size.width or 26
        lines = [_one_line("Loss")]
        for mark, words in LEGEND:
            if mark not in marks:
                continue
            if lines[-1].cell_len + 3 + len(words) + 1 > width:
                if mark == "•":
                    break
                lines.append(_one_line(""))
            line = lines[-1]
            line.append(f"{'  ' if line.plain else ''}{mark} ", style=MARK_STYLES[mark])
            line.append(words, style="dim")
        self.query_one("#loss-title", Label).update(Text("\n").join(lines))

    def on_resize(self) -> None:
        if self.query("#loss-title"):  # the legend is packed into the new width
            self._show_legend()

    def _findings(self, spec: LossSpec):
        """The checks of ``spec`` on the selected problem; None before the data is loaded."""
        if not self.data_ready:
            return None
        try:
            return check(spec, self.problem_of(self.problem))
        except UsageError as why:
            return why

    def _loss_prompt(self, spec: LossSpec) -> Text:
        """The loss's name, after ✗ (refused here), ⚠ (a warning) or ² (a multiclass
        loss in its two-node form on a binary problem: 2 units) so a long name cannot
        push the mark out of sight; • marks the tutorial's losses; ✓ (a column of its own
        while any is marked) the losses marked for S and a."""
        two_node = is_two_node(spec)
        mark = _mark(self._findings(spec), two_node)
        if mark == "²":
            text = _one_line("")
            text.append("² ", style=MARK_STYLES[mark])  # the mark only, not the row
            two_node = False  # said
        else:
            text = _one_line(f"{mark or ' '} ", MARK_STYLES.get(mark, ""))
        text.append(spec.name)
        if spec.tutorial:
            text.append(" •", style="cyan")
        if two_node:  # the first column was taken by ✗ or ⚠
            text.append(" (2 units)", style="dim")
        mine = self.marks.get(self.kinds.get(self.problem, ""))
        if mine:  # a column of its own, first, while any loss of the kind is marked
            text = Text.assemble(("✓ " if spec.name in mine else "  ", "bold green"), text,
                                 no_wrap=True, overflow="ellipsis")
        return text

    class Chosen(Message):
        """Enter on a loss: train it (the App treats it as ``t``)."""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "problems":  # enter on a problem moves to its losses
            self.query_one("#losses").focus()
        else:  # enter on a loss trains it
            self.post_message(self.Chosen())

    def refresh_details(self) -> None:
        self.query_one("#details", Static).update(self.details_text())

    def details_text(self) -> Text:
        """Any refusal or warning first (a short line each), then what the loss needs."""
        spec = self.spec
        text = Text()
        findings = self._findings(spec)
        if isinstance(findings, UsageError):
            text.append(f"✗ {findings}\n", style="bold red")
        elif findings is not None:
            for line in findings.warnings:
                text.append(f"⚠ {_short_warning(line)}\n", style="yellow")
        text.append(spec.title, style="bold")
        text.append("  e: theory\n", style="dim")
        text.append(f"{' · '.join(spec.names)}\n", style="dim")
        problem = self.problem_of(self.problem) if self.data_ready else None
        if problem is not None and problem.n_targets > 1:  # one unit per target or label
            text.append(f"output  {spec.output_layer(problem.n_classes, problem.n_targets)}\n")
        elif spec.kind == "multilabel":
            text.append(f"output  1 per label, {spec.output_activation}\n")
        elif problem is not None and problem.kind == spec.kind:  # digits: 10, iris: 3
            text.append(f"output  {spec.output_layer(problem.n_classes)}\n")
        else:  # the loss is for another kind of problem: its layer in general
            text.append(f"output  {'n' if spec.kind == 'multiclass' else '1'}, "
                        f"{spec.output_activation}\n")
        text.append(f"targets {spec.target_encoding}\n")
        text.append(f"metric  {spec.metric}\n")
        text.append(f"{spec.summary}\n", style="italic")
        if findings is None:
            text.append("checks run once the data is loaded", style="dim")
        elif not isinstance(findings, UsageError):
            for line in findings.warnings:  # in full, after the short line above
                text.append(f"⚠ {line.split(': ', 1)[-1]}\n", style="dim yellow")
            for line in findings.notes:
                text.append(f"ℹ {line.split(': ', 1)[-1]}\n", style="dim")
        text.rstrip()  # in place
        return text


# What the loss list's marks mean, in the order its title says them.
LEGEND = (("✗", "refused"), ("⚠", "warns"), ("²", "2 units"), ("•", "tutorial"))
MARK_STYLES = {"✗": "bold red", "⚠": "bold yellow", "²": "bold cyan", "•": "cyan"}


def _mark(findings, two_node: bool) -> str:
    """The mark before a loss's name: ✗ (the checks refuse it here), ⚠ (they warn), ² (a
    multiclass loss's two-node form on a binary problem), or none."""
    if isinstance(findings, UsageError):
        return "✗"
    if findings is not None and findings.warnings:
        return "⚠"
    return "²" if two_node else ""


def _short_warning(line: str) -> str:
    """A check's warning without the loss's name and before its explanation."""
    return line.split(": ", 1)[-1].split("; ", 1)[0]


def _other_part(whole: Perturbation, applied: Perturbation) -> str:
    """The perturbation's settings that do not apply here, described: 'label noise 0.1'."""
    rest = Perturbation(label_noise=whole.label_noise if not applied.label_noise else 0.0,
                        outliers=whole.outliers if not applied.outliers else 0.0,
                        imbalance=whole.imbalance if applied.imbalance == 1 else 1.0,
                        noise_kind=whole.noise_kind)
    return rest.describe() if rest.active else ""


def _one_line(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


"""The offer on start: work the last session on this store left unfinished.

Shown once, before anything else is queued, when the store holds work of a lossterm
that ended before finishing it (``q`` with runs queued, a signal, a dropped link,
``kill -9``). Enter queues it again as it was asked; Escape forgets it. Nothing is
trained behind the person's back: the offer waits for a key.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class ResumeScreen(ModalScreen[bool]):
    """Dismissed with True (queue it again) or False (forget it)."""

    BINDINGS = [Binding("enter", "answer(True)", "Queue again", priority=True),
                Binding("escape", "answer(False)", "Forget it")]

    def __init__(self, lines: list[str]):
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="resume"):
            yield Static("[b]Unfinished when lossterm last closed[/b]\n")
            yield Static("\n".join(f"• {line}" for line in self.lines), id="resume-items")
            yield Static("\nEnter queues it again (runs train the seeds and settings they "
                         "were asked with; a study resumes from its kept runs). Escape "
                         "forgets it.")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

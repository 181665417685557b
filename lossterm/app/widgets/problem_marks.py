"""Problems marked in the picker (``space`` on the problem list): what ``S`` studies as a
suite, one study per marked problem and the verdict across them.

A mixin of :class:`~lossterm.app.widgets.picker.Picker`, apart so the picker stays under
the size limit. The marks are shown as the losses' are: a ✓ column before every problem
while any is marked, and the pane's title counts them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Label, OptionList

if TYPE_CHECKING:
    from textual.widget import Widget as _Base
else:
    _Base = object  # at run time the Picker's own Vertical is the widget


class ProblemMarks(_Base):
    """The marked problems of a picker with a ``#problems`` list and ``kinds``."""

    kinds: dict[str, str]
    problem: str
    problem_marks: list[str]  # in the order they were marked; ``marked_problems`` lists them

    def problem_prompt(self, name: str) -> Text:
        """A problem's row: its name and kind, after ✓ (marked) or a blank while any
        problem is marked, so the names stay in one column."""
        text = Text(f"{name} ({self.kinds[name]})", no_wrap=True, overflow="ellipsis")
        if self.problem_marks:
            text = Text.assemble(("✓ " if name in self.problem_marks else "  ", "bold green"),
                                 text, no_wrap=True, overflow="ellipsis")
        return text

    def toggle_problem_mark(self) -> None:
        """Mark the problem under the cursor, or unmark it."""
        self.sync()
        if self.problem in self.problem_marks:
            self.problem_marks.remove(self.problem)
        else:
            self.problem_marks.append(self.problem)
        self.show_problem_marks()

    def marked_problems(self) -> list[str]:
        """The marked problems in the list's order when two or more are (S then studies
        each and the suite across them); otherwise none (S studies the selected one)."""
        names = [name for name in self.kinds if name in self.problem_marks]
        return names if len(names) >= 2 else []

    def marked_on(self, kind: str) -> list[str]:
        """Every loss marked on ``kind``, by name (one or none included)."""
        return sorted(self.marks.get(kind, set()))

    def show_problem_marks(self) -> None:
        """Redraw the problem list's rows and its title: "Problem ✓ 2: S = suite"."""
        problems = self.query_one("#problems", OptionList)
        for name in self.kinds:
            problems.replace_option_prompt(name, self.problem_prompt(name))
        count = len(self.problem_marks)
        title = self.query_one("#problem-title", Label)
        title.update(Text.assemble("Problem", (f" ✓ {count}: " + (
            "S = suite" if count > 1 else "mark more"), "bold green") if count else ""))

    def clear_marks(self) -> int:
        """Unmark every problem and every loss of every kind; how many marks there were."""
        count = len(self.problem_marks) + sum(len(m) for m in self.marks.values())
        self.problem_marks.clear()
        self.marks.clear()
        self.show_problem_marks()
        self.mark_losses()
        self._show_marked()
        return count

    if TYPE_CHECKING:  # the Picker's own
        marks: dict[str, set[str]]

        def sync(self) -> bool:
            return False

        def mark_losses(self) -> None: ...

        def _show_marked(self) -> None: ...

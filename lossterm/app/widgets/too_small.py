"""A notice in place of a broken layout when the terminal is smaller than lossterm needs.

Below ``MIN_WIDTH`` x ``MIN_HEIGHT`` the panes do not fit: at 60x20 the scatter was
six columns wide, the runs table lost its test column and the footer lost ``?`` and
``q``. The app's breakpoints put ``-too-narrow`` / ``-too-short`` on every screen below
that size; the stylesheet then hides the screen's panes and shows this notice, which
says the size it needs and the size it has, and that ``q`` still works.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24  # the size every screen is laid out and tested at


class TooSmall(Static):
    """The notice; hidden by the stylesheet unless the screen is too small."""

    def __init__(self, **kwargs):
        super().__init__(id="too-small", **kwargs)

    def render(self) -> Text:
        size = self.screen.size
        return Text.assemble(
            ("terminal too small: ", "bold"),
            f"needs at least {MIN_WIDTH}x{MIN_HEIGHT}, has {size.width}x{size.height}\n\n",
            ("enlarge the window; q goes back, or quits", "dim"))

    def on_resize(self) -> None:
        self.refresh()  # the size it reports

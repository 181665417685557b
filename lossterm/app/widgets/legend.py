"""One line under the curves: each shown run's colour, and how train and test are drawn.

It watches the App's run board like the curves do, and redraws only when its
text would change (a run shown or hidden, a second seed starting), not every epoch.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from lossterm.app.runs import RunView
from lossterm.app.state import RunBoard
from lossterm.app.widgets.curves import RUN_COLORS


class Legend(Static):
    """One line under the curves: each run's colour, and how train and test are drawn."""

    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._drawn: tuple | None = None

    def watch_board(self, board: RunBoard | None) -> None:
        runs = board.shown_runs() if board is not None else []
        key = (tuple(r.label for r in runs), _several_seeds(runs))
        if key != self._drawn:
            self._drawn = key
            self.show(runs)

    def show(self, runs: list[RunView]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, run in enumerate(runs):
            text.append("■ ", style=_rich_color(RUN_COLORS[i % len(RUN_COLORS)]))
            text.append(f"{run.label}  ")
        text.append("· train  ⣿ test", style="dim")
        if _several_seeds(runs):
            text.append("  - min–max over seeds", style="dim")
        self.update(text)


def _rich_color(name: str) -> str:
    return {"orange": "dark_orange", "white": "bright_white"}.get(name, name)


def _several_seeds(runs: list[RunView]) -> bool:
    """Whether any run has curves from more than one seed (so a band is drawn).

    Counted without building the series: this runs on every epoch.
    """
    return any(sum(1 for r in run.results if r.records) + bool(run.live) > 1 for run in runs)

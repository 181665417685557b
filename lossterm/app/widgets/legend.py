"""The lines under the curves: each shown run's colour and trouble, and how lines are drawn.

It watches the App's run board like the curves do and redraws only when its
text would change (a run shown or hidden, a seed starting or diverging), not
every epoch. Entries wrap onto more lines rather than being cut off, and an
entry is never split in two.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from lossterm.analysis.study.noise import COMPARISON
from lossterm.app.messages import StudyCurves
from lossterm.app.runs import RunView
from lossterm.app.state import RunBoard
from lossterm.app.widgets.curves import (
    BAND_SHADE,
    RUN_COLORS,
    RUN_RGB,
    TRAIN_SHADE,
    shade,
)


class Legend(Static):
    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._drawn: tuple | None = None
        self._lines = 0  # lines of the text drawn last
        self.entries: list[Text] = []
        self.live: StudyCurves | None = None
        self.progress: list[Text] = []  # a study's progress, while it trains

    def show_live(self, live: StudyCurves | None) -> None:
        """A study's losses while it trains (the curves show its runs); None: its end."""
        if live is not None and not live.lines and self.live is not None and self.live.lines:
            live = self.live  # a new phase with no epoch yet: the curves keep the last one's
        self.live = live
        self._drawn = None
        if live is not None:
            self.entries = self.progress + live_entries(live)
            self._wrap()
        else:
            self.progress = []
            self.watch_board(self.board)

    def show_progress(self, pieces: list[str]) -> None:
        """How far the study is, first in the legend (the header cuts it on a narrow
        terminal): drawn with the study's lines (:meth:`show_live`)."""
        self.progress = [Text(piece, style="bold") for piece in pieces]
        if self.live is not None:
            self.show_live(self.live)

    def watch_board(self, board: RunBoard | None) -> None:
        if self.live is not None:
            return
        runs = board.shown_runs() if board is not None else []
        hidden = board.overlay_hidden() if board is not None else False
        key = (tuple((r.label, r.trouble) for r in runs), _several_seeds(runs), hidden)
        if key != self._drawn:
            self._drawn = key
            self.entries = entries(runs, hidden)
            self._wrap()

    def on_resize(self) -> None:
        self._wrap()

    def _wrap(self) -> None:
        """Draw the entries; a new layout only when the number of lines changes (a study's
        progress changes the text twice a second, rarely its height)."""
        text = wrap(self.entries, self.content_size.width or 80)
        lines = text.plain.count("\n") + 1
        self.update(text, layout=lines != self._lines)
        self._lines = lines

    @property
    def plain(self) -> str:
        return "  ".join(e.plain for e in self.entries)


def entries(runs: list[RunView], overlay_hidden: bool = False) -> list[Text]:
    """One piece of text per run, then the key to the lines (and the band, with seeds)."""
    pieces = []
    for i, run in enumerate(runs):
        piece = Text("■ ", style=RUN_COLORS[i % len(RUN_COLORS)])
        piece.append(run.label)
        if run.trouble:
            piece.append(f" ✗ {run.trouble}", style="bold red")
        pieces.append(piece)
    grey = RUN_RGB[-1]
    key = Text("━ test ", style=_hex(grey))
    key.append("━ train", style=_hex(shade(grey, TRAIN_SHADE)))
    pieces.append(key)
    if _several_seeds(runs):
        pieces.append(Text("⣿ min–max over seeds", style=_hex(shade(grey, BAND_SHADE + 0.2))))
    if overlay_hidden:
        pieces.append(Text("overlay hidden while this run trains (other problem)",
                           style="italic"))
    return pieces


def live_entries(live: StudyCurves) -> list[Text]:
    """One piece per loss of the study's phase now (with how many runs its medians are
    over), then the key to its lines."""
    pieces = [Text(f"■ {line.loss} ×{line.runs}", style=RUN_COLORS[i % len(RUN_COLORS)])
              for i, line in enumerate(live.lines)]
    grey = RUN_RGB[-1]
    held = "test" if COMPARISON in live.phase else "validation"  # an untuned sweep's point
    key = Text(f"━ {held} ", style=_hex(grey))
    key.append("━ train", style=_hex(shade(grey, TRAIN_SHADE)))
    pieces.append(key)
    return pieces


def wrap(pieces: list[Text], width: int) -> Text:
    """Pieces joined by two spaces, a new line wherever the next would not fit."""
    out, used = Text(no_wrap=True, overflow="ellipsis"), 0
    for piece in pieces:
        if used and used + 2 + piece.cell_len > width:
            out.append("\n")
            used = 0
        elif used:
            out.append("  ")
            used += 2
        out.append_text(piece)
        used += piece.cell_len
    return out


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _several_seeds(runs: list[RunView]) -> bool:
    """Whether any run has curves from more than one seed (so a band is drawn).

    Counted without building the series: this runs on every epoch.
    """
    return any(sum(1 for r in run.results if r.records) + len(run.live) > 1 for run in runs)

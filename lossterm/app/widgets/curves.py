"""Learning curves: loss or metric per epoch, train and test, one colour per run.

The widget watches the App's run board (``data_bind``) and draws what the
board says is shown. Epochs can arrive hundreds of times a second; plotting
each would starve the UI, so an epoch only marks the plot dirty and a timer
redraws it at most five times a second. Anything else (a run starting or
finishing, the overlay changing) is drawn at once.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual_plotext import PlotextPlot

from lossterm.app.runs import RunView
from lossterm.app.state import RunBoard

PLOT_INTERVAL = 0.2  # seconds between redraws while epochs arrive

RUN_COLORS = ("cyan", "orange", "green", "magenta", "red", "blue", "yellow", "white")
TRAIN_MARKER, TEST_MARKER, BAND_MARKER = "·", "braille", "-"  # "· train ⣿ test - band"


def band(series: list[list[float]]) -> list[list[float]]:
    """Per-epoch min and max over seeds (nothing for one seed)."""
    if len(series) < 2:
        return []
    longest = max(len(s) for s in series)
    low, high = [], []
    for epoch in range(longest):
        values = [s[epoch] for s in series if len(s) > epoch]
        low.append(min(values))
        high.append(max(values))
    return [low, high]


class Curves(PlotextPlot):
    """``which`` is "loss" or "metric"; ``runs`` are the runs drawn last."""

    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)

    def __init__(self, which: str, **kwargs):
        super().__init__(**kwargs)
        self.which = which
        self.runs: list[RunView] = []
        self._dirty = False

    def on_mount(self) -> None:
        self.set_interval(PLOT_INTERVAL, self._flush)

    def watch_board(self, board: RunBoard | None) -> None:
        if board is None:
            return
        shown = board.shown_runs()
        if board.last.kind == "epoch" and shown == self.runs:
            self._dirty = True  # the same runs, one epoch longer: the timer draws it
        else:
            self.set_runs(shown)

    def _flush(self) -> None:
        if self._dirty and self.board is not None:
            self.set_runs(self.board.shown_runs())

    def set_runs(self, runs: list[RunView]) -> None:
        self.runs, self._dirty = runs, False
        self.replot()

    def key(self, run: RunView) -> str:
        return "loss" if self.which == "loss" else run.metric

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        values: list[float] = []
        longest = 0
        for i, run in enumerate(self.runs):
            color = RUN_COLORS[i % len(RUN_COLORS)]
            key = self.key(run)
            train, test = run.series(key), run.series("val_" + key)
            if not train:
                continue
            epochs = list(range(1, len(train) + 1))
            for edge in band(run.all_series("val_" + key)):
                plt.plot(epochs[: len(edge)], edge, color=color, marker=BAND_MARKER)
                values += edge
            plt.plot(epochs, train, color=color, marker=TRAIN_MARKER)
            plt.plot(epochs, test, color=color, marker=TEST_MARKER)
            values += train + test
            longest = max(longest, len(train))
        if values and min(values) > 0 and max(values) / min(values) > 100:
            plt.yscale("log")
            scale = ", log scale"
        else:
            scale = ""
        title = self.which if self.which == "loss" or not self.runs else self.key(self.runs[0])
        if values:
            plt.title(f"{title} per epoch{scale}")
        else:
            plt.title(f"{title}: no epochs yet" if self.runs else f"{title}: press t to train")
        if longest:
            plt.xticks(epoch_ticks(longest))
        plt.xlabel("epoch")
        self.refresh()


def epoch_ticks(epochs: int, count: int = 4) -> list[int]:
    """Whole-number epoch ticks: 1, then round steps up to ``epochs``."""
    if epochs <= count:
        return list(range(1, epochs + 1))
    raw = epochs / count
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9)
                if s >= raw)
    return [1] + list(range(step, epochs + 1, step))

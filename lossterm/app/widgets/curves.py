"""Learning curves a person can read: one tall plot, lines, test bright and train dim.

:class:`CurvesPlot` draws a list of :class:`Line` values, each one run over
one or more seeds: the per-epoch mean as a braille line (test in the run's
colour, train dimmer, so neither hides the other), the test min–max band over
seeds as dim dots behind it, and the last test value written at the line's
end. The axis is chosen from the values that make sense: runs with trouble
(diverged seeds) and absurd spikes are kept out of its range and clipped at its
edge, and ticks are compact (1.5e33, never forty digits). Nothing in it knows
about runs, so a compare screen can draw its final runs with it too.

:class:`Curves` is the main screen's plot: it watches the App's run board
(``data_bind``) and shows the loss or the metric (the ``m`` key) of the runs
the board shows. Epochs can arrive hundreds of times a second; an epoch only
marks the plot dirty and a timer redraws it at most five times a second.
Anything else (a run starting or finishing, the overlay changing) is drawn at once.
While a study trains it shows the study's runs instead (:meth:`Curves.show_live`):
each loss's median over its runs of the phase training now, redrawn by the same timer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from lossterm.app.figures import compact, tick
from lossterm.app.messages import StudyCurves
from lossterm.app.runs import RunView
from lossterm.app.state import RunBoard

PLOT_INTERVAL = 0.2  # seconds between redraws while epochs arrive
BAND_DOTS = 1500  # at most about this many dots shade one run's band
OFF_AXIS = 1e3  # a value this many times the median size of the others is off the axis

# One hue per run: the test line in full, the train line and the band dimmer.
RUN_RGB = ((0, 215, 255), (255, 150, 0), (80, 220, 80), (230, 90, 230), (255, 80, 80),
           (110, 140, 255), (235, 215, 60), (0, 170, 140), (255, 170, 200), (220, 220, 220))
TRAIN_SHADE, BAND_SHADE = 0.5, 0.3
RUN_COLORS = tuple(f"#{r:02x}{g:02x}{b:02x}" for r, g, b in RUN_RGB)  # for the legend


def shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = (round(c * factor) for c in rgb)
    return r, g, b


@dataclass(frozen=True)
class Line:
    """One run's curves: the values of each seed, train and test, and any trouble."""

    label: str  # "#3 bce ×5"
    train: list[list[float]]  # one list per seed, epoch by epoch
    test: list[list[float]]
    trouble: str = ""  # "diverged", "2 diverged": drawn, but kept out of the axis range

    @property
    def epochs(self) -> int:
        return max((len(s) for s in self.test + self.train), default=0)


def _grid(series: list[list[float]]) -> np.ndarray:
    """Seeds by epochs, NaN where a seed stopped early or a value is not finite."""
    longest = max((len(s) for s in series), default=0)
    grid = np.full((len(series), longest), np.nan)
    for row, values in zip(grid, series):
        row[:len(values)] = values
    grid[~np.isfinite(grid)] = np.nan
    return grid


def mean_curve(series: list[list[float]]) -> list[float]:
    """The per-epoch mean over the seeds that reached each epoch (NaN where none is finite)."""
    grid = _grid(series)
    if not grid.size:
        return []
    counts = np.sum(~np.isnan(grid), axis=0)
    sums = np.nansum(grid, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan))


def band(series: list[list[float]]) -> tuple[list[float], list[float]]:
    """Per-epoch min and max over seeds (empty for fewer than two seeds)."""
    if len(series) < 2:
        return [], []
    grid = _grid(series)
    empty = np.all(np.isnan(grid), axis=0)
    filled = np.where(np.isnan(grid), 0.0, grid)
    low = np.where(empty, np.nan, np.nanmin(np.where(np.isnan(grid), np.inf, filled), axis=0))
    high = np.where(empty, np.nan, np.nanmax(np.where(np.isnan(grid), -np.inf, filled), axis=0))
    return list(low), list(high)


def thin(count: int, most: int) -> list[int]:
    """At most about ``most`` indices of ``count`` epochs, evenly spread, the last kept."""
    step = max(1, math.ceil(count / max(most, 1)))
    kept = list(range(0, count, step))
    return kept if not count or kept[-1] == count - 1 else kept + [count - 1]


def axis_range(values: list[float]) -> tuple[float, float] | None:
    """The y range that shows ``values`` but their absurd ones (non-finite, or over
    ``OFF_AXIS`` times the median size), with a little margin; None if none is left."""
    finite = np.array([v for v in values if math.isfinite(v)], dtype=float)
    if not finite.size:
        return None
    size = float(np.median(np.abs(finite)))
    if size > 0:
        finite = finite[np.abs(finite) <= OFF_AXIS * size]
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        pad = abs(high) * 0.05 or 0.5
        return low - pad, high + pad
    pad = (high - low) * 0.05
    return low - pad, high + pad


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2, 2.5 or 5 times a power of ten) inside [low, high]."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def epoch_ticks(epochs: int, count: int = 4) -> list[int]:
    """Whole-number epoch ticks: 1, then round steps up to ``epochs``."""
    if epochs <= count:
        return list(range(1, epochs + 1))
    raw = epochs / count
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9)
                if s >= raw)
    return [1] + list(range(step, epochs + 1, step))


class CurvesPlot(PlotextPlot):
    """A plot of :class:`Line` values; call :meth:`show` with the lines and a title."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: list[Line] = []
        self.title = ""
        self.empty = "no runs yet"
        self.log_scale = False

    def show(self, lines: list[Line], title: str, empty: str = "no epochs yet") -> None:
        self.lines, self.title, self.empty = lines, title, empty
        self.replot()

    def on_resize(self) -> None:
        self.replot()  # end labels and the band depend on the plot's size

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        drawn = [line for line in self.lines if line.epochs]
        limits = self._limits(drawn)
        if limits is None:
            plt.title(f"{self.title}: {self.empty}")
            self.refresh()
            return
        low, high = limits
        longest = max(line.epochs for line in drawn)
        labels = []
        for i, line in enumerate(drawn):
            labels += self._draw_line(plt, line, RUN_RGB[i % len(RUN_RGB)], low, high)
        self._draw_labels(plt, labels, low, high, longest)
        self._axes(plt, low, high, longest)
        self.refresh()

    def _y(self, values: list[float]) -> list[float]:
        if not self.log_scale:
            return values
        return [math.log10(v) if v > 0 else math.nan for v in values]

    def _limits(self, lines: list[Line]) -> tuple[float, float] | None:
        """The y range, from the lines without trouble (all lines if every one has some)."""
        calm = [line for line in lines if not line.trouble] or lines
        values = [v for line in calm for s in line.train + line.test for v in s]
        limits = axis_range(values)
        if limits is None:
            self.log_scale = False
            return None
        low, high = limits
        shown = [v for v in values if math.isfinite(v) and low <= v <= high]
        self.log_scale = bool(shown) and min(shown) > 0 and max(shown) / min(shown) > 100
        if self.log_scale:
            return axis_range(self._y(shown))
        return limits

    @property
    def _columns(self) -> int:
        """Braille dots across the plot: more points than this cannot show."""
        return max(self.size.width - 10, 2) * 2

    def _clip(self, values: list[float], low: float, high: float) -> tuple[list, list]:
        """Epochs and values inside a margin round the axis (plotext cannot place 1e33),
        thinned to about a point a dot column."""
        span = high - low
        ys_all = self._y(values)
        xs, ys = [], []
        for index in thin(len(values), self._columns):
            v = ys_all[index]
            if math.isfinite(v):
                xs.append(index + 1)
                ys.append(min(max(v, low - span), high + span))
        return xs, ys

    def _draw_line(self, plt, line: Line, rgb, low, high) -> list[tuple[float, str, tuple]]:
        test, train = mean_curve(line.test), mean_curve(line.train)
        self._draw_band(plt, line.test, shade(rgb, BAND_SHADE), low, high)
        for values, color in ((train, shade(rgb, TRAIN_SHADE)), (test, rgb)):
            xs, ys = self._clip(values, low, high)
            if len(xs) == 1:
                plt.scatter(xs, ys, marker="braille", color=color)
            elif xs:
                plt.plot(xs, ys, marker="braille", color=color)
        finite = [v for v in test if math.isfinite(v)]
        if not finite:
            return []
        y = self._y([finite[-1]])[0]
        if not math.isfinite(y):
            return []
        arrow = "↑" if y > high else "↓" if y < low else ""  # the end is off the axis
        return [(min(max(y, low), high), arrow + compact(finite[-1]), rgb)]

    def _draw_band(self, plt, series, rgb, low, high) -> None:
        """The min–max band over seeds: dots filling the space between the two edges."""
        bottom, top = band(series)
        if not bottom:
            return
        rows = max(self.size.height - 4, 2) * 4  # braille dots up the plot
        step_y = (high - low) / rows
        edges = []
        for e in thin(len(bottom), self._columns):
            lo, hi = self._y([bottom[e], top[e]])
            if math.isfinite(lo) and math.isfinite(hi) and hi >= lo:
                edges.append((e + 1, max(lo, low), min(hi, high)))
        dots = sum(max(hi - lo, 0) for _, lo, hi in edges) / step_y
        step_y *= max(1.0, dots / BAND_DOTS)  # a sparser shade rather than a slow plot
        xs, ys = [], []
        for epoch, lo, hi in edges:
            for k in range(int((hi - lo) / step_y) + 1):
                xs.append(epoch)
                ys.append(lo + k * step_y)
        if xs:
            plt.scatter(xs, ys, marker="braille", color=rgb)

    def _draw_labels(self, plt, labels, low, high, longest) -> None:
        """Each line's last test value just right of its end, nudged apart to stay legible."""
        rows = max(self.size.height - 4, 2)
        gap = (high - low) / rows  # one text row, in axis units
        placed: list[float] = []
        back = self.background_colors[1]  # plotext would paint the label on white
        for y, text, rgb in sorted(labels, key=lambda label: label[0]):
            while any(abs(y - other) < gap for other in placed):
                y += gap
            placed.append(y)
            plt.text(text, longest + self._label_room(longest) * 0.15, min(y, high), color=rgb,
                     background=(back.r, back.g, back.b), alignment="left")

    def _label_room(self, longest: int) -> float:
        """Epochs of space right of the lines for the end labels (about eight characters)."""
        width = max(self.size.width - 10, 10)
        return max(longest - 1, 1) * 8 / max(width - 8, 1) + 1

    def _axes(self, plt, low, high, longest) -> None:
        plt.xlim(1, longest + self._label_room(longest))
        plt.ylim(low, high)
        ticks = nice_ticks(low, high, count=max(2, min(5, (self.size.height - 4) // 3)))
        if self.log_scale:
            plt.yticks(ticks, [compact(10 ** t, 2) for t in ticks])
        else:
            plt.yticks(ticks, [tick(t, high - low) for t in ticks])
        plt.xticks(epoch_ticks(longest))
        plt.title(self.title + (", log scale" if self.log_scale else ""))
        plt.xlabel("epoch")


def run_line(run: RunView, key: str) -> Line:
    """A run's curves of ``key`` (``loss`` or its metric), train and test, every seed."""
    return Line(run.label, run.all_series(key), run.all_series("val_" + key), run.trouble)


class Curves(CurvesPlot):
    """The main screen's curves: the loss or the metric of the runs the board shows."""

    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)
    which: reactive[str] = reactive("metric", init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runs: list[RunView] = []
        self._dirty = False
        self.live: StudyCurves | None = None  # a study's runs, shown while it trains

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(PLOT_INTERVAL, self._flush)
        self.set_runs([])

    def watch_board(self, board: RunBoard | None) -> None:
        if board is None:
            return
        shown = board.shown_runs()
        if self.live is not None:
            self.runs = shown  # drawn when the study's view ends
        elif board.last.kind == "epoch" and shown == self.runs:
            self._dirty = True  # the same runs, one epoch longer: the timer draws it
        else:
            self.set_runs(shown)

    def watch_which(self) -> None:
        if self.live is not None:
            self._draw_live(self.live)
        else:
            self.set_runs(self.runs)

    def _flush(self) -> None:
        if not self._dirty:
            return
        if self.live is not None:
            self._draw_live(self.live)
        elif self.board is not None:
            self.set_runs(self.board.shown_runs())

    def show_live(self, live: StudyCurves | None) -> None:
        """A study's runs as they train (drawn by the timer, at most five times a second);
        None: the study ended, back to the board's runs at once."""
        if live is not None and not live.lines and self.live is not None and self.live.lines:
            return  # a new phase with no epoch yet: the last phase's lines stay till it has one
        self.live = live
        if live is not None:
            self._dirty = True
        else:
            self.set_runs(self.board.shown_runs() if self.board is not None else self.runs)

    def _draw_live(self, live: StudyCurves) -> None:
        self._dirty = False
        lines = []
        for line in live.lines:
            key = "loss" if self.which == "loss" else line.metric
            lines.append(Line(f"{line.loss} ×{line.runs}", [line.series.get(key, [])],
                              [line.series.get("val_" + key, [])]))
        name = "loss" if self.which == "loss" else (
            live.lines[0].metric if live.lines else "metric")
        title = f"median {name} (m: {'metric' if self.which == 'loss' else 'loss'})"
        self.show(lines, title, "its runs have no epoch yet")

    def key(self, run: RunView) -> str:
        return "loss" if self.which == "loss" else run.metric

    def set_runs(self, runs: list[RunView]) -> None:
        self.runs, self._dirty = runs, False
        lines = [run_line(run, self.key(run)) for run in runs]
        name = self.key(runs[0]) if runs else self.which
        title = f"{name} per epoch (m: {'metric' if self.which == 'loss' else 'loss'})"
        self.show(lines, title, "no epochs yet" if runs else "press t to train")

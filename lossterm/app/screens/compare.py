"""``v``: the verdict for the selected problem — a study's, or its multi-seed runs'.

Top to bottom: the verdict line, the protocol that earned it, the ranked table
(chosen learning rate, mean ± sd, 95% CI, Holm-adjusted p against the best,
the tied-for-best mark), then one plot: the isolation view (each loss's
validation score against the learning rate, chosen rates marked) or the final
runs' curves (mean line, min–max band). ``p`` switches the plot, ``m`` shows
the metric matrix instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from lossterm.analysis.stats import IDENTICAL, SIGN_TEST
from lossterm.analysis.verdict import p_value
from lossterm.app import keys
from lossterm.app.compare import CompareView
from lossterm.app.state import _short_name
from lossterm.app.widgets.curves import RUN_COLORS, RUN_RGB, CurvesPlot, Line, mean_curve
from lossterm.app.widgets.footer import KeyFooter
from lossterm.app.widgets.too_small import TooSmall
from lossterm.core.metric import is_share

SHORT_METRICS = {"accuracy": "acc", "balanced_accuracy": "bal acc", "macro_f1": "macro f1",
                 "roc_auc": "auc", "log_loss": "log loss", "median_absolute_error": "med ae"}
COLORS = RUN_RGB  # the plots' line colours; RUN_COLORS the same for the table's marks
# the robustness plot's marker per loss (with its colour): losses tied at a rate share a
# point, and a shape tells them apart where colours are close
MARKERS = "●■▲◆✚✖▼◀▶"
PLOT_ROWS = 9  # rows: the least a plot gets (five rows of curves); at 80x24 a sweep's
# verdict (four rates), its nine losses' rows and such a plot fill the screen
ROOMY = 12  # rows: a plot this tall or taller has a line for its x axis's label


def short(loss: str) -> str:
    """The catalogue's short name (bce, focal, ...), so the tables fit 80 columns."""

    return _short_name(loss)


def figure(metric: str, value: float | None) -> str:
    """A metric value as a person reads it: accuracy as 0.846, MSE as 0.0123 or 1.2e+33."""
    if value is None or not math.isfinite(value):
        return "—"
    if is_share(metric):
        return f"{value:.3f}"
    return f"{value:.3f}" if 1e-2 <= abs(value) < 1e4 or value == 0 else f"{value:.2e}"


def p_text(p: float | None, test: str = "t") -> str:
    """The table's p cell: the verdict's own format (:func:`lossterm.analysis.verdict.p_value`);
    "identical" for a loss identical to the best on every seed, "(sign)" after an exact
    sign test's p (the same difference on every seed)."""
    if p is None:
        return "best"
    if test == IDENTICAL:
        return "identical"
    return p_value(p) + (" (sign)" if test == SIGN_TEST else "")


class ComparePlot(PlotextPlot):
    """The isolation view of a :class:`CompareView` (validation score against rate), or
    with a noise sweep its robustness curves (clean-test score against noise rate)."""

    def __init__(self, view: CompareView, mode: str = "isolation", **kwargs):
        super().__init__(**kwargs)
        self.view = view
        self.mode = mode

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()  # the x axis's label comes and goes with the height

    def show(self, mode: str) -> None:
        self.mode = mode
        self.draw()

    def draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if self.mode == "robustness":
            self._robustness(plt, self.view)
        else:
            self._isolation(plt, self.view)
        self.refresh()

    def _robustness(self, plt, view: CompareView) -> None:
        """Each loss's clean-test mean against the noise rate, its own marker at each rate
        (the 95% CIs are in the table's report, not drawn: with many losses they hide the
        lines). Every line is drawn before any marker, so no later line paints over one, and
        the markers from the table's last row up, so a shared cell shows the higher-ranked."""
        marks = []
        order = loss_order(view)
        for loss, points in view.robustness.items():
            good = [p for p in points if math.isfinite(p[1])]
            if not good:
                continue
            i = order.index(loss)
            color = COLORS[i % len(COLORS)]
            xs, ys = [p[0] for p in good], [p[1] for p in good]
            plt.plot(xs, ys, marker="braille", color=color)
            marks.append((i, xs, ys, MARKERS[i % len(MARKERS)], color))
        # the table's last row first: where markers share a cell, the higher-ranked shows
        for _, xs, ys, marker, color in sorted(marks, key=lambda mark: -mark[0]):
            plt.scatter(xs, ys, marker=marker, color=color)
        rates = sorted({p[0] for points in view.robustness.values() for p in points})
        if rates:
            plt.xticks(rates, [f"{r:g}" for r in rates])
            pad = (rates[-1] - rates[0]) * 0.04 or 0.05  # the end markers inside the frame
            plt.xlim(rates[0] - pad, rates[-1] + pad)
        plt.title(f"clean test {view.metric} against {view.noise_kind} label noise")
        if self.size.height >= ROOMY:
            plt.xlabel("share of training and validation labels flipped")

    def _isolation(self, plt, view: CompareView) -> None:
        marks = []
        order = loss_order(view)
        for loss, points in view.isolation.items():
            xs = [math.log10(lr) for lr, s in points if s is not None and math.isfinite(s)]
            ys = [s for lr, s in points if s is not None and math.isfinite(s)]
            if not xs:
                continue
            color = COLORS[order.index(loss) % len(COLORS)]
            plt.plot(xs, ys, marker="braille", color=color)
            chosen = view.chosen.get(loss)
            if chosen is not None:
                score = dict(points).get(chosen)
                if score is not None:
                    marks.append((math.log10(chosen), score, color))
        for x, y, color in marks:  # after every line, so no line hides a chosen point
            plt.scatter([x], [y], marker="●", color=color)
        _log_if_wide(plt, [s for points in view.isolation.values() for _, s in points], view)
        if self.size.height >= ROOMY:
            plt.title(f"validation {view.metric} against learning rate (● chosen)")
            plt.xlabel("log10 learning rate")
        else:  # one line for both: a row more for the curves
            plt.title(f"validation {view.metric} against log10 learning rate (● chosen)")


def mean_lines(view: CompareView) -> list[Line]:
    """The final runs' curves as one mean line per loss, no train line and no min–max band:
    six losses' bands over ten seeds covered each other's lines (two of six colours
    showed); the spread over seeds is the table's ± sd."""
    # in the table's order, as CurvesPlot colours a line by its place (a loss without final
    # runs keeps its place with an empty line)
    return [Line(short(loss), [], [mean_curve(view.series[loss][1]) if loss in view.series
                                    else [math.nan]]) for loss in loss_order(view)]


def loss_order(view: CompareView) -> list[str]:
    """The losses in the table's order: a loss's colour and marker in every plot are its place
    here, so the table is the legend."""
    ranked = ([row[1] for row in view.rates_table[1:]] if view.rates_table else
              [r.loss for r in view.rows])
    return list(dict.fromkeys([*ranked, *view.robustness, *view.isolation, *view.series]))


def _log_if_wide(plt, values, view: CompareView) -> None:
    """A log y axis for an error metric whose values span over two decades (one loss far
    behind would otherwise flatten the others into the bottom row)."""
    good = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if not is_share(view.metric) and good and max(good) / min(good) > 100:
        plt.yscale("log")


def matrix_table(view: CompareView) -> Table:
    names = list(dict.fromkeys(k for row in view.matrix.values() for k in row))
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("loss", no_wrap=True)
    for name in names:
        table.add_column(SHORT_METRICS.get(name, name.replace("_", " ")), justify="right",
                         no_wrap=True)
    ranked = [r.loss for r in view.rows] + [k for k in view.matrix if k not in
                                           {r.loss for r in view.rows}]
    for loss in ranked:
        row = view.matrix.get(loss, {})
        table.add_row(short(loss), *(figure(n, row.get(n)) for n in names))
    return table


class CompareScreen(Screen[None]):
    BINDINGS = [
        # q is Back here, not Quit: the footer says so
        Binding("q", "dismiss", "Back", key_display="q/esc", tooltip="back to the main screen"),
        Binding("escape,v", "dismiss", "Back", show=False),
        Binding("p", "switch_plot", "Plot", tooltip="isolation view / final curves"),
        Binding("m", "matrix", "Metrics", tooltip="every metric of the kind, per loss"),
        Binding("x", "export", "Export", tooltip="write this verdict as the Markdown and JSON "
                "reports --headless writes, in the folder lossterm started in"),
    ]

    def __init__(self, view: CompareView, export: Callable[[], None] | None = None):
        super().__init__()
        self.view = view
        self.export = export  # writes this verdict's reports (the App's export_verdict)
        # what p cycles through: the robustness curves (a noise sweep), the isolation
        # view (a study), the final runs' curves (always)
        self.plots = (["robustness"] if view.robustness else []) + (
            ["isolation"] if view.isolation else []) + ["curves"]
        self.plot = self.plots[0]
        self.order = loss_order(view)

    def compose(self) -> ComposeResult:
        """One column that scrolls as a whole, so nothing is out of reach at 80x24: the
        verdict, a study's protocol (two lines), the table with every loss's row (never
        capped), the plot (the rest of the height, at least a readable ``min-height``),
        its legend; then a sweep's long protocol and the warnings."""
        view = self.view
        protocol = Static(Text("\n".join(view.protocol), style="dim"), id="compare-protocol")
        with VerticalScroll(id="compare"):
            yield Static(Text(view.verdict, style="bold"), id="compare-verdict")
            if not view.robustness:
                yield protocol
            yield DataTable(id="compare-table", cursor_type="none", zebra_stripes=True)
            yield ComparePlot(view, self.plots[0] if self.plots[0] != "curves" else
                              "isolation", id="compare-plot")
            yield CurvesPlot(id="compare-curves")
            yield Static(id="compare-matrix")
            if view.robustness:  # the verdict lines per rate, table and plot come first
                yield protocol
            if view.warnings:
                yield Static(Text("\n".join(dict.fromkeys(view.warnings)), style="yellow"),
                             id="compare-warnings")
        yield KeyFooter(keys.WIDE_ONLY)
        yield TooSmall()

    def on_mount(self) -> None:
        view = self.view
        table = self.query_one(DataTable)
        if view.rates_table:  # without its "#": the loss column's header says the order,
            header, *rows = view.rates_table  # and four rates then fit 80 columns
            table.add_columns(*header[1:])
            for row in rows:
                table.add_row(self._loss_cell(row[1]), *row[2:])
        else:
            self._ranked_table(table)
        matrix = self.query_one("#compare-matrix", Static)
        matrix.display = False
        self._show(self.plot)
        self.call_after_refresh(self._fit_plot)
        if view.matrix:
            reasons: dict[str, list[str]] = {}
            for name, why in view.not_applicable.items():
                reasons.setdefault(why, []).append(SHORT_METRICS.get(name, name))
            notes = "".join(f"\n— {', '.join(names)}: {why}" for why, names in reasons.items())
            matrix.update(_matrix_renderable(view, notes))

    def _ranked_table(self, table: DataTable) -> None:
        view = self.view
        table.add_columns("#", "loss", "lr", f"{SHORT_METRICS.get(view.metric, view.metric)} "
                          "mean ± sd", "95% CI", "p Holm", "tied")
        for row in view.rows:
            ci = f"{figure(view.metric, row.ci[0])}–{figure(view.metric, row.ci[1])}"
            lr = "—" if row.learning_rate is None else f"{row.learning_rate:.3g}"
            sd = "" if not math.isfinite(row.sd) else f" ± {figure(view.metric, row.sd)}"
            sd += " bimodal" if row.bimodal else ""
            lost = f" ({row.lost} lost)" if row.lost else ""
            table.add_row(str(row.rank), self._loss_cell(row.loss, lost), lr,
                          figure(view.metric, row.mean) + sd, ci, p_text(row.p_holm, row.test),
                          "★" if row.tied else "")

    def _loss_cell(self, loss: str, after: str = "") -> Text:
        """A loss's cell in the table: its plot colour and marker before its short name, so
        the table is the plots' legend (a separate one wrapped to two rows at 80x24)."""
        index = self.order.index(loss) if loss in self.order else 0
        mark = MARKERS[index % len(MARKERS)] if self.view.robustness else "■"
        return Text.assemble((mark + " ", RUN_COLORS[index % len(RUN_COLORS)]), short(loss) + after)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_plot)

    def _fit_plot(self) -> None:
        """The plots take the height that what is above them (verdict, a study's protocol,
        the table) leaves on screen, at least ``PLOT_ROWS``; what follows (a sweep's
        protocol, the warnings) is below them, a scroll away — never the plot's room."""
        column = self.query_one("#compare")
        above = 0
        for child in column.children:
            if child.id in ("compare-plot", "compare-curves"):
                break
            if child.display:
                above += child.outer_size.height
        rows = max(PLOT_ROWS, column.scrollable_content_region.height - above)
        for name in ("#compare-plot", "#compare-curves"):
            self.query_one(name).styles.height = rows

    def _show(self, plot: str) -> None:
        """One plot: the final runs' curves (mean line, min–max band), the isolation view
        or the robustness curves."""
        view = self.view
        self.plot = plot
        on = plot == "curves"
        curves = self.query_one("#compare-curves", CurvesPlot)
        chart = self.query_one(ComparePlot)
        chart.display = not on
        curves.display = on
        if not on and chart.mode != plot:
            chart.show(plot)
        if on:
            curves.show(mean_lines(view), f"{view.curve_split} {view.metric} of the final runs: "
                        "mean over seeds, last value at the end")

    def action_switch_plot(self) -> None:
        matrix = self.query_one("#compare-matrix")
        if matrix.display:  # back from the matrix to the plot it covered
            matrix.display = False
            self._show(self.plot)
            return
        self._show(self.plots[(self.plots.index(self.plot) + 1) % len(self.plots)])

    def action_export(self) -> None:
        if self.export is None:
            self.notify("this view cannot be exported", severity="warning")
            return
        self.export()

    def action_matrix(self) -> None:
        if not self.view.matrix:
            self.notify("the metric matrix comes with a study (S)", timeout=4)
            return
        matrix = self.query_one("#compare-matrix")
        if matrix.display:
            matrix.display = False
            self._show(self.plot)
            return
        matrix.display = True
        for name in ("#compare-plot", "#compare-curves"):
            self.query_one(name).display = False


def _matrix_renderable(view: CompareView, notes: str):
    from rich.console import Group

    return Group(matrix_table(view), Text(notes.strip(), style="dim"))

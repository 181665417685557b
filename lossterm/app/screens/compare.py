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
from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from lossterm.analysis.stats import IDENTICAL, SIGN_TEST
from lossterm.analysis.verdict import p_value
from lossterm.app.compare import CompareView
from lossterm.app.state import _short_name
from lossterm.app.widgets.curves import RUN_COLORS, RUN_RGB, CurvesPlot, Line
from lossterm.core.metric import is_share

SHORT_METRICS = {"accuracy": "acc", "balanced_accuracy": "bal acc", "macro_f1": "macro f1",
                 "roc_auc": "auc", "log_loss": "log loss", "median_absolute_error": "med ae"}
COLORS = RUN_RGB  # the plots' line colours; RUN_COLORS the same for the legend


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
        """Each loss's clean-test mean against the noise rate, ● at each rate (the 95% CIs
        are in the table's report, not drawn: with many losses they hide the lines)."""
        for i, (_loss, points) in enumerate(view.robustness.items()):
            good = [p for p in points if math.isfinite(p[1])]
            if not good:
                continue
            color = COLORS[i % len(COLORS)]
            xs, ys = [p[0] for p in good], [p[1] for p in good]
            plt.plot(xs, ys, marker="braille", color=color)
            plt.scatter(xs, ys, marker="●", color=color)
        rates = sorted({p[0] for points in view.robustness.values() for p in points})
        if rates:
            plt.xticks(rates, [f"{r:g}" for r in rates])
        plt.title(f"clean test {view.metric} against {view.noise_kind} label noise")
        plt.xlabel("share of training and validation labels flipped")

    def _isolation(self, plt, view: CompareView) -> None:
        marks = []
        for i, (loss, points) in enumerate(view.isolation.items()):
            xs = [math.log10(lr) for lr, s in points if s is not None and math.isfinite(s)]
            ys = [s for lr, s in points if s is not None and math.isfinite(s)]
            if not xs:
                continue
            color = COLORS[i % len(COLORS)]
            plt.plot(xs, ys, marker="braille", color=color)
            chosen = view.chosen.get(loss)
            if chosen is not None:
                score = dict(points).get(chosen)
                if score is not None:
                    marks.append((math.log10(chosen), score, color))
        for x, y, color in marks:  # after every line, so no line hides a chosen point
            plt.scatter([x], [y], marker="●", color=color)
        _log_if_wide(plt, [s for points in view.isolation.values() for _, s in points], view)
        plt.title(f"validation {view.metric} against learning rate (● chosen)")
        plt.xlabel("log10 learning rate")


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
    ]

    def __init__(self, view: CompareView):
        super().__init__()
        self.view = view
        # what p cycles through: the robustness curves (a noise sweep), the isolation
        # view (a study), the final runs' curves (always)
        self.plots = (["robustness"] if view.robustness else []) + (
            ["isolation"] if view.isolation else []) + ["curves"]
        self.plot = self.plots[0]

    def compose(self) -> ComposeResult:
        view = self.view
        with Vertical(id="compare"):
            with VerticalScroll(id="compare-head"):
                yield Static(Text(view.verdict, style="bold"), id="compare-verdict")
                yield Static(Text("\n".join(view.protocol), style="dim"),
                             id="compare-protocol")
                if view.warnings:
                    yield Static(Text("\n".join(dict.fromkeys(view.warnings)),
                                      style="yellow"), id="compare-warnings")
            yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
            yield ComparePlot(view, self.plots[0] if self.plots[0] != "curves" else
                              "isolation", id="compare-plot")
            yield CurvesPlot(id="compare-curves")
            yield Static(id="compare-legend")
            yield Static(id="compare-matrix")
        yield Footer()

    def on_mount(self) -> None:
        view = self.view
        table = self.query_one(DataTable)
        if view.rates_table:
            header, *rows = view.rates_table
            table.add_columns(*header)
            for row in rows:
                table.add_row(row[0], short(row[1]), *row[2:])
        else:
            self._ranked_table(table)
        matrix = self.query_one("#compare-matrix", Static)
        matrix.display = False
        self._show(self.plot)
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
            table.add_row(str(row.rank), short(row.loss) + lost, lr,
                          figure(view.metric, row.mean) + sd, ci, p_text(row.p_holm, row.test),
                          "★" if row.tied else "")

    def _show(self, plot: str) -> None:
        """One plot: the final runs' curves (mean line, min–max band), the isolation view
        or the robustness curves."""
        view = self.view
        self.plot = plot
        on = plot == "curves"
        curves, legend = self.query_one("#compare-curves", CurvesPlot), self.query_one(
            "#compare-legend", Static)
        chart = self.query_one(ComparePlot)
        chart.display = not on
        curves.display = on
        legend.display = True
        if not on and chart.mode != plot:
            chart.show(plot)
        if on:
            lines = [Line(short(loss), train, test) for loss, (train, test) in view.series.items()]
            curves.show(lines, f"{view.curve_split} {view.metric} of the final runs (train dim)")
        plots: dict[str, Mapping[str, object]] = {
            "curves": view.series, "isolation": view.isolation, "robustness": view.robustness}
        drawn = plots[plot]
        legend.update(Text.assemble(*(
            (f"■ {short(loss)}  ", RUN_COLORS[i % len(RUN_COLORS)])
            for i, loss in enumerate(drawn))))

    def action_switch_plot(self) -> None:
        matrix = self.query_one("#compare-matrix")
        if matrix.display:  # back from the matrix to the plot it covered
            matrix.display = False
            self._show(self.plot)
            return
        self._show(self.plots[(self.plots.index(self.plot) + 1) % len(self.plots)])

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
        for name in ("#compare-plot", "#compare-curves", "#compare-legend"):
            self.query_one(name).display = False


def _matrix_renderable(view: CompareView, notes: str):
    from rich.console import Group

    return Group(matrix_table(view), Text(notes.strip(), style="dim"))

"""Robustness-curve reports: the protocol block, the table of each loss's clean-test metric
at each noise rate, a text plot of the curves, each point's verdict, as text (Rich),
Markdown and JSON, from :class:`lossterm.analysis.study.noise.NoiseSweep` values."""

from __future__ import annotations

import io
import json
import math

from lossterm.analysis.study.sweep_result import NoiseSweep, SeriesPoint, SweepPoint
from lossterm.core.metric import get_metric
from lossterm.core.types import Format
from lossterm.data.perturb import NOISE_DEFINITIONS
from lossterm.report.study import _md_table, _table
from lossterm.report.study_data import study_to_dict
from lossterm.report.summary import analyse, comparisons_json

MARKERS = "ox+*#@%&=~"  # one per loss in the plot, in the request's order
PLOT_SIZE = (72, 18)  # columns, rows of the text plot


def render_noise_sweep(sweeps: list[NoiseSweep], fmt: str = "text", *, width: int = 160,
                       header: str = "") -> str:
    if fmt == Format.JSON:
        return sweep_json(sweeps, header=header)
    if fmt == Format.MARKDOWN:
        return sweep_markdown(sweeps, header=header)
    return sweep_text(sweeps, width=width, header=header)

# --- figures -------------------------------------------------------------------------------


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def figure(sweep: NoiseSweep, v: float | None) -> str:
    """Shares (accuracy, F1, ...) with 3 decimals, other metrics with 4 significant digits."""
    if not _finite(v):
        return "—"
    return get_metric(sweep.metric).text(v)


def cell(sweep: NoiseSweep, p: SeriesPoint, tied: bool) -> str:
    if p.n == 0:
        return "—"
    text = figure(sweep, p.mean) + ("" if math.isnan(p.sd) else f" ± {figure(sweep, p.sd)}")
    return text + (" *" if tied else "")


def title(sweep: NoiseSweep) -> str:
    how = ("each point a fair study: learning rate tuned per loss and per rate on noisy "
           "validation rows" if sweep.tuned else
           "each point the untuned comparison, --no-tune: one learning rate, nothing tuned")
    return (f"robustness of {sweep.problem} to {sweep.noise_kind} label noise: clean-test "
            f"{sweep.metric} at each noise rate ({how})")


def rate_label(rate: float) -> str:
    return f"noise {rate:g}"

# --- rows ----------------------------------------------------------------------------------


def curve_columns(sweep: NoiseSweep) -> tuple[str, ...]:
    return ("loss", *(rate_label(p.rate) for p in sweep.points))


def curve_rows(sweep: NoiseSweep) -> list[tuple[str, ...]]:
    """Per loss, mean ± sd of the clean-test metric at each rate; * = tied for best there."""
    tied = [set(p.tied_for_best()) for p in sweep.points]
    return [(s.loss, *(cell(sweep, p, s.loss in t) for p, t in zip(s.points, tied)))
            for s in sweep.series()]


def ci_rows(sweep: NoiseSweep) -> list[tuple[str, ...]]:
    """Per loss, the 95% t-interval of the mean at each rate."""
    def ci(p: SeriesPoint) -> str:
        if not _finite(p.ci_low):
            return "—"
        return f"{figure(sweep, p.ci_low)}–{figure(sweep, p.ci_high)}"

    return [(s.loss, *(ci(p) for p in s.points)) for s in sweep.series()]


def rate_rows(sweep: NoiseSweep) -> list[tuple[str, ...]]:
    """Per loss, the learning rate its study chose at each noise rate (tuned sweeps)."""
    chosen = [p.chosen_learning_rates() for p in sweep.points]
    return [(loss, *("—" if c.get(loss) is None else f"{c[loss]:.3g}" for c in chosen))
            for loss in sweep.losses]


def verdict_lines(sweep: NoiseSweep) -> list[str]:
    return [f"at {rate_label(p.rate)}: {line}" for p in sweep.points for line in p.verdict_lines]


def warning_lines(sweep: NoiseSweep) -> list[str]:
    """The sweep's own warnings (rates that make labels unlearnable), then each point's
    study warnings (a best learning rate at the grid's edge), each once."""
    lines = list(sweep.warnings)
    for p in sweep.points:
        if p.study is not None:
            lines += [f"at {rate_label(p.rate)}: {w}" for w in p.study.warnings]
    if sweep.stopped:
        lines.append(f"stopped: {len(sweep.points)} of {len(sweep.rates)} rates ran; the "
                     "curves end at the last rate done")
    return list(dict.fromkeys(lines))


def legend(sweep: NoiseSweep) -> str:
    return "  ".join(f"{MARKERS[i % len(MARKERS)]} {loss}" for i, loss in enumerate(sweep.losses))


def text_plot(sweep: NoiseSweep, size: tuple[int, int] = PLOT_SIZE) -> str:
    """The curves as plain text (plotext, no colour): the metric against the noise rate, one
    line per loss drawn with its marker (the first loss last, so it stays on top)."""
    import plotext as plt

    series = [s for s in sweep.series() if any(p.n for p in s.points)]
    if not series or not sweep.points:
        return ""
    plt.clear_figure()
    plt.plotsize(*size)
    plt.theme("clear")
    for i, s in reversed(list(enumerate(sweep.series()))):
        done = [p for p in s.points if p.n]
        if done:
            plt.plot([p.rate for p in done], [p.mean for p in done],
                     marker=MARKERS[i % len(MARKERS)])
    rates = [p.rate for p in sweep.points]
    plt.xticks(rates, [f"{r:g}" for r in rates])
    plt.xlabel(f"{sweep.noise_kind} label-noise rate")
    plt.ylabel(f"test {sweep.metric}")
    text = plt.uncolorize(plt.build())
    plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.splitlines())

# --- text ----------------------------------------------------------------------------------


def sweep_text(sweeps: list[NoiseSweep], *, width: int = 160, header: str = "") -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, soft_wrap=False)

    def say(line: str) -> None:
        console.print(line, highlight=False, markup=False, soft_wrap=True)

    from rich.table import Table

    if header:
        say(header)
    for sweep in sweeps:
        say("")
        say(title(sweep))
        say("protocol:")
        for line in sweep.protocol_lines():
            say(f"  {line}")
        console.print(_table(Table, curve_columns(sweep), curve_rows(sweep),
                             f"clean-test {sweep.metric}, mean ± sd over seeds "
                             "(* = tied for best at that rate)"))
        console.print(_table(Table, curve_columns(sweep), ci_rows(sweep),
                             f"clean-test {sweep.metric}, 95% CI of the mean"))
        if sweep.tuned:
            console.print(_table(Table, curve_columns(sweep), rate_rows(sweep),
                                 "learning rate each study chose (on noisy validation)"))
        plot = text_plot(sweep)
        if plot:
            say(f"clean-test {sweep.metric} against the noise rate: {legend(sweep)}")
            say(plot)
        for line in verdict_lines(sweep):
            say(f"verdict {line}")
        for line in warning_lines(sweep):
            say(f"warning: {line}")
    return buffer.getvalue()

# --- Markdown ------------------------------------------------------------------------------


def sweep_markdown(sweeps: list[NoiseSweep], header: str = "") -> str:
    out = [f"# {header}", ""] if header else []
    for sweep in sweeps:
        out += [f"## Robustness of {sweep.problem} to {sweep.noise_kind} label noise", "",
                f"{title(sweep)}.", "", "**Protocol**", ""]
        out += [f"- {line}" for line in sweep.protocol_lines()]
        out += ["", (f"**Clean-test {sweep.metric}**, mean ± sd over seeds (* = tied for best "
                     "at that rate)"), "", *_md_table(curve_columns(sweep), curve_rows(sweep)),
                "", "**95% CI of the mean**", "",
                *_md_table(curve_columns(sweep), ci_rows(sweep))]
        if sweep.tuned:
            out += ["", "**Learning rate each study chose** (on noisy validation)", "",
                    *_md_table(curve_columns(sweep), rate_rows(sweep))]
        plot = text_plot(sweep)
        if plot:
            out += ["", f"Clean-test {sweep.metric} against the noise rate: {legend(sweep)}",
                    "", "```text", plot, "```"]
        out += [""] + [f"- **verdict** {line}" for line in verdict_lines(sweep)]
        out += [f"- **warning:** {line}" for line in warning_lines(sweep)]
        out.append("")
    return "\n".join(out)

# --- JSON ----------------------------------------------------------------------------------


def _num(x):
    return x if _finite(x) else None


def series_json(sweep: NoiseSweep) -> list[dict]:
    """Per loss, parallel lists over the rates done: what a plot needs."""
    return [{"loss": s.loss, "rates": s.rates, "mean": [_num(p.mean) for p in s.points],
             "sd": [_num(p.sd) for p in s.points],
             "ci": [[_num(p.ci_low), _num(p.ci_high)] for p in s.points],
             "n": [p.n for p in s.points]} for s in sweep.series()]


def protocol_json(sweep: NoiseSweep) -> dict:
    p = sweep.protocol
    out = {"tuned": sweep.tuned, "noise_kind": sweep.noise_kind,
           "noise_definition": NOISE_DEFINITIONS[sweep.noise_kind], "rates": list(sweep.rates),
           "data_seed": sweep.data_seed, "seeds": sweep.seeds, "metric": sweep.metric,
           "higher_is_better": sweep.higher, "rows": dict(sweep.rows),
           "test": ("clean: never perturbed; read once per final model, after training"
                    if sweep.tuned else "clean: never perturbed; scored each epoch for the "
                    "curves, nothing chosen on it (the last epoch's weights are kept)"),
           "runs": sum(_runs(pt) for pt in sweep.points),
           "seconds": round(sweep.seconds, 3), "lines": sweep.protocol_lines()}
    if sweep.tuned:
        grids = [list(pt.study.grid) for pt in sweep.points if pt.study is not None]
        out.update({"tuning_seeds": sweep.tuning_seeds, "tune_seeds": p.tune_seeds,
                    "validation_share": p.validation_share, "checkpoint": p.checkpoint,
                    "learning_rate_grid": grids[0] if grids else None,
                    "validation": "carved from the noisy training rows: as noisy as training"})
    else:
        out.update({"learning_rates": list(sweep.learning_rates), "checkpoint": "last",
                    "validation": None})
    return out


def _runs(point: SweepPoint) -> int:
    return sum(point.study.runs.values()) if point.study is not None else len(point.results)


def point_json(point: SweepPoint) -> dict:
    out = {"rate": point.rate, "problem": point.problem, "flipped": point.flipped,
           "training_rows": point.training_rows, "tuned": point.tuned,
           "verdict": point.verdict_lines, "tied_for_best": point.tied_for_best(),
           "test_by_seed": {loss: {str(seed): _num(v) for seed, v in sorted(scores.items())}
                            for loss, scores in point.scores().items()},
           "seconds": round(point.seconds, 3)}
    if point.study is not None:
        out["chosen_learning_rates"] = point.chosen_learning_rates()
        out["study"] = study_to_dict(point.study)
    else:
        out["comparisons"] = comparisons_json(analyse(point.results))
    return out


def sweep_to_dict(sweep: NoiseSweep) -> dict:
    return {"problem": sweep.problem, "kind": sweep.kind, "n_classes": sweep.n_classes,
            "noise_kind": sweep.noise_kind, "rates": list(sweep.rates), "tuned": sweep.tuned,
            "metric": sweep.metric, "losses": list(sweep.losses),
            "protocol": protocol_json(sweep), "series": series_json(sweep),
            "points": [point_json(p) for p in sweep.points],
            "warnings": warning_lines(sweep), "stopped": sweep.stopped}


def sweep_json(sweeps: list[NoiseSweep], header: str = "") -> str:
    payload: dict[str, object] = {"noise_sweeps": [sweep_to_dict(s) for s in sweeps]}
    if header:
        payload["header"] = header
    return json.dumps(payload, indent=2) + "\n"


__all__ = ["render_noise_sweep", "series_json", "sweep_to_dict", "text_plot"]

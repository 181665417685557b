"""Render results as text (Rich), Markdown or JSON."""

from __future__ import annotations

import io
import json
import math

from lossterm.analysis.seed_groups import SeedGroup
from lossterm.analysis.stats import interval_words
from lossterm.core.types import Format
from lossterm.report.rows import COLUMNS, figure_lines, remarks, row
from lossterm.report.seed_table import (
    GROUPS_TITLE,
    group_columns,
    group_notes,
    group_rows,
    groups_json,
    worth_a_table,
)
from lossterm.report.summary import (
    SUMMARY_COLUMNS,
    Analysis,
    analyse,
    comparisons_json,
    pair_tables,
    summaries_json,
    summary_row,
    verdict_lines,
    verdict_notes,
)
from lossterm.report.verdict import PAIR_COLUMNS
from lossterm.training.records import RunResult

FORMATS = tuple(Format)


def render(results: list[RunResult], fmt: str = "text", *, width: int = 160,
           color: bool = False, header: str = "", groups: list[SeedGroup] | None = None) -> str:
    """``groups``: the history's seed groups (``lossterm report``), shown after the runs'
    own tables, and in JSON as ``"groups"``; None where there are none to show."""
    analysis = analyse(results)  # grouping, ranking and paired tests: once per report
    if fmt == Format.JSON:
        return to_json(results, analysis, header=header, groups=groups)
    if fmt == Format.MARKDOWN:
        return to_markdown(results, analysis, header=header, groups=groups)
    return to_text(results, analysis, width=width, color=color, header=header, groups=groups)


def _shown_groups(groups: list[SeedGroup] | None) -> list[SeedGroup]:
    return groups if groups and worth_a_table(groups) else []


def _table_content(results, analysis: Analysis):
    """Columns, rows and right-aligned columns: every run, or summaries over seeds."""
    if analysis.repeated:
        return (SUMMARY_COLUMNS, [summary_row(rank, arm) for rank, arm in analysis.order],
                ("seeds", "diverged", "Train mean ± std", "Test mean ± std"))
    return COLUMNS, [row(r) for r in results], ("Train", "Test", "epochs", "seconds")


def _pair_tables(analysis: Analysis):
    """The verdict's pairs, with seeds to pair (one seed per loss has nothing to test)."""
    return pair_tables(analysis.comparisons) if analysis.repeated else []


def _closing_lines(results, analysis: Analysis) -> list[str]:
    """Verdicts over seeds, or a hint that one seed cannot support one."""
    if analysis.repeated:
        return verdict_lines(analysis.comparisons)
    if len({r.loss for r in results}) > 1:
        return ["one seed per loss: differences may be noise; --seeds 10 adds confidence "
                "intervals and paired tests"]
    return []


def _notes(results, analysis: Analysis) -> list[str]:
    """The runs' notes, after how the intervals were made and the verdicts' own notes
    (losses whose seeds fall in two groups)."""
    if not analysis.repeated:
        return remarks(results)[1]
    metrics = dict.fromkeys(arm.metric for _, arm in analysis.order)
    return ([f"Test 95% CI of {m}: {interval_words(m)}" for m in metrics]
            + verdict_notes(analysis.comparisons) + remarks(results)[1])


def to_text(results, analysis: Analysis, *, width: int, color: bool, header: str = "",
            groups: list[SeedGroup] | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    columns, rows, right = _table_content(results, analysis)
    table = Table(*columns, title=header or None, title_justify="left")
    for column in right:
        table.columns[columns.index(column)].justify = "right"
    for cells in rows:
        table.add_row(*cells)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="auto"
                      if color else None, soft_wrap=False)
    console.print(table)
    for title, pair_rows in _pair_tables(analysis):
        pairs = Table(*PAIR_COLUMNS, title=title, title_justify="left")
        for cells in pair_rows:
            pairs.add_row(*cells)
        console.print(pairs)
    if shown := _shown_groups(groups):
        columns = group_columns(shown)
        table = Table(*columns, title=GROUPS_TITLE, title_justify="left")
        for i in range(columns.index("seeds"), len(columns)):
            table.columns[i].justify = "right"
        for cells in group_rows(shown):
            table.add_row(*cells)
        console.print(table)
    for line in _closing_lines(results, analysis):
        console.print(f"[bold]verdict:[/] {line}" if analysis.repeated else line,
                      highlight=False)
    for line in figure_lines(results):
        console.print(f"figures: {line}", highlight=False, markup=False)
    warnings = remarks(results)[0]
    for line in warnings:
        console.print(f"[yellow]warning:[/] {line}", highlight=False)
    for line in _notes(results, analysis) + group_notes(_shown_groups(groups)):
        console.print(f"[dim]note:[/] {line}", highlight=False)
    return buffer.getvalue()


def to_markdown(results, analysis: Analysis, header: str = "",
                groups: list[SeedGroup] | None = None) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    columns, rows, _ = _table_content(results, analysis)
    out = [f"# {header}", ""] if header else []
    out += [line(columns), "|" + "|".join("---" for _ in columns) + "|"]
    out += [line(cells) for cells in rows]
    for title, pair_rows in _pair_tables(analysis):
        out += ["", f"**{title}**", "", line(PAIR_COLUMNS),
                "|" + "|".join("---" for _ in PAIR_COLUMNS) + "|", *map(line, pair_rows)]
    if shown := _shown_groups(groups):
        columns = group_columns(shown)
        out += ["", f"**{GROUPS_TITLE}**", "", line(columns),
                "|" + "|".join("---" for _ in columns) + "|", *map(line, group_rows(shown))]
    closing = _closing_lines(results, analysis)
    warnings = remarks(results)[0]
    notes = _notes(results, analysis) + group_notes(_shown_groups(groups))
    if warnings or notes or closing or figure_lines(results):
        out.append("")
    prefix = "- **verdict:** " if analysis.repeated else "- "
    out += [prefix + v for v in closing]
    out += [f"- figures: {line}" for line in figure_lines(results)]
    out += [f"- **warning:** {w}" for w in warnings]
    out += [f"- note: {n}" for n in notes]
    return "\n".join(out) + "\n"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_to_dict(r: RunResult) -> dict:
    where = {"placement": r.placement} if r.placement else {}  # a cluster's host (device)
    return {
        "problem": r.problem, "loss": r.loss, "kind": r.kind,
        "output_activation": r.output_activation, "output_layer": r.output_layer,
        "target_encoding": r.target_encoding, "metric": r.metric,
        "train_metric": _finite(r.train_metric), "test_metric": _finite(r.test_metric),
        "epochs": r.epochs_run, "epochs_requested": r.epochs, "seed": r.seed,
        "optimizer": str(r.optimizer), "learning_rate": r.learning_rate,
        "seconds": round(r.seconds, 3), "status": r.status, "message": r.message,
        "warnings": list(r.warnings), "notes": list(r.notes),
        "figures": final_figures(r),
        "history": {k: [_finite(v) for v in vs] for k, vs in r.history.items()},
    } | where


def final_figures(r: RunResult) -> dict:
    """The last epoch's figures by split (``train``, ``test``): every metric the logs hold
    (with several targets, ``mse`` is their mean and ``mse[name]`` each one's)."""
    if not r.records:
        return {}
    logs = r.records[-1].logs
    names = [k for k in logs if k != "loss" and not k.startswith("val_")]
    return {"train": {k: _finite(logs[k]) for k in names},
            "test": {k: _finite(logs["val_" + k]) for k in names if "val_" + k in logs}}


def to_json(results, analysis: Analysis, header: str = "",
            groups: list[SeedGroup] | None = None) -> str:
    payload: dict[str, object] = {"runs": [run_to_dict(r) for r in results],
               "summaries": summaries_json(analysis),
               "comparisons": comparisons_json(analysis)}
    if groups is not None:
        payload["groups"] = groups_json(groups)
    if header:
        payload["header"] = header
    return json.dumps(payload, indent=2) + "\n"

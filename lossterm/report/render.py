"""Render results as text (Rich), Markdown or JSON."""

from __future__ import annotations

import io
import json
import math

from lossterm.engine.records import RunResult
from lossterm.report.rows import COLUMNS, remarks, row

FORMATS = ("text", "markdown", "json")


def render(results: list[RunResult], fmt: str = "text", *, width: int = 160,
           color: bool = False, header: str = "") -> str:
    if fmt == "json":
        return to_json(results, header=header)
    if fmt == "markdown":
        return to_markdown(results, header=header)
    return to_text(results, width=width, color=color, header=header)


def to_text(results, *, width: int, color: bool, header: str = "") -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(*COLUMNS, title=header or None, title_justify="left")
    for column in ("Train", "Test", "epochs", "seconds"):
        table.columns[COLUMNS.index(column)].justify = "right"
    for result in results:
        table.add_row(*row(result))
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="auto"
                      if color else None, soft_wrap=False)
    console.print(table)
    warnings, notes = remarks(results)
    for line in warnings:
        console.print(f"[yellow]warning:[/] {line}", highlight=False)
    for line in notes:
        console.print(f"[dim]note:[/] {line}", highlight=False)
    return buffer.getvalue()


def to_markdown(results, header: str = "") -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [f"# {header}", ""] if header else []
    out += [line(COLUMNS), "|" + "|".join("---" for _ in COLUMNS) + "|"]
    out += [line(row(r)) for r in results]
    warnings, notes = remarks(results)
    if warnings or notes:
        out.append("")
    out += [f"- **warning:** {w}" for w in warnings]
    out += [f"- note: {n}" for n in notes]
    return "\n".join(out) + "\n"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_to_dict(r: RunResult) -> dict:
    return {
        "problem": r.problem, "loss": r.loss, "kind": r.kind,
        "output_activation": r.output_activation, "output_layer": r.output_layer,
        "target_encoding": r.target_encoding, "metric": r.metric,
        "train_metric": _finite(r.train_metric), "test_metric": _finite(r.test_metric),
        "epochs": r.epochs_run, "epochs_requested": r.epochs, "seed": r.seed,
        "seconds": round(r.seconds, 3), "status": r.status, "message": r.message,
        "warnings": list(r.warnings), "notes": list(r.notes),
        "history": {k: [_finite(v) for v in vs] for k, vs in r.history.items()},
    }


def to_json(results, header: str = "") -> str:
    payload = {"runs": [run_to_dict(r) for r in results]}
    if header:
        payload["header"] = header
    return json.dumps(payload, indent=2) + "\n"

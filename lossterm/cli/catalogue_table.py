"""``lossterm --list-losses``: the catalogue as a table (no Keras import)."""

from __future__ import annotations

import io
import shutil

from lossterm.losses import CATALOGUE


def catalogue_text(width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Column, Table

    width = width or max(shutil.get_terminal_size((160, 24)).columns, 140)
    table = Table(*(Column(h, no_wrap=True) for h in (
        "loss", "also answers to", "kind", "output", "targets", "metric", "tutorial")),
        Column("what it is", ratio=1))
    for spec in CATALOGUE:
        table.add_row(spec.name, ", ".join(spec.aliases), spec.kind,
                      f"{'n' if spec.kind == 'multiclass' else '1'}, {spec.output_activation}",
                      spec.target_encoding, spec.metric, "yes" if spec.tutorial else "",
                      spec.summary)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None)
    console.print(table)
    console.print("several targets (--target a --target b): a regression loss has one output "
                  "per target, its value averaged over them; on two-valued targets "
                  "(multilabel) a binary loss has one output per label, averaged over labels, "
                  "and the metric is subset_accuracy", highlight=False)
    return buffer.getvalue()

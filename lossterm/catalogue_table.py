"""``lossterm --list-losses``: the catalogue as a table (no Keras import)."""

from __future__ import annotations

import io

from lossterm.engine.losses import CATALOGUE


def catalogue_text(width: int = 150) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table("loss", "also answers to", "kind", "output", "targets", "metric",
                  "tutorial", "what it is")
    for spec in CATALOGUE:
        table.add_row(spec.name, ", ".join(spec.aliases), spec.kind,
                      f"{'n' if spec.kind == 'multiclass' else '1'}, {spec.output_activation}",
                      spec.target_encoding, spec.metric, "yes" if spec.tutorial else "",
                      spec.summary)
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(table)
    return buffer.getvalue()

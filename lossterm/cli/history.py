"""``lossterm report``: a report rebuilt from the run history, through the same renderers."""

from __future__ import annotations

import sys
from pathlib import Path

from lossterm.analysis.experiments import distinct
from lossterm.cli.headless import check_folder, check_writable, write_atomically, write_csvs
from lossterm.core.errors import UsageError
from lossterm.report import render
from lossterm.storage.store import Store, default_store_path


def run_report(args) -> int:
    path = Path(args.store).expanduser() if args.store else default_store_path()
    if not path.exists():
        raise UsageError(f"no run history at {path} (runs are recorded there by default; "
                         "--store PATH to read another)")
    if args.last is not None and args.last < 1:
        raise UsageError("--last must be at least 1")
    target = check_writable(args.output) if args.output else None
    store = Store(path)
    entries = store.entries(limit=args.last)
    store.close()
    if not entries:
        raise UsageError(f"the run history at {path} holds no runs")
    results, notes = distinct(entries)
    for line in notes:
        print(f"lossterm: report: {line}", file=sys.stderr)
    if args.export_csv:
        write_csvs(results, check_folder(args.export_csv, "--export-csv"))
    left = len(entries) - len(results)
    text = render(results, args.format, header=f"{len(results)} runs from {path}"
                  + (f" ({left} left out: see stderr)" if left else ""))
    if target is not None:
        write_atomically(target, text)
    else:
        sys.stdout.write(text)
    return 0

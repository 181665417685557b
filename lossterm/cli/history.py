"""``lossterm report``: a report rebuilt from the run history, through the same renderers.

The history is only read: the store is opened through a ``mode=ro`` URI (it works
from a read-only folder and cannot change the file), and from a file with a
damaged page the runs that can be read are reported and the rest counted.
"""

from __future__ import annotations

import errno
from pathlib import Path

from lossterm.analysis.experiments import distinct
from lossterm.analysis.seed_groups import seed_groups
from lossterm.cli import signals
from lossterm.cli.headless import check_folder, write_csvs
from lossterm.cli.output import BROKEN_PIPE, STDOUT_LOST, check_writable, write_stdout
from lossterm.core.errors import UsageError
from lossterm.report import render
from lossterm.storage.files import write_text
from lossterm.storage.store import Store, default_store_path


def run_report(args) -> int:
    path = Path(args.store).expanduser() if args.store else default_store_path()
    if not path.exists():
        raise UsageError(f"no run history at {path} (runs are recorded there by default; "
                         "--store PATH to read another)")
    if args.last is not None and args.last < 1:
        raise UsageError("--last must be at least 1")
    target = check_writable(args.output) if args.output else None
    store = Store(path, read_only=True)
    try:
        entries = store.entries(limit=args.last)
    finally:
        store.close()
    if store.unreadable:
        signals.say(f"report: {store.unreadable} runs could not be read from {path} (the "
                    f"file is damaged); reporting the {len(entries)} that could")
    if not entries:
        raise UsageError(f"the run history at {path} holds no runs")
    results, notes = distinct(entries)
    for line in notes:
        signals.say(f"report: {line}")
    if args.export_csv:
        write_csvs(results, check_folder(args.export_csv, "--export-csv"))
    left = len(entries) - len(results)
    text = render(results, args.format, header=f"{len(results)} runs from {path}"
                  + (f" ({left} left out: see stderr)" if left else ""),
                  groups=seed_groups(entries))
    if target is not None:
        try:
            write_text(target, text)
        except OSError as exc:
            raise UsageError(f"could not write {target}: {exc.strerror}") from None
        return 0
    failed = write_stdout(text)
    if failed is None:
        return 0
    if failed.errno == errno.EPIPE:  # the reader left (| head): as SIGPIPE would, quietly
        return BROKEN_PIPE
    signals.say(f"could not write the report to stdout ({failed.strerror or failed}); "
                "the history is unchanged: lossterm report -o FILE writes it to a file")
    return STDOUT_LOST

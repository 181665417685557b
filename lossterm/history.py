"""``lossterm report``: a report rebuilt from the run history, through the same renderers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lossterm.engine.records import RunResult
from lossterm.engine.store import Store, default_store_path
from lossterm.errors import UsageError
from lossterm.headless import check_folder, check_writable, write_atomically, write_csvs


def run_report(args) -> int:
    from lossterm.report import render

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


def distinct(entries: list[tuple[int, dict, RunResult]]) -> tuple[list[RunResult], list[str]]:
    """The runs a report may compare, and a line for each thing left out.

    A report treats the runs of one (problem, loss) as seeds of one experiment and
    pairs them by seed. So a run stored twice (the same settings and seed, trained
    again) counts once, its latest; and where a (problem, loss) was stored with
    different settings (another learning rate, optimizer, width, epochs...), only the
    latest settings' runs are kept: pooling them would call a learning-rate change
    seed noise.
    """
    def key(settings: dict) -> str:
        return json.dumps({k: v for k, v in settings.items() if k != "seed"}, sort_keys=True)

    latest: dict[tuple[str, str], str] = {}  # (problem, loss) -> its latest settings
    for _, settings, result in entries:
        latest[(result.problem, result.loss)] = key(settings)
    kept: dict[tuple[str, str, int], RunResult] = {}
    other: dict[tuple[str, str], int] = {}
    repeats = 0
    for _, settings, result in entries:
        arm = (result.problem, result.loss)
        if key(settings) != latest[arm]:
            other[arm] = other.get(arm, 0) + 1
            continue
        slot = (*arm, result.seed)
        repeats += slot in kept
        kept[slot] = result  # oldest first: a later run of the same seed replaces it
    notes = []
    if repeats:
        notes.append(f"{repeats} run{'s' if repeats > 1 else ''} trained again with the same "
                     "settings and seed: only the latest of each counts (a seed counted twice "
                     "would look like agreement)")
    for (problem, loss), count in other.items():
        notes.append(f"{count} earlier run{'s' if count > 1 else ''} of {loss} on {problem} "
                     "used other settings and are left out: only the latest settings' runs "
                     "are compared (--last N picks the runs to report)")
    order = {id(r): i for i, (_, _, r) in enumerate(entries)}
    return sorted(kept.values(), key=lambda r: order[id(r)]), notes

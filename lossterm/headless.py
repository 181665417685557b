"""``lossterm --headless``: plan, check, train with progress, report. No Textual here."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from lossterm.engine.plan import plan_runs
from lossterm.engine.records import FAILED, RunConfig, RunResult
from lossterm.engine.sweep import SweepInterrupted, expand_seeds, sweep
from lossterm.errors import UsageError


def config_from_args(args) -> RunConfig:
    return RunConfig(problem="", loss="", seed=args.seed, epochs=args.epochs,
                     learning_rate=args.learning_rate, batch_size=args.batch_size,
                     hidden_units=args.hidden_units)


def check_writable(path: str) -> Path:
    """Refuse an --output we could not write, before any training is done."""
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"--output {path} is a directory")
    if not folder.is_dir():
        raise UsageError(f"--output {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"--output {path}: not writable")
    return target


def write_atomically(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_headless(args) -> int:
    plan = plan_runs(args.problem, args.loss, config_from_args(args))
    configs = expand_seeds(plan.runs, args.seeds)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("jobs must be at least 1")
    target = check_writable(args.output) if args.output else None
    for line in plan.skipped:
        print(f"lossterm: skipped {line}", file=sys.stderr)
    show_progress = sys.stderr.isatty() and not args.no_progress
    results, interrupted = train_all(configs, show_progress, jobs=args.jobs)
    text = _render(results, args.format)
    if target is not None:
        try:
            write_atomically(target, text)
        except OSError as exc:
            sys.stdout.write(text)  # keep what was computed
            raise UsageError(f"could not write {target}: {exc.strerror}; report printed instead")
    else:
        sys.stdout.write(text)
    if interrupted:
        print(f"lossterm: interrupted; reported the {len(results)} runs that ran",
              file=sys.stderr)
        return 130
    return 1 if any(r.status == FAILED for r in results) else 0


def _render(results: list[RunResult], fmt: str) -> str:
    from lossterm.engine.backend import describe_backend
    from lossterm.report import render

    header = describe_backend() if results else ""
    return render(results, fmt, header=header)


def train_all(configs: list[RunConfig], show_progress: bool,
              jobs: int | None = None) -> tuple[list[RunResult], bool]:
    """Train every run (a sweep); on Ctrl+C stop and keep the runs that finished."""
    from lossterm.progress import Progress

    with Progress(enabled=show_progress, runs=configs) as progress:
        try:
            results = sweep(configs, jobs=jobs, on_start=progress.start,
                            on_epoch=progress.epoch, on_done=progress.finish)
        except SweepInterrupted as stopped:
            return stopped.results, True
    return results, False

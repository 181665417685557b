"""``lossterm --headless``: plan, check, train with progress, report. No Textual here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from lossterm import service
from lossterm.cli import signals
from lossterm.cli.output import check_writable, emit
from lossterm.cli.progress import Progress, StudyProgress
from lossterm.core.errors import UsageError
from lossterm.options import Options
from lossterm.report import render
from lossterm.report.calibration import render_calibration
from lossterm.report.noise import render_noise_sweep
from lossterm.report.study import board_runs, render_study, study_to_dict
from lossterm.storage.board_groups import board_groups
from lossterm.storage.export import csv_name, export_script, history_csv
from lossterm.storage.files import write_text
from lossterm.storage.tensorboard import check_logdir, write_tensorboard
from lossterm.training.listener import ListenerList, RunListener
from lossterm.training.records import FAILED, STOPPED, Job, RunResult
from lossterm.training.scheduler import SweepInterrupted


def run_headless(args) -> int:
    """Plan through the service (everything that can be refused is refused before any
    training), then run the study, sweep, calibration or plain runs it planned."""
    signals.install()
    options = Options.from_args(args)
    _refuse_flags(args, options)
    work = service.plan_work(options)
    service.open_cluster(options)  # planned and refused what it could: the workers warm now
    for line in work.skipped:
        print(f"lossterm: skipped {line}", file=sys.stderr)
    if work.kind == service.CALIBRATION:
        return run_calibration_headless(args, work)
    if work.kind == service.SWEEP:
        return run_noise_sweep_headless(args, work)
    if work.kind == service.STUDY:
        return run_study_headless(args, work)
    return run_runs_headless(args, work)


def _refuse_flags(args, options: Options) -> None:
    """Flags that do not go with what the options ask for, refused before any data loads."""
    if options.calibrate is not None:
        given = (("--export-code", args.export_code), ("--export-csv", args.export_csv),
                 ("--tensorboard", args.tensorboard), ("--no-tune", args.no_tune),
                 ("--noise-sweep", args.noise_sweep))
        why = "it measures the study's protocol with A/A studies of one loss"
        for flag, value in given:
            if value:
                raise UsageError(f"{flag} does not go with --calibrate ({why})")
    elif options.noise_rates:
        for flag, value in (("--export-code", args.export_code),
                            ("--export-csv", args.export_csv),
                            ("--tensorboard", args.tensorboard)):
            if value:
                raise UsageError(f"{flag} does not go with --noise-sweep (a sweep trains many "
                                 "studies; run one rate with --label-noise for that)")


def run_runs_headless(args, work: service.Work) -> int:
    """Plain runs: trained with progress, recorded in the store, reported."""
    if getattr(args, "tensorboard", None):
        raise UsageError("--tensorboard writes a study (each loss tuned on validation); add "
                         "--tune, or compare two or more losses over --seeds")
    options = work.options
    target = check_writable(args.output) if args.output else None
    csv_dir = check_folder(args.export_csv, "--export-csv") if args.export_csv else None
    if args.export_code:
        _export_code(work.jobs, args.export_code, options.seeds)
    store, unavailable = service.try_open_store(options)
    show_progress = sys.stderr.isatty() and not args.no_progress
    try:
        results, interrupted = train_all(work.jobs, show_progress, threads=options.jobs,
                                         store=store, cluster=options.cluster)
    finally:
        if store is not None:
            store.close()
    if csv_dir is not None:
        write_csvs(results, csv_dir)
    text = _render(results, args.format, settings_line(work.jobs), options)
    written = emit(text, target, args.format)
    if store is not None and store.failure:
        unavailable = f"{store.path}: {store.failure}"
    _history_warning(unavailable)
    if interrupted:
        stopped = sum(r.status == STOPPED for r in results)
        signals.say(f"{signals.cause()}; reported the {len(results)} runs that started "
                    f"({stopped} stopped part way, kept with their epochs)")
        return signals.exit_code()
    return written or (1 if any(r.status == FAILED for r in results) else 0)


def _history_warning(why: str | None) -> None:
    """The one line saying the run history was not kept (the report has every run)."""
    if why:
        signals.say(f"warning: the run history was not kept ({why}); the report has "
                    "every run")


def _render(results: list[RunResult], fmt: str, settings: str, options: Options) -> str:
    where = service.describe_training(options) if results else ""
    header = "; ".join(filter(None, [where, settings])) if results else ""
    return render(results, fmt, header=header)


def settings_line(jobs: list[Job]) -> str:
    """How the runs were trained, each setting once: 'SGD (momentum 0.9), learning rate
    0.01, batch 32, hidden layers 50' (values that differ between runs are listed)."""
    def values(get) -> str:
        seen = list(dict.fromkeys(get(job) for job in jobs))
        return "/".join(str(v) for v in seen)

    def optimizer(job: Job) -> str:
        name = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}[job.optimizer]
        return f"{name} (momentum {job.momentum})" if job.optimizer == "sgd" else name

    if not jobs:
        return ""
    return (f"{values(optimizer)}, learning rate {values(lambda j: j.learning_rate)}, "
            f"batch {values(lambda j: j.batch_size)}, "
            f"hidden layers {values(lambda j: ','.join(map(str, j.layers)))}")


def train_all(jobs: list[Job], show_progress: bool, threads: int | None = None,
              store=None, cluster: str | None = None) -> tuple[list[RunResult], bool]:
    """Train every job through the service, with a progress bar; on Ctrl+C stop and
    keep the runs that finished."""

    with Progress(enabled=show_progress, runs=jobs) as progress:
        try:
            results = service.train_runs(jobs, store=store, threads=threads, listener=progress,
                                         cluster=cluster)
        except SweepInterrupted as stopped:
            return stopped.results, True
    return results, False


def check_folder(path: str, option: str) -> Path:
    folder = Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path}: not writable")
    return folder


def write_csvs(results: list[RunResult], folder: Path) -> None:
    for result in results:
        write_text(folder / csv_name(result), history_csv(result))


def _export_code(jobs: list[Job], path: str, seeds: int) -> None:
    if len(jobs) != seeds:
        raise UsageError(f"--export-code writes one run's script; this request has "
                         f"{len(jobs) // seeds} runs (choose one with --problem and --loss)")
    target = check_writable(path)
    for written in export_script(jobs[0], target):
        print(f"lossterm: wrote {written}", file=sys.stderr)

# --- fair studies ---------------------------------------------------------------------------


def _study_progress(args) -> StudyProgress:
    return StudyProgress(enabled=sys.stderr.isatty() and not args.no_progress)


class _Resuming(RunListener):
    """Says on stderr, per phase, how many of its runs the store already held."""

    def resumed(self, label: str, kept: int, total: int) -> None:
        print(f"lossterm: resuming: {kept} of {total} runs already in the store ({label})",
              file=sys.stderr, flush=True)


def _study_runs(args, options):
    """The store's study runs (None with --no-store): what a killed run of the same
    command left is resumed; ``--fresh`` trains it all again."""
    return service.open_study_runs(options, fresh=bool(getattr(args, "fresh", False)))


def _resumed_line(runs) -> None:
    """How much of the work came from the store, once at the end (nothing if none did)."""
    if runs is not None:
        if runs.kept:
            print(f"lossterm: resumed {runs.kept} of {runs.asked} runs from the store; "
                  f"trained {runs.asked - runs.kept}", file=sys.stderr)
        if runs.failed:
            print(f"lossterm: warning: {runs.failed} (the report is whole; a rerun would "
                  "not resume)", file=sys.stderr)
        runs.close()


def run_study_headless(args, work: service.Work) -> int:
    """``--tune`` (or a comparison over seeds): a study per problem, with its report."""
    target = check_writable(args.output) if args.output else None
    csv_dir = check_folder(args.export_csv, "--export-csv") if args.export_csv else None
    board_dir = check_logdir(args.tensorboard) if args.tensorboard else None
    if args.export_code:
        raise UsageError("--export-code writes one run's script; a study trains many runs "
                         "(add --no-tune, or choose one loss)")
    runs = _study_runs(args, work.options)
    try:
        with _study_progress(args) as progress:
            studies = service.run_study(work, listener=ListenerList([progress, _Resuming()]),
                                        runs=runs)
    except (SweepInterrupted, KeyboardInterrupt):  # a study cut short has no verdict worth printing
        signals.say(f"{signals.cause()}; a study reports only when every phase has run "
                    "(the runs that ended are kept): re-run the same command to resume")
        return signals.exit_code()
    _resumed_line(runs)
    if csv_dir is not None:
        write_csvs([r for st in studies for s in st.losses for r in s.final], csv_dir)
        write_study_protocols(studies, csv_dir)
    if board_dir is not None:
        seeded = board_runs(studies)
        write_tensorboard(board_dir, seeded, board_groups(seeded))
        print(f"lossterm: wrote TensorBoard logs to {board_dir} "
              f"(tensorboard --logdir {board_dir})", file=sys.stderr)
    return emit(render_study(studies, args.format, header=service.describe_training(work.options)), target,
                args.format)


def write_study_protocols(studies, folder: Path) -> None:
    """Beside the final runs' CSV files, each study's protocol, figures and verdict as
    ``PROBLEM.study.json`` (the JSON report's ``study`` object; the '/' of a suite's
    ``a/data.csv`` written '_', as the CSV files are named, not a folder)."""
    for study in studies:
        write_text(folder / f"{study.problem}.study.json".replace("/", "_"),
                   json.dumps(study_to_dict(study), indent=2) + "\n")


# --- robustness curves ----------------------------------------------------------------------


def run_noise_sweep_headless(args, work: service.Work) -> int:
    """``--noise-sweep``: the comparison at each label-noise rate (a study per rate unless
    ``--no-tune``), with its report."""
    target = check_writable(args.output) if args.output else None
    for line in work.warnings:
        print(f"lossterm: warning: {line}", file=sys.stderr)
    runs = _study_runs(args, work.options)
    try:
        with _study_progress(args) as progress:
            sweeps = service.run_sweep(work, listener=ListenerList([progress, _Resuming()]),
                                       runs=runs)
    except (SweepInterrupted, KeyboardInterrupt):
        signals.say(f"{signals.cause()}; a sweep reports only when every point has run "
                    "(the runs that ended are kept): re-run the same command to resume")
        return signals.exit_code()
    _resumed_line(runs)
    header = service.describe_training(work.options)
    return emit(render_noise_sweep(sweeps, args.format, header=header), target, args.format)


# --- calibration ----------------------------------------------------------------------------


def run_calibration_headless(args, work: service.Work) -> int:
    """N A/A studies of the one named loss on the one problem."""
    target = check_writable(args.output) if args.output else None
    runs = _study_runs(args, work.options)
    try:
        with _study_progress(args) as progress:
            done = service.run_calibration(work, listener=ListenerList([progress, _Resuming()]),
                                           runs=runs)
    except (SweepInterrupted, KeyboardInterrupt):  # a cut-short calibration has no rate
        signals.say(f"{signals.cause()}; a calibration reports only when every A/A study "
                    "has run (the runs that ended are kept): re-run the same command to resume")
        return signals.exit_code()
    _resumed_line(runs)
    return emit(render_calibration(done, args.format, header=service.describe_training(work.options)), target,
                args.format)

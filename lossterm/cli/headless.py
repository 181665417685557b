"""``lossterm --headless``: plan, check, train with progress, report. No Textual here."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from lossterm import service as pipeline
from lossterm.analysis.study import run_study
from lossterm.analysis.study.calibration import calibrate
from lossterm.analysis.study.noise import noise_warnings, run_noise_sweep
from lossterm.analysis.study.run import TUNING, default_trainer
from lossterm.cli.progress import Progress, StudyProgress
from lossterm.core.errors import UsageError
from lossterm.data.own import load_csv_split
from lossterm.data.perturb import Perturbation, perturb
from lossterm.data.problems import REGRESSION
from lossterm.options import Options
from lossterm.report import render
from lossterm.report.calibration import render_calibration
from lossterm.report.noise import render_noise_sweep
from lossterm.report.study import board_runs, render_study, study_to_dict
from lossterm.runtime.backend import describe_backend
from lossterm.storage.export import csv_name, export_script, history_csv
from lossterm.storage.tensorboard import check_logdir, write_tensorboard
from lossterm.training.plan import plan_runs
from lossterm.training.records import FAILED, Job, RunResult
from lossterm.training.scheduler import SweepInterrupted


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


def emit(text: str, target: Path | None) -> None:
    """A finished report to ``target`` (atomically) or stdout; if the file cannot be
    written, the report goes to stdout before the one-line error, so nothing computed
    is lost."""
    if target is None:
        sys.stdout.write(text)
        return
    try:
        write_atomically(target, text)
    except OSError as exc:
        sys.stdout.write(text)
        raise UsageError(
            f"could not write {target}: {exc.strerror}; report printed instead") from None


def run_headless(args) -> int:
    # Everything that can be refused is refused before any training.
    options = Options.from_args(args)
    if options.calibrate is not None:
        return run_calibration_headless(args, options)
    if options.noise_rates:
        return run_noise_sweep_headless(args, options)
    tensorboard = getattr(args, "tensorboard", None)
    if options.tune is not False:
        problems, held = study_problems(options)
        planned = plan_runs(problems, options.losses, options.base)
        if options.wants_study(planned.runs):
            return run_study_headless(args, options, planned, held)
        plan = pipeline.plan(options, problems)
    else:
        plan = pipeline.plan(options)
    if tensorboard:
        raise UsageError("--tensorboard writes a study (each loss tuned on validation); add "
                         "--tune, or compare two or more losses over --seeds")
    target = check_writable(args.output) if args.output else None
    csv_dir = check_folder(args.export_csv, "--export-csv") if args.export_csv else None
    if args.export_code:
        _export_code(plan.runs, args.export_code, options.seeds)
    store = pipeline.open_store(options)
    for line in plan.skipped:
        print(f"lossterm: skipped {line}", file=sys.stderr)
    show_progress = sys.stderr.isatty() and not args.no_progress
    results, interrupted = train_all(plan.runs, show_progress, threads=options.jobs, store=store)
    if csv_dir is not None:
        write_csvs(results, csv_dir)
    text = _render(results, args.format, settings_line(plan.runs))
    emit(text, target)
    if interrupted:
        print(f"lossterm: interrupted; reported the {len(results)} runs that ran",
              file=sys.stderr)
        return 130
    return 1 if any(r.status == FAILED for r in results) else 0


def _render(results: list[RunResult], fmt: str, settings: str = "") -> str:
    header = "; ".join(filter(None, [describe_backend(), settings])) if results else ""
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
              store=None) -> tuple[list[RunResult], bool]:
    """Train every job through the pipeline, with a progress bar; on Ctrl+C stop and
    keep the runs that finished."""

    with Progress(enabled=show_progress, runs=jobs) as progress:
        try:
            results = pipeline.train(jobs, store=store, threads=threads, listener=progress)
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
        write_atomically(folder / csv_name(result), history_csv(result))


def _export_code(jobs: list[Job], path: str, seeds: int) -> None:
    if len(jobs) != seeds:
        raise UsageError(f"--export-code writes one run's script; this request has "
                         f"{len(jobs) // seeds} runs (choose one with --problem and --loss)")
    target = check_writable(path)
    for written in export_script(jobs[0], target):
        print(f"lossterm: wrote {written}", file=sys.stderr)

# --- fair studies ---------------------------------------------------------------------------


def study_problems(options: Options):
    """The problems as ``pipeline.load_problems`` gives them, and the validation rows a
    ``--split-column`` fixed (by ``id(problem)``; none otherwise)."""
    if options.data is not None and options.data.split_column:
        problem, rows = load_csv_split(options.data)
        if options.perturbation.imbalance < 1:  # drops training rows: the split would move
            raise UsageError("--imbalance drops training rows, so it cannot keep the rows "
                             "--split-column marks for validation; use one or the other")
        if options.perturbation.active:
            problem = perturb(problem, options.perturbation)
        return [problem], {id(problem): rows}
    return pipeline.load_problems(options), {}


def run_study_headless(args, options: Options, planned, held) -> int:
    """``--tune`` (or a comparison over seeds): a study per problem, with its report."""

    target = check_writable(args.output) if args.output else None
    csv_dir = check_folder(args.export_csv, "--export-csv") if args.export_csv else None
    board_dir = None
    if args.tensorboard:
        board_dir = check_logdir(args.tensorboard)
    if args.export_code:
        raise UsageError("--export-code writes one run's script; a study trains many runs "
                         "(add --no-tune, or choose one loss)")
    for line in planned.skipped:
        print(f"lossterm: skipped {line}", file=sys.stderr)
    try:
        with StudyProgress(enabled=sys.stderr.isatty() and not args.no_progress) as progress:
            studies = run_study(planned.runs, options.protocol,
                                data_seed=options.perturbation.seed,
                                trainer=study_trainer(progress, options.jobs), held=held)
    except SweepInterrupted:  # a study cut short has no verdict worth printing
        print("lossterm: interrupted; a study reports only when every phase has run",
              file=sys.stderr)
        return 130
    if csv_dir is not None:
        write_csvs([r for st in studies for s in st.losses for r in s.final], csv_dir)
        write_study_protocols(studies, csv_dir)
    if board_dir is not None:
        write_tensorboard(board_dir, board_runs(studies))
        print(f"lossterm: wrote TensorBoard logs to {board_dir} "
              f"(tensorboard --logdir {board_dir})", file=sys.stderr)
    text = _render_study(studies, args.format)
    emit(text, target)
    return 0


def write_study_protocols(studies, folder: Path) -> None:
    """Beside the final runs' CSV files, each study's protocol, figures and verdict as
    ``PROBLEM.study.json`` (the JSON report's ``study`` object)."""

    for study in studies:
        write_atomically(folder / f"{study.problem}.study.json",
                         json.dumps(study_to_dict(study), indent=2) + "\n")


def study_trainer(progress, threads, label=None):
    """How a study's phases train (``engine.study``'s trainer), with the progress bar told
    which phase it is in (``label(phase)``; default: its name and problem)."""

    def train(jobs, phase):
        progress.phase_started(label(phase) if label else f"{phase.name} {phase.problem}", jobs)
        return default_trainer(jobs, phase, threads=threads, listener=progress)

    return train


def _render_study(studies, fmt: str) -> str:
    return render_study(studies, fmt, header=describe_backend())

# --- robustness curves ----------------------------------------------------------------------


def run_noise_sweep_headless(args, options: Options) -> int:
    """``--noise-sweep``: the comparison at each label-noise rate (a study per rate unless
    ``--no-tune``), with its report. Problems load clean; each rate's noise is the
    engine's to add (the test split never gets any)."""

    for flag, given in (("--export-code", args.export_code), ("--export-csv", args.export_csv),
                        ("--tensorboard", args.tensorboard)):
        if given:
            raise UsageError(f"{flag} does not go with --noise-sweep (a sweep trains many "
                             "studies; run one rate with --label-noise for that)")
    target = check_writable(args.output) if args.output else None
    problems, held = study_problems(replace(options, perturbation=Perturbation()))
    if held and options.perturbation.imbalance < 1:
        raise UsageError("--imbalance drops training rows, so it cannot keep the rows "
                         "--split-column marks for validation; use one or the other")
    planned = plan_runs(problems, options.losses, options.base)
    jobs = planned.runs
    if not problems:  # none named: the tutorial's problems that have classes
        kept = [j for j in jobs if j.problem.kind != REGRESSION]
        if kept and len(kept) < len(jobs):
            planned.skipped.append("regression: label noise needs classes (a sweep with no "
                                   "--problem runs the tutorial's classification problems)")
        jobs = kept or jobs
    for line in planned.skipped:
        print(f"lossterm: skipped {line}", file=sys.stderr)
    for problem in dict.fromkeys(j.problem for j in jobs):
        if problem.kind != REGRESSION:
            for line in noise_warnings(problem, options.noise_rates,
                                       options.perturbation.noise_kind):
                print(f"lossterm: warning: {line}", file=sys.stderr)
    try:
        with StudyProgress(enabled=sys.stderr.isatty() and not args.no_progress) as progress:
            sweeps = run_noise_sweep(jobs, options.noise_rates, options.protocol,
                                     base=options.perturbation, tune=options.tune is not False,
                                     seeds=options.seeds, held=held,
                                     trainer=study_trainer(progress, options.jobs))
    except SweepInterrupted:
        print("lossterm: interrupted; a sweep reports only when every point has run",
              file=sys.stderr)
        return 130

    text = render_noise_sweep(sweeps, args.format, header=describe_backend())
    emit(text, target)
    return 0


def run_calibration_headless(args, options: Options) -> int:
    """N A/A studies of the one named loss on the one problem; refuse anything else first."""

    for flag, given in (("--export-code", args.export_code), ("--export-csv", args.export_csv),
                        ("--tensorboard", args.tensorboard), ("--no-tune", args.no_tune),
                        ("--noise-sweep", args.noise_sweep)):
        if given:
            raise UsageError(f"{flag} does not go with --calibrate (it measures the study's "
                             "protocol with A/A studies of one loss)")
    if len(options.losses) != 1 or options.losses[0] == "all":
        raise UsageError("--calibrate compares one loss with itself: name exactly one --loss")
    target = check_writable(args.output) if args.output else None
    problems, held = study_problems(options)
    jobs = plan_runs(problems, options.losses, options.base).runs
    if len({id(j.problem) for j in jobs}) != 1:
        raise UsageError("--calibrate runs on one problem: name exactly one --problem (or "
                         "one --data file)")
    (job,) = jobs
    n = options.calibrate
    with StudyProgress(enabled=sys.stderr.isatty() and not args.no_progress) as progress:
        done = calibrate(job, options.protocol, n, data_seed=options.perturbation.seed,
                         held=held.get(id(job.problem)),
                         trainer=_calibration_trainer(progress, options.jobs, n))

    text = render_calibration(done, args.format, header=describe_backend())
    emit(text, target)
    return 0


def _calibration_trainer(progress, threads, total: int):
    """A study's trainer whose progress line says which A/A study is training (each
    starts with its tuning phase)."""

    started = [0]

    def label(phase) -> str:
        started[0] += phase.name == TUNING
        return f"A/A study {started[0]}/{total}: {phase.name} {phase.problem}"

    return study_trainer(progress, threads, label)

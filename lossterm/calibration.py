"""``lossterm --headless ... --calibrate N``: the protocol's false-claim rate, measured on
the user's own problem (:mod:`lossterm.engine.study.calibrate`), with its report."""

from __future__ import annotations

import sys

from lossterm.engine.plan import plan_runs
from lossterm.errors import UsageError
from lossterm.options import Options


def run_calibration_headless(args, options: Options) -> int:
    """N A/A studies of the one named loss on the one problem; refuse anything else first."""
    from lossterm.engine.study.calibrate import calibrate
    from lossterm.headless import check_writable, study_problems, write_atomically
    from lossterm.progress import StudyProgress

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
                         trainer=_trainer(progress, options.jobs, n))
    from lossterm.engine.backend import describe_backend
    from lossterm.report.calibration import render_calibration

    text = render_calibration(done, args.format, header=describe_backend())
    if target is not None:
        write_atomically(target, text)
    else:
        sys.stdout.write(text)
    return 0


def _trainer(progress, threads, total: int):
    """A study's trainer whose progress line says which A/A study is training."""
    from lossterm.engine.study.run import default_trainer

    count = {"phase": 0}

    def train(jobs, phase):
        if phase.name == "tuning":
            count["phase"] += 1
        progress.phase(f"A/A study {count['phase']}/{total}: {phase.name} {phase.problem}", jobs)
        return default_trainer(jobs, phase, threads=threads, on_epoch=progress.epoch,
                               on_done=progress.finish)

    return train

"""A fair study from the TUI, off the UI thread: the same engine ``--tune`` runs.

The App starts a thread worker that calls :func:`run_study`; each phase's
progress and the end come back as messages (``StudyProgress``, ``StudyDone``).
``s`` sets the study's stop event: the population in training stops at its
next epoch and the study ends without a verdict (nothing half-done is shown
as a result). Study runs are not written to the run history: a study's
hundreds of tuning runs would drown the runs a person trained.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable

from textual.message import Message

from lossterm import pipeline
from lossterm.app.messages import StudyDone, StudyProgress, SweepDone
from lossterm.engine.problems import Problem
from lossterm.errors import LosstermError


class StudyCancelled(Exception):
    """The user stopped the study."""


def run_study(problem: Problem, losses: list[str], options, stop: threading.Event,
              post: Callable[[Message], object]) -> None:
    """Study ``losses`` on ``problem`` with the options' settings; report by ``post``."""
    from lossterm.engine.study import run_study as study_jobs
    from lossterm.engine.study.run import default_trainer

    def trainer(jobs, phase):
        total, done = len(jobs), [0]
        post(StudyProgress(problem.name, phase.name, 0, total))

        def finished(i, result):
            done[0] += 1
            post(StudyProgress(problem.name, phase.name, done[0], total))

        results = default_trainer(jobs, phase, stop=stop, on_done=finished)
        if stop.is_set():
            raise StudyCancelled
        return results

    try:
        plan = pipeline.plan(replace(options, seeds=1, losses=tuple(losses)), [problem])
        protocol = options.protocol
        if options.seeds > 1:  # the TUI's seeds (n) become the study's final seeds
            protocol = replace(protocol, seeds=options.seeds)
        (study,) = study_jobs(plan.runs, protocol, trainer=trainer)
    except StudyCancelled:
        post(StudyDone(problem.name, None, "study stopped; no verdict"))
        return
    except LosstermError as exc:
        post(StudyDone(problem.name, None, str(exc)))
        return
    post(StudyDone(problem.name, study))


DEFAULT_RATES = (0.0, 0.2, 0.4, 0.6)


def run_sweep(problem: Problem, losses: list[str], options, perturbation, stop: threading.Event,
              post: Callable[[Message], object]) -> None:
    """Robustness curves of ``losses`` on the clean ``problem``: the options' comparison
    (a study unless ``--no-tune``) at each rate of ``--noise-sweep`` (default 0, 0.2, 0.4,
    0.6), label noise of ``perturbation``'s kind; report by ``post``. Stopped, it ends with
    the points done."""
    from lossterm.engine.study.noise import run_noise_sweep
    from lossterm.engine.study.run import default_trainer

    rates = options.noise_rates or DEFAULT_RATES
    now = {"rate": rates[0]}

    def started(name, rate):
        now["rate"] = rate

    def trainer(jobs, phase):
        total, done = len(jobs), [0]
        where = f"noise {now['rate']:g} ({rates.index(now['rate']) + 1}/{len(rates)}) {phase.name}"
        post(StudyProgress(problem.name, where, 0, total))

        def finished(i, result):
            done[0] += 1
            post(StudyProgress(problem.name, where, done[0], total))

        return default_trainer(jobs, phase, stop=stop, on_done=finished)

    try:
        plan = pipeline.plan(replace(options, seeds=1, losses=tuple(losses)), [problem])
        protocol = options.protocol
        if options.seeds > 1:
            protocol = replace(protocol, seeds=options.seeds)
        base = replace(perturbation, label_noise=0.0, outliers=0.0)
        (sweep,) = run_noise_sweep(plan.runs, rates, protocol, base=base,
                                   tune=options.tune is not False, trainer=trainer,
                                   stop=stop, on_start=started)
    except LosstermError as exc:
        post(SweepDone(problem.name, None, str(exc)))
        return
    if not sweep.points:
        post(SweepDone(problem.name, None, "sweep stopped before its first rate ended"))
        return
    post(SweepDone(problem.name, sweep))

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
from collections.abc import Callable
from dataclasses import replace

from textual.message import Message

from lossterm import service as pipeline
from lossterm.analysis.study import run_study as study_jobs
from lossterm.analysis.study.noise import run_noise_sweep
from lossterm.analysis.study.run import default_trainer
from lossterm.app.messages import StudyDone, StudyProgress, SweepDone
from lossterm.core.errors import LosstermError
from lossterm.data.problems import Problem
from lossterm.training.listener import RunListener
from lossterm.training.records import RunResult


class StudyCancelled(Exception):
    """The user stopped the study."""


def run_study(problem: Problem, losses: list[str], options, stop: threading.Event,
              post: Callable[[Message], object]) -> None:
    """Study ``losses`` on ``problem`` with the options' settings; report by ``post``."""

    counting = _counting_trainer(problem.name, lambda phase: phase.name, stop, post)

    def trainer(jobs, phase):
        results = counting(jobs, phase)
        if stop.is_set():
            raise StudyCancelled
        return results

    try:
        jobs, protocol = _planned(problem, losses, options)
        (study,) = study_jobs(jobs, protocol, trainer=trainer)
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

    rates = options.noise_rates or DEFAULT_RATES
    now = {"rate": rates[0]}

    def started(name, rate):
        now["rate"] = rate

    def where(phase) -> str:
        rate = now["rate"]
        return f"noise {rate:g} ({rates.index(rate) + 1}/{len(rates)}) {phase.name}"

    trainer = _counting_trainer(problem.name, where, stop, post)
    try:
        jobs, protocol = _planned(problem, losses, options)
        base = replace(perturbation, label_noise=0.0, outliers=0.0)
        (sweep,) = run_noise_sweep(jobs, rates, protocol, base=base,
                                   tune=options.tune is not False, trainer=trainer,
                                   stop=stop, on_start=started)
    except LosstermError as exc:
        post(SweepDone(problem.name, None, str(exc)))
        return
    if not sweep.points:
        post(SweepDone(problem.name, None, "sweep stopped before its first rate ended"))
        return
    post(SweepDone(problem.name, sweep))


def _planned(problem: Problem, losses: list[str], options):
    """The jobs (one per loss, resolved on ``problem``) and the protocol a study or sweep
    from the TUI runs: the TUI's seeds (``n``), when more than one, are its final seeds."""
    plan = pipeline.plan(replace(options, seeds=1, losses=tuple(losses)), [problem])
    protocol = options.protocol
    if options.seeds > 1:
        protocol = replace(protocol, seeds=options.seeds)
    return plan.runs, protocol


def _counting_trainer(problem: str, label: Callable[[object], str], stop: threading.Event,
                      post: Callable[[Message], object]):
    """A study's trainer that posts each phase's progress (runs done of total), the phase
    worded by ``label``."""

    def trainer(jobs, phase):
        counting = _Counting(problem, label(phase), len(jobs), post)
        post(StudyProgress(problem, counting.where, 0, counting.total))
        return default_trainer(jobs, phase, stop=stop, listener=counting)

    return trainer


class _Counting(RunListener):
    """Posts a phase's runs done out of ``total`` as each ends."""

    def __init__(self, problem: str, where: str, total: int, post: Callable[[Message], object]):
        self.problem, self.where, self.total, self.post = problem, where, total, post
        self.done = 0

    def run_ended(self, index: int, result: RunResult) -> None:
        self.done += 1
        self.post(StudyProgress(self.problem, self.where, self.done, self.total))

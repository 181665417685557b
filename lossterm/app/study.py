"""A fair study from the TUI, off the UI thread: the same engine ``--tune`` runs.

The App starts a thread worker that calls :func:`study_worker`; each phase's
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

from lossterm import service
from lossterm.analysis.study.run import Phase
from lossterm.app.messages import StudyDone, StudyProgress, SweepDone
from lossterm.core.errors import LosstermError
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import Problem
from lossterm.options import Options
from lossterm.training.listener import RunListener
from lossterm.training.records import Job, RunResult


def study_worker(problem: Problem, losses: list[str], options: Options, stop: threading.Event,
              post: Callable[[Message], object]) -> None:
    """Study ``losses`` on ``problem`` with the options' settings; report by ``post``."""
    try:
        work = service.study_work(replace(options, losses=tuple(losses)), [problem])
        (study,) = service.run_study(work, listener=_Counting(problem.name, post), stop=stop,
                                     label=_phase_name)
    except service.StudyStopped:
        post(StudyDone(problem.name, None, "study stopped; no verdict"))
        return
    except LosstermError as exc:
        post(StudyDone(problem.name, None, str(exc)))
        return
    post(StudyDone(problem.name, study))


def sweep_worker(problem: Problem, losses: list[str], options: Options,
              perturbation: Perturbation, stop: threading.Event,
              post: Callable[[Message], object]) -> None:
    """Robustness curves of ``losses`` on the clean ``problem``: the options' comparison
    (a study unless ``--no-tune``) at each rate of ``--noise-sweep`` (default 0, 0.2, 0.4,
    0.6), label noise of ``perturbation``'s kind; report by ``post``. Stopped, it ends with
    the points done."""
    options = replace(options, losses=tuple(losses), perturbation=perturbation)
    try:
        work = service.sweep_work(options, [problem])
        (sweep,) = service.run_sweep(work, listener=_Counting(problem.name, post), stop=stop,
                                     label=_phase_name)
    except LosstermError as exc:
        post(SweepDone(problem.name, None, str(exc)))
        return
    if not sweep.points:
        post(SweepDone(problem.name, None, "sweep stopped before its first rate ended"))
        return
    post(SweepDone(problem.name, sweep))


def _phase_name(phase: Phase) -> str:
    return phase.name


class _Counting(RunListener):
    """Posts each phase's progress (runs done of total) to the screen."""

    def __init__(self, problem: str, post: Callable[[Message], object]):
        self.problem, self.post = problem, post
        self.where, self.done, self.total = "", 0, 0

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        self.where, self.done, self.total = label, 0, len(jobs)
        self.post(StudyProgress(self.problem, label, 0, self.total))

    def run_ended(self, index: int, result: RunResult) -> None:
        self.done += 1
        self.post(StudyProgress(self.problem, self.where, self.done, self.total))

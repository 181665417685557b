"""A fair study from the TUI, off the UI thread: the same engine ``--tune`` runs.

The App starts a thread worker that calls :func:`study_worker`; each phase's
progress and the end come back as messages (``StudyProgress``, ``StudyDone``).
``s`` sets the study's stop event: the population in training stops at its
next epoch and the study ends without a verdict (nothing half-done is shown
as a result). Study runs are not written to the run history: a study's
hundreds of tuning runs would drown the runs a person trained. With a store, they are
kept in its study-runs table as they end, so a study stopped (or cut by a dropped
link) resumes when started again: ``S`` or ``R`` on the same settings trains only
what is missing, as ``--headless`` does.
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
from lossterm.storage.store import Store
from lossterm.storage.study_runs import StudyRuns
from lossterm.training.listener import RunListener
from lossterm.training.records import Job, RunResult


def study_worker(problem: Problem, losses: list[str], options: Options,
                 stop: threading.Event, post: Callable[[Message], object],
                 store: Store | None = None) -> None:
    """Study ``losses`` on ``problem`` with the options' settings; report by ``post``.
    ``store``: where its runs are kept and resumed from."""
    runs = None
    try:
        runs = _study_runs(store)
        work = service.study_work(replace(options, losses=tuple(losses)), [problem])
        (study,) = service.run_study(work, listener=_Counting(problem.name, post), stop=stop,
                                     label=_phase_name, runs=runs)
    except service.StudyStopped:
        post(StudyDone(problem.name, None, "study stopped; no verdict (its finished runs "
                                           "are kept: S resumes)" if runs else
                       "study stopped; no verdict"))
        return
    except LosstermError as exc:
        post(StudyDone(problem.name, None, str(exc)))
        return
    finally:
        if runs is not None:
            runs.close()
    post(StudyDone(problem.name, study))


def _study_runs(store: Store | None) -> StudyRuns | None:
    """The study runs kept beside the TUI's run history (none without a store)."""
    return None if store is None else StudyRuns(store.path)


def sweep_worker(problem: Problem, losses: list[str], options: Options,
                 perturbation: Perturbation, stop: threading.Event,
                 post: Callable[[Message], object], store: Store | None = None) -> None:
    """Robustness curves of ``losses`` on the clean ``problem``: the options' comparison
    (a study unless ``--no-tune``) at each rate of ``--noise-sweep`` (default 0, 0.2, 0.4,
    0.6), label noise of ``perturbation``'s kind; report by ``post``. Stopped, it ends with
    the points done. ``store``: where its runs are kept and resumed from."""
    options = replace(options, losses=tuple(losses), perturbation=perturbation)
    runs = None
    try:
        runs = _study_runs(store)
        work = service.sweep_work(options, [problem])
        (sweep,) = service.run_sweep(work, listener=_Counting(problem.name, post), stop=stop,
                                     label=_phase_name, runs=runs)
    except LosstermError as exc:
        post(SweepDone(problem.name, None, str(exc)))
        return
    finally:
        if runs is not None:
            runs.close()
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
        self.note = ""  # how many of the next phase's runs came from the store

    def resumed(self, label: str, kept: int, total: int) -> None:
        self.note = f" ({kept} of {total} resumed from the store)"

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        self.where, self.done, self.total = label + self.note, 0, len(jobs)
        self.note = ""
        self.post(StudyProgress(self.problem, self.where, 0, self.total))

    def run_ended(self, index: int, result: RunResult) -> None:
        self.done += 1
        self.post(StudyProgress(self.problem, self.where, self.done, self.total))

"""A fair study from the TUI, off the UI thread: the same engine ``--tune`` runs.

The App starts a thread worker that calls :func:`study_worker`; each phase's
progress and the end come back as messages (``StudyProgress``, ``StudyDone``).
``s`` sets the study's stop event: the population in training stops at its
next epoch and the study ends without a verdict (nothing half-done is shown
as a result). Study runs are not written to the run history: a study's
hundreds of tuning runs would drown the runs a person trained. With a store, they are
kept in its study-runs table as they end, so a study stopped (or cut by a dropped
link) resumes when started again: ``S`` or ``R`` on the same settings trains only
what is missing, as ``--headless`` does. While it trains, :class:`~lossterm.app.watch.StudyWatch` posts
how far the whole of it is, an estimate of the time left, and its runs' curves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from textual.message import Message

from lossterm import service
from lossterm.analysis.study.run import Phase
from lossterm.app.messages import StudyDone, SweepDone
from lossterm.app.watch import StudyWatch
from lossterm.core.errors import LosstermError
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import Problem
from lossterm.options import Options
from lossterm.storage.store import Store
from lossterm.storage.study_runs import StudyRuns


def study_worker(problem: Problem, losses: list[str], options: Options,
                 stop: threading.Event, post: Callable[[Message], object],
                 store: Store | None = None, runner: service.Runner | None = None) -> None:
    """Study ``losses`` on ``problem`` with the options' settings; report by ``post``.
    ``store``: where its runs are kept and resumed from. ``runner``: what trains its
    runs in place of the engine (:data:`lossterm.service.Runner`; the tests' canned one)."""
    runs = watch = None
    try:
        runs = _study_runs(store)
        work = service.study_work(replace(options, losses=tuple(losses)), [problem])
        watch = StudyWatch(problem.name, post, service.planned_count(work))
        (study,) = service.run_study(work, listener=watch, stop=stop, label=_phase_name,
                                     runs=runs, runner=runner)
    except service.StudyStopped:
        done = StudyDone(problem.name, None, "study stopped; no verdict (its finished runs "
                                             "are kept: S resumes)" if runs else
                         "study stopped; no verdict")
    except LosstermError as exc:
        done = StudyDone(problem.name, None, str(exc))
    else:
        done = StudyDone(problem.name, study)
    finally:
        _close(watch, runs)
    post(done)  # after the watch's last message


def _close(watch: StudyWatch | None, runs: StudyRuns | None) -> None:
    if watch is not None:
        watch.close()
    if runs is not None:
        runs.close()


def _study_runs(store: Store | None) -> StudyRuns | None:
    """The study runs kept beside the TUI's run history (none without a store)."""
    return None if store is None else StudyRuns(store.path)


def sweep_worker(problem: Problem, losses: list[str], options: Options,
                 perturbation: Perturbation, stop: threading.Event,
                 post: Callable[[Message], object], store: Store | None = None,
                 runner: service.Runner | None = None) -> None:
    """Robustness curves of ``losses`` on the clean ``problem``: the options' comparison
    (a study unless ``--no-tune``) at each rate of ``--noise-sweep`` (default 0, 0.2, 0.4,
    0.6), label noise of ``perturbation``'s kind; report by ``post``. Stopped, it ends with
    the points done. ``store``, ``runner``: as :func:`study_worker`'s."""
    options = replace(options, losses=tuple(losses), perturbation=perturbation)
    runs = watch = None
    try:
        runs = _study_runs(store)
        work = service.sweep_work(options, [problem])
        watch = StudyWatch(problem.name, post, service.planned_count(work))
        (sweep,) = service.run_sweep(work, listener=watch, stop=stop, label=_phase_name,
                                     runs=runs, runner=runner)
    except LosstermError as exc:
        done = SweepDone(problem.name, None, str(exc))
    else:
        done = (SweepDone(problem.name, sweep) if sweep.points else
                SweepDone(problem.name, None, "sweep stopped before its first rate ended"))
    finally:
        _close(watch, runs)
    post(done)  # after the watch's last message


def _phase_name(phase: Phase) -> str:
    return phase.name

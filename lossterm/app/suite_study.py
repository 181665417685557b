"""A suite study off the UI thread: each marked problem's study, then its suite verdicts.

What :func:`~lossterm.app.study.study_worker` is for one problem, for several: the same
service path as ``--headless`` with several ``--problem`` (``service.study_work`` over
the problems, ``service.run_study``, then :func:`lossterm.analysis.suites.suites_of`,
one suite per kind with two or more problems). The suites' bootstraps run here too, not
on the UI thread. Its runs are kept in the store's study-runs table as a single study's
are, so ``S`` on the same marks resumes a stopped suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from textual.message import Message

from lossterm import service
from lossterm.analysis.suites import suites_of
from lossterm.app.study import _close, _phase_name, _study_runs
from lossterm.app.suite_message import SuiteDone
from lossterm.app.watch import StudyWatch
from lossterm.core.errors import LosstermError
from lossterm.data.problems import Problem
from lossterm.options import Options
from lossterm.storage.store import Store


def suite_worker(listed: list[str], problems: list[Problem], losses: dict[str, list[str]],
                 options: Options, stop: threading.Event, post: Callable[[Message], object],
                 store: Store | None = None, runner: service.Runner | None = None) -> None:
    """Study each kind's ``losses`` on its problems of ``problems`` (``listed``: their names
    in the picker), then judge the suites across them; report by ``post`` (progress as a
    study's, over every kind's runs). A loss names one kind, so each kind is one
    ``study_work`` over its problems, the kinds studied one after another."""
    runs = watch = None
    names = ", ".join(p.name for p in problems)
    kinds: dict[str, list[Problem]] = {}
    for problem in problems:
        kinds.setdefault(problem.kind, []).append(problem)
    try:
        runs = _study_runs(store)
        works = [service.study_work(replace(options, losses=tuple(losses[kind])), group)
                 for kind, group in kinds.items()]
        watch = StudyWatch(names, post, sum(service.planned_count(w) for w in works))
        done_by = {study.problem: study for work in works
                   for study in service.run_study(work, listener=watch, stop=stop,
                                                  label=_phase_name, runs=runs, runner=runner)}
        studies = [done_by[p.name] for p in problems if p.name in done_by]
        done = SuiteDone(listed, studies, suites_of(studies), options=options)
    except service.StudyStopped:
        done = SuiteDone(listed, [], [], "suite study stopped; no verdict (its finished "
                                         "runs are kept: S on the same marks resumes)"
                         if runs else "suite study stopped; no verdict")
    except LosstermError as exc:
        done = SuiteDone(listed, [], [], str(exc))
    except Exception as exc:  # said, not a traceback; and S works again
        done = SuiteDone(listed, [], [], f"the suite study failed: {type(exc).__name__}: "
                                         f"{exc}")
    finally:
        _close(watch, runs)
    post(done)  # after the watch's last message

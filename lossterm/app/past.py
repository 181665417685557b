"""Reopening a study or sweep that ended in an earlier session, from its kept runs.

A finished study is listed in the store (:class:`~lossterm.storage.pending.FinishedStudies`)
with what asked for it. Reopening replays that request through the service with the
store's study runs, and a trainer that refuses to train: every run is found, so the
verdict is recomputed from the runs themselves, bit for bit as it was. When a run is
missing — the data file changed, the runs were made by another lossterm, the store was
swapped — nothing is trained behind the person's back: the reopen ends with one line
saying so and that ``S`` (or ``R``) runs it again.

Runs on a worker thread (the App's ``study`` group) and reports by message, like ``S``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from textual.message import Message

from lossterm import service
from lossterm.analysis.study.results import Phase, ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.app.pending import SWEEP, options_from, perturbation_of
from lossterm.app.settings import Settings
from lossterm.core.errors import LosstermError
from lossterm.data.files import problem_name
from lossterm.data.problems import Problem
from lossterm.storage.store import Store
from lossterm.storage.study_runs import StudyRuns
from lossterm.training.plan import ALL
from lossterm.training.records import Job, RunResult


@dataclass
class StudyReopened(Message):
    """A past study or sweep recomputed from its kept runs (``result``), or why not."""

    problem: str
    result: ProblemStudy | NoiseSweep | None
    error: str = ""


class _NotKept(Exception):
    """A run of the replayed study is not in the store."""


def _refuse(jobs: list[Job], phase: Phase) -> list[RunResult]:
    raise _NotKept(f"{len(jobs)} of its {phase.name} runs are not in the store")


def problem_of(item: dict[str, Any], settings: Settings) -> Problem:
    """The problem a study item ran on (a sweep's clean one: the sweep adds the noise).
    Own data is read again from the item's file when this session has not opened it."""
    listed = item["problem"]
    perturbation = perturbation_of(item)
    options = options_from(item, settings.options)
    if listed not in settings.own:
        for data in options.data:
            if problem_name(data) == listed:
                settings.use_own(*settings.read_own(data))
    if item["kind"] == SWEEP:
        return settings.problem(listed, type(perturbation)())
    return settings.problem(listed, perturbation)


def reopen_worker(item: dict[str, Any], problem: Problem, settings: Settings,
                  post: Callable[[Message], object], store: Store) -> None:
    """Recompute the study or sweep ``item`` asked for from ``store``'s kept runs and post
    :class:`StudyReopened`; never trains."""
    options = replace(options_from(item, settings.options), seeds=int(item["seeds"]),
                      losses=tuple(item.get("losses") or [ALL]))
    runs = None
    try:
        runs = StudyRuns(store.path)
        result: ProblemStudy | NoiseSweep
        if item["kind"] == SWEEP:
            work = service.sweep_work(replace(options, perturbation=perturbation_of(item)),
                                      [problem])
            (result,) = service.run_sweep(work, stop=threading.Event(), trainer=_refuse,
                                          label=_phase_name, runs=runs)
        else:
            work = service.study_work(options, [problem])
            (result,) = service.run_study(work, stop=threading.Event(), trainer=_refuse,
                                          label=_phase_name, runs=runs)
    except _NotKept as why:
        post(StudyReopened(problem.name, None, f"the {item['kind']} of {problem.name} cannot "
                           f"be reopened: {why} (the data or lossterm changed since); "
                           f"{'R' if item['kind'] == SWEEP else 'S'} runs it again"))
        return
    except LosstermError as exc:
        post(StudyReopened(problem.name, None, str(exc)))
        return
    except Exception as exc:  # a worker that dies silently would leave the App waiting
        post(StudyReopened(problem.name, None, f"reopening failed: {type(exc).__name__}: "
                           f"{exc}"))
        return
    finally:
        if runs is not None:
            runs.close()
    post(StudyReopened(problem.name, result))


def _phase_name(phase: Phase) -> str:
    return phase.name

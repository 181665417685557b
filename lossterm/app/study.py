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
from lossterm.app.messages import StudyDone, StudyProgress
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

"""The one path from options to results, for ``--headless`` and the TUI alike:
load the problems, plan and check the jobs, train them (recording each epoch).

The front ends differ only in the listener they pass: the headless report's
draws a progress bar, the TUI's posts messages to its screen.
"""

from __future__ import annotations

import threading

from lossterm.data.own import load_csv
from lossterm.data.perturb import perturb
from lossterm.data.problems import PROBLEM_NAMES, Problem, get_problem
from lossterm.options import Options
from lossterm.storage.store import Recorder, Store, default_store_path
from lossterm.training.listener import SILENT, RunListener
from lossterm.training.plan import Plan, plan_runs
from lossterm.training.records import Job, RunResult
from lossterm.training.scheduler import expand_seeds, sweep


def load_problems(options: Options) -> list[Problem]:
    """The problems a request is about, loaded and perturbed as asked.

    Own data replaces the built-in problems. A perturbation with no problem
    named applies to every built-in problem it can (outliers: regression;
    label noise and imbalance: classification); with problems named, one that
    does not apply is an error.
    """

    if options.data is not None:
        problems = [load_csv(options.data)]
    else:
        problems = [get_problem(name) for name in options.problems]
    if not options.perturbation.active:
        return problems
    if problems:
        return [perturb(problem, options.perturbation) for problem in problems]
    every = [perturbed(get_problem(name), options) for name in PROBLEM_NAMES]
    return [problem for problem in every if problem.source.perturbation is not None]


def perturbed(problem: Problem, options: Options) -> Problem:
    """``problem`` with the part of the options' perturbation that applies to its kind."""

    part = options.perturbation.for_kind(problem.kind)
    if problem.n_targets > 1:  # perturbations take one target column: none applies
        return problem
    return perturb(problem, part) if part.active else problem


def plan(options: Options, problems: list[Problem] | None = None) -> Plan:
    """Every job the options ask for, seeds expanded, resolved and checked.

    ``problems`` overrides loading (the TUI passes the problem on screen).
    """
    if problems is None:
        problems = load_problems(options)
    planned = plan_runs(problems, options.losses, options.base)
    planned.runs = expand_seeds(planned.runs, options.seeds)
    return planned


def open_store(options: Options):
    """The run store the options ask for, or None when no history is kept."""

    if options.no_store:
        return None
    return Store(options.store or default_store_path())


def train(jobs: list[Job], *, store=None, threads: int | None = None,
          stop: threading.Event | None = None, listener: RunListener = SILENT,
          grid: bool = False) -> list[RunResult]:
    """Train ``jobs``, recording each epoch in ``store`` before ``listener`` hears of it;
    results in the jobs' order.

    Raises ``SweepInterrupted`` (holding the finished runs) on Ctrl+C.
    """

    return sweep(jobs, jobs=threads, stop=stop, listener=Recorder(store, listener), grid=grid)

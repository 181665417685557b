"""The problems a request names, loaded: built-in names (``all``: every one), then data
files, each a problem of its own (a suite: a study and a verdict each), perturbed as asked.

Apart from :mod:`lossterm.service` so the service keeps to planning and running; it takes
the request's parts (names, files, perturbation) rather than its options object, which
sits a layer above.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.data.files import DataOptions
from lossterm.data.own import load_csv, load_csv_split
from lossterm.data.perturb import Perturbation, perturb
from lossterm.data.problems import BUILTIN_PROBLEMS, PROBLEM_NAMES, Problem, get_problem

EVERY = "all"  # as a problem name: every built-in problem


def every_problem(names: Sequence[str]) -> bool:
    """Whether ``names`` ask for every built-in problem (``--problem all``)."""
    return tuple(name.lower() for name in names) == (EVERY,)


def load_problems(names: Sequence[str], files: Sequence[DataOptions],
                  perturbation: Perturbation) -> list[Problem]:
    """The named built-in problems (every one for ``all``), then each data file.

    A perturbation with no problem named (and no data file) applies to every tutorial
    problem it can, and with ``all`` to every built-in problem it can (outliers:
    regression; label noise and imbalance: classification); to a problem named or a data
    file, one that does not apply is an error.
    """
    loaded = [load_csv(data) for data in files]
    if perturbation.active:
        loaded = [perturb(problem, perturbation) for problem in loaded]
    return builtin_problems(names, bool(files), perturbation) + loaded


def builtin_problems(names: Sequence[str], with_files: bool,
                     perturbation: Perturbation) -> list[Problem]:
    """The built-in problems of :func:`load_problems`, perturbed as it says."""
    active, every = perturbation.active, every_problem(names)
    if names and not every:
        return [perturb(get_problem(name), perturbation) if active else get_problem(name)
                for name in names]
    if not every and (with_files or not active):
        return []
    made = [perturbed(get_problem(name), perturbation)
            for name in (BUILTIN_PROBLEMS if every else PROBLEM_NAMES)]
    return [p for p in made if not active or p.source.perturbation is not None]


def perturbed(problem: Problem, perturbation: Perturbation) -> Problem:
    """``problem`` with the part of ``perturbation`` that applies to its kind."""
    part = perturbation.for_kind(problem.kind)
    if problem.n_targets > 1:  # perturbations take one target column: none applies
        return problem
    return perturb(problem, part) if part.active else problem


def study_problems(names: Sequence[str], files: Sequence[DataOptions],
                   perturbation: Perturbation) -> tuple[list[Problem], dict[int, np.ndarray]]:
    """The problems as :func:`load_problems` gives them, and the validation rows each
    data file's ``--split-column`` fixed (by ``id(problem)``; none otherwise)."""
    if not any(data.split_column for data in files):
        return load_problems(names, files, perturbation), {}
    if perturbation.imbalance < 1:  # drops training rows: the split would move
        raise UsageError("--imbalance drops training rows, so it cannot keep the rows "
                         "--split-column marks for validation; use one or the other")
    problems, held = builtin_problems(names, True, perturbation), {}
    for data in files:
        problem, rows = load_csv_split(data) if data.split_column else (load_csv(data), None)
        if perturbation.active:
            problem = perturb(problem, perturbation)
        if rows is not None:  # None: the file has no split column
            held[id(problem)] = rows
        problems.append(problem)
    return problems, held

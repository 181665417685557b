"""The problems the picker lists, as training sees them: built-in or own data, perturbed.

Each (problem, perturbation) is made once and kept, so the scatter, the
picker's checks and the runs all see the same value, and the run board can
find a run's regions by identity (``regions_for``).
"""

from __future__ import annotations

from dataclasses import replace

from lossterm import pipeline
from lossterm.engine import Problem, get_problem
from lossterm.engine.perturb import Perturbation
from lossterm.options import Options


class Problems:
    def __init__(self, own: list[Problem] = ()):
        self.own = {p.name: p for p in own}  # own data, by its shown name
        self._made: dict[tuple[str, Perturbation], Problem] = {}

    def get(self, name: str, options: Options, perturbation: Perturbation) -> Problem:
        """The problem listed as ``name``, with the perturbations that apply to its kind."""
        key = (name, perturbation)
        if key not in self._made:
            base = self.own.get(name) or get_problem(name)
            self._made[key] = pipeline.perturbed(base, replace(options, perturbation=perturbation))
        return self._made[key]

    def add_own(self, problem: Problem) -> None:
        """Own data loaded (again) under ``problem.name``: forget what was made of the old."""
        self.own[problem.name] = problem
        self._made = {k: v for k, v in self._made.items() if k[0] != problem.name}

"""What the next run will use: the options, seeds per run, the perturbation, own data.

The keys n, L, O, I and the ``o`` dialog change these; planning reads them.
Problems are made once per (problem, perturbation) and kept, so the scatter,
the picker's checks and the runs all see the same value, and the run board
can find a run's regions by identity (``RunBoard.regions_run``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lossterm import service
from lossterm.app.keys import PERTURBATION_STEPS, SEED_CHOICES, next_step
from lossterm.data.own import DataOptions
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import Problem, get_problem
from lossterm.options import Options
from lossterm.training.plan import Plan


class Settings:
    def __init__(self, options: Options, seeds: int, own: Sequence[Problem] = (),
                 perturbation: Perturbation | None = None):
        self.options = options
        self.seeds = seeds
        self.seed_choices = tuple(sorted({*SEED_CHOICES, seeds}))  # --seeds 7 joins the cycle
        self.perturbation = perturbation or options.perturbation
        self.own = {p.name: p for p in own}  # own data, by its shown name
        self._made: dict[tuple[str, Perturbation], Problem] = {}

    def problem(self, name: str, perturbation: Perturbation | None = None) -> Problem:
        """The problem listed as ``name``, with the perturbations that apply to its kind
        (``perturbation``, else the one the keys set now)."""
        perturbation = perturbation or self.perturbation
        key = (name, perturbation)
        if key not in self._made:
            base = self.own.get(name) or get_problem(name)
            options = replace(self.options, perturbation=perturbation)
            self._made[key] = service.perturbed(base, options)
        return self._made[key]

    def plan(self, problem: str, losses: list[str], *, seeds: int | None = None,
             perturbation: Perturbation | None = None) -> Plan:
        """The jobs ``losses`` on ``problem`` make now (``seeds`` per loss, on the problem
        perturbed by ``perturbation``: by default what n, L, O and I set); raises
        LosstermError if none can."""
        options = replace(self.options, losses=tuple(losses), seeds=seeds or self.seeds)
        return service.plan(options, problems=[self.problem(problem, perturbation)])

    @property
    def study_seeds(self) -> int:
        """The paired replicates (final seeds) S and R train: the protocol's, 10 unless
        ``--seeds`` said otherwise. Not ``n``'s seeds per run, which are for t and a: a
        study over the 3 seeds set for quick runs has little power, silently."""
        return self.options.seeds if self.options.seeds > 1 else self.options.protocol.seeds

    def next_seeds(self) -> None:
        later = [n for n in self.seed_choices if n > self.seeds]
        self.seeds = later[0] if later else self.seed_choices[0]

    def cycle(self, name: str) -> None:
        """The next step of one perturbation (``label_noise``, ``outliers``, ``imbalance``)."""
        now = getattr(self.perturbation, name)
        step: dict[str, Any] = {name: next_step(PERTURBATION_STEPS[name], now)}  # name: any field
        self.perturbation = replace(self.perturbation, **step)

    def read_own(self, data: DataOptions) -> tuple[Options, Problem]:
        """Read own data, changing nothing here: safe on a worker thread."""
        options = self.options.with_data(data)
        [problem] = service.load_problems(replace(options, data=options.data[-1:],
                                                  perturbation=Perturbation()))
        return options, problem

    def use_own(self, options: Options, problem: Problem) -> Problem:
        """Use own data read by :meth:`read_own` from now on (on the UI thread)."""
        self.options = options
        self.own[problem.name] = problem
        self._made = {k: v for k, v in self._made.items() if k[0] != problem.name}
        return problem

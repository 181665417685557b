"""Which runs a request means: the tutorial's nine, a problem's losses, or named pairs.

Planning is where names end: every run comes out as a resolved, checked
:class:`Job` holding its problem and loss record, before any training starts,
so a bad name or a loss that cannot take the data stops the whole request up
front instead of after minutes of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lossterm.core.errors import UsageError
from lossterm.data.problems import Problem, get_problem, tutorial_problem_for
from lossterm.losses import (
    TUTORIAL_LOSSES,
    LossSpec,
    get_loss,
    losses_for_kind,
    tutorial_losses_for,
)
from lossterm.losses.checks import check
from lossterm.training.fit import resolve
from lossterm.training.records import Job, RunConfig

ALL = "all"


@dataclass
class Plan:
    runs: list[Job] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # losses `all` left out, with why


def plan_runs(problems=(), losses=(), base: RunConfig | None = None) -> Plan:
    """The runs for problem/loss choices; ``base`` carries seed, epochs and so on.

    ``problems`` are :class:`Problem` values or built-in names; ``losses`` are
    loss names, records or ``'all'``.
    """
    base = base or RunConfig(problem="", loss="")
    problems = [p if isinstance(p, Problem) else get_problem(p) for p in problems]
    losses = list(losses)
    if not problems and not losses:
        pairs = [(tutorial_problem_for(s.kind), s) for s in TUTORIAL_LOSSES]
    elif not problems:
        if ALL in losses:
            raise UsageError("{field} all needs {field:problem}: 'all' means every loss that fits it",
                             field="loss")
        specs = [_spec(loss) for loss in losses]
        pairs = [(tutorial_problem_for(s.kind), s) for s in specs]
    else:
        pairs = [(p, spec) for p in problems for spec in _losses_for(p, losses)]
    plan = Plan()
    seen: set[tuple[int, str]] = set()
    for problem, spec in pairs:
        if (id(problem), spec.name) in seen:  # keep order, drop repeats
            continue
        seen.add((id(problem), spec.name))
        job = resolve(replace(base, problem=problem, loss=spec))
        try:
            check(job.loss, problem)
        except UsageError as why:
            if ALL not in losses:
                raise
            plan.skipped.append(str(why))
            continue
        plan.runs.append(job)
    return plan


def _spec(loss) -> LossSpec:
    return loss if isinstance(loss, LossSpec) else get_loss(loss)


def _losses_for(problem: Problem, losses: list) -> list[LossSpec]:
    if not losses:
        return list(tutorial_losses_for(problem.kind))
    specs: list[LossSpec] = []
    for loss in losses:
        if isinstance(loss, str) and loss.lower() == ALL:
            specs += list(losses_for_kind(problem.kind))
        else:
            specs.append(_spec(loss))
    return specs

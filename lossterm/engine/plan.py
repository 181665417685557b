"""Which runs a request means: the tutorial's nine, a problem's losses, or named pairs.

Every run is resolved and checked here, before any training starts, so a bad
name or a loss that cannot take the data stops the whole request up front
instead of after minutes of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lossterm.engine.checks import check
from lossterm.engine.losses import TUTORIAL_LOSSES, get_loss, losses_for_kind
from lossterm.engine.problems import PROBLEM_KIND, get_problem
from lossterm.engine.records import RunConfig
from lossterm.engine.training import resolve
from lossterm.errors import UsageError

ALL = "all"


@dataclass
class Plan:
    runs: list[RunConfig] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # losses `all` left out, with why


def tutorial_problem_for(kind: str) -> str:
    return next(p for p, k in PROBLEM_KIND.items() if k == kind)


def plan_runs(problems=(), losses=(), base: RunConfig | None = None) -> Plan:
    """The runs for ``--problem``/``--loss`` choices; ``base`` carries seed, epochs and so on."""
    base = base or RunConfig(problem="", loss="")
    problems = [get_problem(p).name for p in problems]
    losses = list(losses)
    if not problems and not losses:
        pairs = [(tutorial_problem_for(s.kind), s.name) for s in TUTORIAL_LOSSES]
    elif not problems:
        if ALL in losses:
            raise UsageError("--loss all needs --problem: 'all' means every loss that fits it")
        pairs = [(tutorial_problem_for(get_loss(l).kind), l) for l in losses]
    else:
        pairs = []
        for p in problems:
            for loss in _losses_for(p, losses):
                pairs.append((p, loss))
    plan = Plan()
    for problem, loss in dict.fromkeys(pairs):  # keep order, drop repeats
        config, _, spec = resolve(replace(base, problem=problem, loss=loss))
        try:
            check(spec, get_problem(problem))
        except UsageError as why:
            if ALL not in losses:
                raise
            plan.skipped.append(str(why))
            continue
        plan.runs.append(config)
    return plan


def _losses_for(problem: str, losses: list[str]) -> list[str]:
    kind = get_problem(problem).kind
    if not losses:
        return [s.name for s in TUTORIAL_LOSSES if s.kind == kind]
    names: list[str] = []
    for loss in losses:
        if loss.lower() == ALL:
            names += [s.name for s in losses_for_kind(kind)]
        else:
            names.append(get_loss(loss).name)
    return names

"""What to check before training: does the loss fit the problem and its data?

A loss that does not fit, or data it cannot take at all, raises
:class:`UsageError`. Data that a loss accepts but quietly mistreats gives a
warning, carried into every report with its reason. Notes explain figures
that would otherwise surprise.
"""

from __future__ import annotations

from dataclasses import dataclass

from lossterm.core.errors import UsageError
from lossterm.data.problems import Problem
from lossterm.losses import LossSpec, losses_for_kind
from lossterm.losses.forms import why_no_form


@dataclass(frozen=True)
class Findings:
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def check_fit(spec: LossSpec, problem: Problem) -> None:
    """Raise if ``spec`` is for another kind of problem than ``problem`` (a record already
    in the form that trains it -- per label, two-node -- is of the problem's kind)."""
    if spec.kind != problem.kind:
        why = why_no_form(spec, problem.kind)
        fitting = ", ".join(s.name for s in losses_for_kind(problem.kind))
        raise UsageError(
            (f"{why}; " if why else
             f"{spec.name} fits {spec.kind} problems, but {problem.name} is {problem.kind}; ")
            + f"losses that fit {problem.name}: {fitting}"
            + (" (or any multiclass loss by name, in its two-node form)"
               if problem.kind == "binary" and spec.kind != "multiclass" else "")
        )


def check(spec: LossSpec, problem: Problem) -> Findings:
    """Check ``spec`` against ``problem``; raise on what cannot train at all."""
    check_fit(spec, problem)
    y = problem.y_train
    warnings: list[str] = []
    notes: list[str] = []
    for rule in spec.rules:
        rule(spec, problem, y, warnings, notes)
    return Findings(tuple(warnings), tuple(notes))

"""What to check before training: does the loss fit the problem and its data?

A loss that does not fit, or data it cannot take at all, raises
:class:`UsageError`. Data that a loss accepts but quietly mistreats gives a
warning, carried into every report with its reason. Notes explain figures
that would otherwise surprise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossterm.engine.losses import LossSpec, encode_targets, losses_for_kind
from lossterm.engine.problems import Problem
from lossterm.errors import UsageError

KERAS_EPSILON = 1e-7


@dataclass(frozen=True)
class Findings:
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def check_fit(spec: LossSpec, problem: Problem) -> None:
    """Raise if ``spec`` is for another kind of problem than ``problem``."""
    if spec.kind != problem.kind:
        fitting = ", ".join(s.name for s in losses_for_kind(problem.kind))
        raise UsageError(
            f"{spec.name} fits {spec.kind} problems, but {problem.name} is {problem.kind}; "
            f"losses that fit {problem.name}: {fitting}"
        )


def check(spec: LossSpec, problem: Problem) -> Findings:
    """Check ``spec`` against ``problem``; raise on what cannot train at all."""
    check_fit(spec, problem)
    y = problem.y_train
    warnings: list[str] = []
    notes: list[str] = []
    for rule in _RULES.get(spec.name, ()):
        rule(spec, problem, y, warnings, notes)
    return Findings(tuple(warnings), tuple(notes))


def _percent(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f}%)"


def _msle_negative(spec, problem, y, warnings, notes):
    negative = int(np.sum(y < 0))
    if negative:
        warnings.append(
            f"{spec.name}: {_percent(negative, y.size)} training targets are negative; "
            f"Keras clamps targets and predictions below {KERAS_EPSILON:g} before log(1 + x), "
            "so all of them look like 0 and the model learns a degenerate signal"
        )


def _mape_near_zero(spec, problem, y, warnings, notes):
    scale = float(np.mean(np.abs(y))) or 1.0
    near = int(np.sum(np.abs(y) < 0.05 * scale))
    if near:
        warnings.append(
            f"{spec.name}: {_percent(near, y.size)} training targets are within 5% of the "
            "mean |y| of zero; MAPE divides each error by |y| (floored at 1e-7), so those "
            "few rows dominate the loss"
        )


def _poisson_negative(spec, problem, y, warnings, notes):
    negative = int(np.sum(y < 0))
    if negative:
        raise UsageError(
            f"{spec.name} needs targets >= 0 (it is the likelihood of counts), but "
            f"{_percent(negative, y.size)} training targets of {problem.name} are negative"
        )


def _kl_distribution(spec, problem, y, warnings, notes):
    targets = encode_targets(spec, y, problem.n_classes)
    in_range = np.all((targets >= 0) & (targets <= 1))
    sums_to_one = np.allclose(targets.sum(axis=-1), 1.0, atol=1e-6)
    if not (in_range and sums_to_one):
        warnings.append(
            f"{spec.name}: targets are not probability distributions (each row in [0, 1], "
            f"summing to 1); Keras clips them to [{KERAS_EPSILON:g}, 1], so the loss "
            "it minimises is not a divergence"
        )
    elif np.all((targets == 0) | (targets == 1)):
        notes.append(
            f"{spec.name}: on one-hot targets the entropy term is 0, so KL divergence "
            "equals categorical cross-entropy: same values, same gradients"
        )


def _hinge_accuracy(spec, problem, y, warnings, notes):
    notes.append(
        f"{spec.name}: targets are encoded as {{-1, 1}} and a tanh output is read as class 1 "
        "when f > 0. Keras's plain 'accuracy' misreads this output: Keras 3 thresholds at "
        "0.5 so no -1 label ever matches (keras3_accuracy), Keras 2 compared labels with "
        "round(f), missing right answers with |f| < 0.5 (keras2_accuracy, the tutorial's figure)"
    )


_RULES = {
    "mean_squared_logarithmic_error": (_msle_negative,),
    "mean_absolute_percentage_error": (_mape_near_zero,),
    "poisson": (_poisson_negative,),
    "kl_divergence": (_kl_distribution,),
    "hinge": (_hinge_accuracy,),
    "squared_hinge": (_hinge_accuracy,),
}

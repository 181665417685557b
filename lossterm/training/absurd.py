"""Absurd finite values: a run that ends astronomically wrong has diverged in all but name.

A regression run can end with every loss value finite and a test MSE of 1.5e33
(MAPE on targets near zero, say): nothing became NaN, so the NaN check passes it
as ``done``, and its figure then swamps every mean, table and plot it enters.
The rule here judges a test MSE against the target's own scale: predicting the
mean of the targets scores about their variance, so an MSE ``ABSURD_RATIO``
times that variance (an RMSE a thousand standard deviations off) says nothing
about the loss but that training blew up. Accuracy is bounded and never absurd.

The engine calls :func:`absurd_reason` when a run ends and, given a reason,
records the run as diverged with that reason as its message.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lossterm.data.problems import Problem
    from lossterm.training.records import RunResult

ABSURD_RATIO = 1e6  # an MSE this many times the target's variance is absurd


def target_scale(problem: Problem) -> float:
    """The MSE of predicting the mean: the targets' variance (1 when they are constant)."""
    variance = float(np.var(problem.y_all))
    return variance if math.isfinite(variance) and variance > 0 else 1.0


def absurd_mse(mse: float, scale: float) -> str | None:
    """Why an MSE is absurd against ``scale`` (the target's variance), or None if it is not."""
    if not math.isfinite(mse):
        return f"test MSE became {mse}"
    if mse > ABSURD_RATIO * scale:
        return (f"test MSE {mse:.3g} is over {ABSURD_RATIO:g} times the target's variance "
                f"({scale:.3g}): the predictions are meaningless")
    return None


def absurd_reason(result: RunResult, problem: Problem) -> str | None:
    """Why a run that trained to the end must count as diverged, or None."""
    if result.metric != "mse" or not result.records:
        return None
    why = absurd_mse(result.records[-1].test_metric, target_scale(problem))
    return None if why is None else f"{why} (at epoch {result.records[-1].epoch}, the last)"

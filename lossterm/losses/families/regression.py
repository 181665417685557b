"""The regression losses: one output unit, targets as they are.

Apart from the other families because they share nothing with them but the record type:
their heads free the output (or keep it positive), their references compare residuals.
:mod:`lossterm.losses.catalogue` assembles every family.
"""

from __future__ import annotations

from lossterm.core.types import Encoding, Kind
from lossterm.losses import reference as ref
from lossterm.losses import rules
from lossterm.losses.heads import LINEAR, SOFTPLUS
from lossterm.losses.reference import EPS, MEAN, Reference
from lossterm.losses.spec import LossSpec

# The losses drawn together on the theory screen.
REGRESSION_FAMILY = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
                     "mean_squared_logarithmic_error")

_RESIDUAL_HEAD = "linear: the target can be any real number, so the output must be free to be"

REGRESSION: tuple[LossSpec, ...] = (
    LossSpec(
        name="mean_squared_error", aliases=("mse",), title="Mean squared error", tutorial=True,
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason="linear: the conditional mean can be any real number (the tutorial's head)",
        keras_class="MeanSquaredError",
        reference=Reference(ref.mse, "mean((y - ŷ)²)", None, MEAN, "mean_squared_error"),
        summary="average squared residual; maximum likelihood under Gaussian noise",
        why="the negative log-likelihood of Gaussian noise with fixed variance: the model "
            "predicts the conditional mean. A linear output, because the mean can be any real "
            "number.",
        pitfalls="outliers dominate: one residual of 10 outweighs a hundred of 1.",
        family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="mean_squared_logarithmic_error", aliases=("msle",), tutorial=True,
        title="Mean squared logarithmic error",
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason="linear, the tutorial's head, kept: Keras clamps predictions to ε before "
                    "the log, so any real output trains; a softplus cannot follow the "
                    "standardized targets below 0 (regression, seeds 0-4: test MSE 0.57-0.63 "
                    "against 0.09-0.25 linear)",
        keras_class="MeanSquaredLogarithmicError",
        reference=Reference(
            ref.msle, "mean((log(1 + max(ŷ, ε)) - log(1 + max(y, ε)))²)", EPS, MEAN,
            "mean_squared_log_error",
            "scikit-learn takes log(1 + x) as it is and refuses values below 0 (or -1 in "
            "newer versions); Keras clamps them to ε first"),
        summary="squared error of log(1 + y); for positive targets spanning orders of magnitude",
        why="MSE on log(1 + y): Gaussian noise on a log scale, i.e. multiplicative errors. For "
            "positive targets spanning orders of magnitude, where being 10% off matters "
            "equally at 10 and at 10,000.",
        pitfalls="Keras clamps negative targets and predictions to about 0 before the log, so "
                 "on standardized targets (half negative) it trains on a degenerate signal: "
                 "the tutorial's 0.165 test MSE.",
        rules=(rules.msle_negative,), family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="mean_absolute_error", aliases=("mae",), title="Mean absolute error", tutorial=True,
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason="linear: the conditional median can be any real number (the tutorial's "
                    "head)",
        keras_class="MeanAbsoluteError",
        reference=Reference(ref.mae, "mean(|y - ŷ|)", None, MEAN, "mean_absolute_error"),
        summary="average absolute residual; robust to outliers (Laplace noise)",
        why="the negative log-likelihood of Laplace noise: the model predicts the conditional "
            "median, which outliers barely move.",
        pitfalls="a constant gradient, so training jumps around the optimum unless the "
                 "learning rate decays (the tutorial's bumpy curve).",
        family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="huber", aliases=("huber_loss",), title="Huber",
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason=_RESIDUAL_HEAD, keras_class="Huber",
        reference=Reference(ref.huber, "mean(½r² if |r| ≤ δ else δ·(|r| - ½δ)), r = ŷ - y, "
                            "δ = 1", None, MEAN),
        summary="squared near zero, absolute beyond delta = 1; MSE's smoothness with MAE's "
                "robustness",
        why="quadratic near zero (like MSE: smooth, efficient) and linear beyond δ (like MAE: "
            "an outlier's pull is capped).",
        pitfalls="δ is in the target's units: δ = 1 suits standardized targets, not raw prices.",
        family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="log_cosh", aliases=("logcosh",), title="Log-cosh",
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason=_RESIDUAL_HEAD, keras_class="LogCosh",
        reference=Reference(ref.log_cosh, "mean(log(cosh(ŷ - y))), computed as x + "
                            "softplus(-2x) - log 2", None, MEAN),
        summary="log(cosh(residual)): about r²/2 when small, |r| - log 2 when large",
        why="a smooth Huber: about r²/2 for small residuals and |r| - log 2 for large ones, "
            "twice differentiable everywhere.",
        pitfalls="like Huber, its switch point (about |r| = 1) is in the target's units.",
        family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="mean_absolute_percentage_error", aliases=("mape",),
        title="Mean absolute percentage error",
        kind=Kind.REGRESSION, head=LINEAR, target_encoding=Encoding.AS_IS,
        head_reason=_RESIDUAL_HEAD, keras_class="MeanAbsolutePercentageError",
        reference=Reference(
            ref.mape, "100 · mean(|y - ŷ| / max(|y|, ε))", EPS, MEAN,
            "mean_absolute_percentage_error",
            "scikit-learn returns a fraction, not a percentage, and floors |y| at machine "
            "epsilon (2.2e-16) instead of 1e-7"),
        summary="100 · |residual| / |y|; explodes when targets are near zero",
        why="the relative error in percent: a 1-unit miss on a target of 2 costs as much as a "
            "100-unit miss on 200. Targets must be far from 0.",
        pitfalls="divides by |y| (floored at 1e-7): targets near 0 make it explode; on "
                 "standardized targets it diverges.",
        rules=(rules.mape_near_zero,), family=REGRESSION_FAMILY,
    ),
    LossSpec(
        name="poisson", title="Poisson",
        kind=Kind.REGRESSION, head=SOFTPLUS, target_encoding=Encoding.AS_IS,
        head_reason="softplus: the Poisson mean must be positive (log(ŷ + ε) of a negative "
                    "output is NaN); unlike exp, the GLM's log link, it grows only linearly",
        keras_class="Poisson",
        reference=Reference(
            ref.poisson, "mean(ŷ - y·log(ŷ + ε))", EPS, MEAN, "mean_poisson_deviance",
            "scikit-learn's mean Poisson deviance is 2·mean(y·log(y/ŷ) - y + ŷ): twice "
            "Keras's Poisson plus a term that depends on y alone"),
        summary="negative Poisson log-likelihood; for counts, needs targets ≥ 0 and a positive "
                "output",
        why="the negative log-likelihood of Poisson counts with mean ŷ: for counts, where the "
            "variance grows with the mean. The output must stay positive (softplus here; the "
            "log link, exp, is the GLM's choice).",
        pitfalls="needs targets >= 0 (lossterm refuses others) and a positive output.",
        rules=(rules.poisson_negative,), family=REGRESSION_FAMILY,
    ),
)

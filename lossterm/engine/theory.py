"""What a loss is: its maximum-likelihood reading, its pitfalls, and its shape.

The shape is the loss of one sample as its error grows, computed with the
reference implementation: against the residual ŷ - y (regression), the
margin y·f (binary: f is the tanh output or, for the probabilistic losses,
the logit) or the probability given to the true class (multi-class).
"""

from __future__ import annotations

import numpy as np

from lossterm.engine.losses import LossSpec, get_loss
from lossterm.engine.problems import BINARY, REGRESSION
from lossterm.engine.reference import REFERENCES

WHY = {
    "mean_squared_error": "the negative log-likelihood of Gaussian noise with fixed variance: "
        "the model predicts the conditional mean. A linear output, because the mean can be "
        "any real number.",
    "mean_squared_logarithmic_error": "MSE on log(1 + y): Gaussian noise on a log scale, i.e. "
        "multiplicative errors. For positive targets spanning orders of magnitude, where "
        "being 10% off matters equally at 10 and at 10,000.",
    "mean_absolute_error": "the negative log-likelihood of Laplace noise: the model predicts "
        "the conditional median, which outliers barely move.",
    "huber": "quadratic near zero (like MSE: smooth, efficient) and linear beyond δ (like "
        "MAE: an outlier's pull is capped).",
    "log_cosh": "a smooth Huber: about r²/2 for small residuals and |r| - log 2 for large "
        "ones, twice differentiable everywhere.",
    "mean_absolute_percentage_error": "the relative error in percent: a 1-unit miss on a "
        "target of 2 costs as much as a 100-unit miss on 200. Targets must be far from 0.",
    "poisson": "the negative log-likelihood of Poisson counts with mean ŷ: for counts, "
        "where the variance grows with the mean. The output must stay positive "
        "(softplus here; the log link, exp, is the GLM's choice).",
    "binary_crossentropy": "the negative log-likelihood of a Bernoulli variable with "
        "probability ŷ: maximum likelihood for two classes. A sigmoid output, because ŷ "
        "must be a probability; its gradient with a sigmoid is simply ŷ - y.",
    "hinge": "the support-vector machine's margin loss: zero once a point is on the right "
        "side with margin 1, linear otherwise. No probabilities; a tanh output in [-1, 1] "
        "and labels in {-1, 1}.",
    "squared_hinge": "the hinge squared: smooth at the margin, and a misclassified point "
        "costs quadratically more.",
    "binary_focal_crossentropy": "cross-entropy scaled by (1 - p_t)^γ: easy, already-right "
        "examples count for little, so training concentrates on the hard ones (built for "
        "heavy class imbalance).",
    "categorical_crossentropy": "the negative log-likelihood of a categorical variable with "
        "probabilities ŷ: maximum likelihood for several classes. A softmax output, one "
        "unit per class, one-hot targets.",
    "sparse_categorical_crossentropy": "categorical cross-entropy taking the class index "
        "instead of a one-hot row: the same number, without building the one-hot matrix "
        "(which matters with thousands of classes).",
    "kl_divergence": "how far the predicted distribution is from the target distribution. "
        "With one-hot targets the target's entropy is 0 and it equals categorical "
        "cross-entropy; it differs only for soft targets (distillation, label smoothing).",
    "categorical_hinge": "a multi-class margin loss: the true class's score must beat the "
        "best wrong score by 1. On softmax outputs scores are squeezed into [0, 1], which "
        "makes that margin hard to reach.",
    "categorical_focal_crossentropy": "categorical cross-entropy scaled by α(1 - p)^γ "
        "(α = 0.25, γ = 2): the multi-class focal loss, for imbalanced classes.",
}

PITFALLS = {
    "mean_squared_error": "outliers dominate: one residual of 10 outweighs a hundred of 1.",
    "mean_squared_logarithmic_error": "Keras clamps negative targets and predictions to about "
        "0 before the log, so on standardized targets (half negative) it trains on a "
        "degenerate signal: the tutorial's 0.165 test MSE.",
    "mean_absolute_error": "a constant gradient, so training jumps around the optimum unless "
        "the learning rate decays (the tutorial's bumpy curve).",
    "huber": "δ is in the target's units: δ = 1 suits standardized targets, not raw prices.",
    "log_cosh": "like Huber, its switch point (about |r| = 1) is in the target's units.",
    "mean_absolute_percentage_error": "divides by |y| (floored at 1e-7): targets near 0 make "
        "it explode; on standardized targets it diverges.",
    "poisson": "needs targets >= 0 (lossterm refuses others) and a positive output.",
    "binary_crossentropy": "predictions of exactly 0 or 1 are clipped to [1e-7, 1 - 1e-7]; "
        "the articles' formula without the (1 - y)·log(1 - ŷ) term is wrong for y = 0.",
    "hinge": "Keras's plain 'accuracy' misreads a tanh output: Keras 3 reports about 0.40 on "
        "the tutorial's circles, Keras 2 (round(f)) 0.79, while the real accuracy (sign of f) "
        "is about 0.85. Keras converts {0, 1} labels only when every label in the batch is 0 "
        "or 1.",
    "squared_hinge": "the same accuracy pitfall as hinge; sensitive to label noise.",
    "binary_focal_crossentropy": "γ = 2 by default; on balanced, clean data it is no better "
        "than cross-entropy and its loss values are not comparable with it.",
    "categorical_crossentropy": "Keras renormalises predicted rows that do not sum to 1 "
        "before taking logs; hand-written formulas usually do not (0.2602 vs 0.2284 on the "
        "article's example).",
    "sparse_categorical_crossentropy": "targets must be integers 0..k-1, not one-hot rows.",
    "kl_divergence": "Keras clips targets and predictions to [1e-7, 1]: targets that are not "
        "distributions make it something else than a divergence.",
    "categorical_hinge": "with softmax outputs it often stalls (about 0.55 accuracy on blobs "
        "against 0.82 for cross-entropy).",
    "categorical_focal_crossentropy": "α = 0.25 scales every value: compare it with others "
        "by accuracy, never by loss.",
}


def metric_advice(spec: LossSpec) -> str:
    if spec.kind == REGRESSION:
        return ("report MSE (or RMSE/MAE, in the target's units) on the test set: the same "
                "figure for every regression loss, so losses compare fairly")
    return ("report accuracy on the test set, reading classes as the output layer means them "
            f"({spec.decision}); never compare losses by their own values")


def explain(name: str) -> str:
    """Plain text for ``lossterm explain`` and the TUI's theory screen."""
    spec = get_loss(name)
    ref = REFERENCES[spec.name]
    eps = f"{ref.epsilon:g}" if ref.epsilon else "none"
    sklearn = f"{ref.sklearn}" + (f" ({ref.sklearn_difference})" if ref.sklearn_difference
                                  else " (same)") if ref.sklearn else "none"
    lines = [
        f"{spec.title} ({', '.join(spec.names)})",
        "",
        f"formula     {ref.formula}",
        f"epsilon     {eps}",
        f"reduction   {ref.reduction}",
        f"problem     {spec.kind}",
        f"output      {'n' if spec.kind == 'multiclass' else '1'} unit(s), "
        f"{spec.output_activation}",
        f"targets     {spec.target_encoding}",
        f"sklearn     {sklearn}",
        "",
        f"why: {WHY[spec.name]}",
        "",
        f"pitfalls: {PITFALLS[spec.name]}",
        "",
        f"metric: {metric_advice(spec)}",
    ]
    return "\n".join(lines) + "\n"


def shape_axis(kind: str) -> str:
    return {REGRESSION: "residual ŷ - y", BINARY: "margin y·f"}.get(kind, "p(true class)")


def shape(name: str, points: int = 81, target: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(x, loss of one sample at x) for the axis of the loss's kind."""
    spec = get_loss(name)
    f = REFERENCES[spec.name].function
    if spec.kind == REGRESSION:
        x = np.linspace(-3, 3, points)
        return x, np.array([f(np.array([target]), np.array([target + r])) for r in x])
    if spec.kind == BINARY:
        x = np.linspace(-3, 3, points)
        if spec.output_activation == "tanh":  # f itself, labels ±1
            return x, np.array([f(np.array([1.0]), np.array([m])) for m in x])
        p = 1 / (1 + np.exp(-x))  # the margin as a logit
        return x, np.array([f(np.array([1.0]), np.array([q])) for q in p])
    x = np.linspace(0.02, 0.98, points)
    rows = np.stack([x, (1 - x) / 2, (1 - x) / 2], axis=1)  # the rest split evenly
    truth = np.array([0]) if spec.target_encoding == "integer" else np.eye(3)[[0]]
    return x, np.array([f(truth, row[None]) for row in rows])

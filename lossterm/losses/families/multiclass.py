"""The multi-class losses: one output unit per class, a distribution or scores.

Apart from :mod:`.robust`, which holds the noise-robust multi-class losses.
:mod:`lossterm.losses.catalogue` assembles every family.
"""

from __future__ import annotations

from lossterm.core.types import Encoding, Kind
from lossterm.losses import reference as ref
from lossterm.losses import rules
from lossterm.losses.heads import SCORES, SOFTMAX
from lossterm.losses.reference import EPS, MEAN, SUM, Reference
from lossterm.losses.spec import LossSpec

# The losses drawn together on the theory screen.
MULTICLASS_FAMILY = ("categorical_crossentropy", "kl_divergence", "categorical_hinge",
                     "categorical_focal_crossentropy")

MULTICLASS: tuple[LossSpec, ...] = (
    LossSpec(
        name="categorical_crossentropy", aliases=("cce",), tutorial=True,
        title="Categorical cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: a categorical likelihood takes the log of each class's "
                    "probability, so the outputs must be a distribution (the tutorial's head)",
        keras_class="CategoricalCrossentropy",
        reference=Reference(
            ref.cce, "-mean(Σ_k y_k·log p_k), p = clip(ŷ / Σ_k ŷ_k, ε, 1 - ε)", EPS, SUM,
            "log_loss",
            "Keras renormalises predicted rows that do not sum to 1; scikit-learn 1.9 takes "
            "them as they are (with a warning), like the plain Σ y·log ŷ (older versions "
            "renormalised)"),
        summary="negative categorical log-likelihood of the true class",
        why="the negative log-likelihood of a categorical variable with probabilities ŷ: "
            "maximum likelihood for several classes. A softmax output, one unit per class, "
            "one-hot targets.",
        pitfalls="Keras renormalises predicted rows that do not sum to 1 before taking logs; "
                 "hand-written formulas usually do not (0.2602 vs 0.2284 on the article's "
                 "example).",
        family=MULTICLASS_FAMILY,
    ),
    LossSpec(
        name="sparse_categorical_crossentropy", aliases=("scce",), tutorial=True,
        title="Sparse categorical cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.INTEGER,
        head_reason="softmax: the same likelihood as categorical cross-entropy (the tutorial's "
                    "head)",
        keras_class="SparseCategoricalCrossentropy",
        reference=Reference(ref.scce, "-mean(log p_y), p = clip(ŷ, ε, 1 - ε) / Σ_k clip(ŷ_k, "
                            "ε, 1 - ε), y an integer", EPS, SUM, "log_loss"),
        summary="categorical cross-entropy taking integer labels instead of one-hot rows",
        why="categorical cross-entropy taking the class index instead of a one-hot row: the "
            "same number, without building the one-hot matrix (which matters with thousands "
            "of classes).",
        pitfalls="targets must be integers 0..k-1, not one-hot rows.",
        family=MULTICLASS_FAMILY,
    ),
    LossSpec(
        name="kl_divergence", aliases=("kullback_leibler_divergence", "kld", "kl"),
        title="Kullback-Leibler divergence", tutorial=True,
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: a divergence between two distributions needs the prediction to "
                    "be one (the tutorial's head)",
        keras_class="KLDivergence",
        reference=Reference(ref.kld, "mean(Σ_k y_k·log(y_k / p_k)), y and ŷ clipped to "
                            "[ε, 1]", EPS, SUM),
        summary="sum y·log(y/p); on one-hot targets equal to categorical cross-entropy",
        why="how far the predicted distribution is from the target distribution. With one-hot "
            "targets the target's entropy is 0 and it equals categorical cross-entropy; it "
            "differs only for soft targets (distillation, label smoothing).",
        pitfalls="Keras clips targets and predictions to [1e-7, 1]: targets that are not "
                 "distributions make it something else than a divergence.",
        rules=(rules.kl_distribution,), family=MULTICLASS_FAMILY,
    ),
    LossSpec(
        name="categorical_hinge", title="Categorical hinge",
        kind=Kind.MULTICLASS, head=SCORES, target_encoding=Encoding.ONE_HOT,
        head_reason="linear scores: the true class's score must beat the best wrong one by 1. "
                    "Softmax squeezes scores into [0, 1], where that margin is reached only at "
                    "saturation, and runs stall (blobs, seeds 0-4: test accuracy 0.548, 0.550, "
                    "0.550, 0.826, 0.342); linear scores train like cross-entropy (0.820 to "
                    "0.834, mean 0.827 against 0.825)",
        keras_class="CategoricalHinge",
        reference=Reference(
            ref.categorical_hinge, "mean(max(0, 1 + max_k((1 - y_k)·ŷ_k) - Σ_k y_k·ŷ_k)), ŷ "
            "scores", None, MEAN, "hinge_loss",
            "scikit-learn's multi-class hinge takes the best wrong score as it is; Keras takes "
            "max((1 - y)·ŷ), which is 0 when every wrong score is negative"),
        summary="max(0, 1 + best wrong score - true score): a multi-class margin loss",
        why="a multi-class margin loss: the true class's score must beat the best wrong score "
            "by 1. The scores are a linear output, one per class, read by argmax: they are not "
            "probabilities (a softmax would squeeze them into [0, 1], where that margin is "
            "hard to reach).",
        pitfalls="Keras takes the best wrong score as max((1 - y)·ŷ), so negative wrong scores "
                 "count as 0. Never pair it with a softmax: it stalls (about 0.55 accuracy "
                 "on blobs against 0.82 for cross-entropy).",
        family=MULTICLASS_FAMILY,
    ),
    LossSpec(
        name="categorical_focal_crossentropy", aliases=("categorical_focal", "cfce"),
        title="Categorical focal cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: it is cross-entropy with a weight α(1 - p)^γ, both of which need "
                    "class probabilities",
        keras_class="CategoricalFocalCrossentropy",
        reference=Reference(ref.categorical_focal, "mean(Σ_k α·(1 - p_k)^γ · (-y_k·log p_k)), "
                            "p = clip(ŷ / Σ ŷ, ε, 1 - ε), α = 0.25, γ = 2", EPS, SUM),
        summary="categorical cross-entropy scaled by (1 - p_true)^2",
        why="categorical cross-entropy scaled by α(1 - p)^γ (α = 0.25, γ = 2): the multi-class "
            "focal loss, for imbalanced classes.",
        pitfalls="α = 0.25 scales every value: compare it with others by accuracy, never by "
                 "loss.",
        family=MULTICLASS_FAMILY,
    ),
)

"""The binary losses: one output unit, a probability or a signed score.

Apart from :mod:`.robust`, which holds the two-class forms of the noise-robust losses
beside their multi-class forms. :mod:`lossterm.losses.catalogue` assembles every family.
"""

from __future__ import annotations

from lossterm.core.types import Encoding, Kind
from lossterm.losses import reference as ref
from lossterm.losses import rules
from lossterm.losses.heads import SIGMOID, TANH
from lossterm.losses.reference import EPS, MEAN, Reference
from lossterm.losses.spec import LossSpec

# The losses drawn together on the theory screen.
BINARY_FAMILY = ("binary_crossentropy", "hinge", "squared_hinge", "binary_focal_crossentropy")

BINARY: tuple[LossSpec, ...] = (
    LossSpec(
        name="binary_crossentropy", aliases=("bce", "binary_cross_entropy"), tutorial=True,
        title="Binary cross-entropy",
        kind=Kind.BINARY, head=SIGMOID, target_encoding=Encoding.AS_IS,
        head_reason="sigmoid: a Bernoulli likelihood takes log p and log(1 - p), so the output "
                    "must be a probability (the tutorial's head)",
        keras_class="BinaryCrossentropy",
        reference=Reference(
            ref.bce, "-mean(y·log p + (1 - y)·log(1 - p)), p = clip(ŷ, ε, 1 - ε)", EPS, MEAN,
            "log_loss",
            "scikit-learn clips at machine epsilon (2.2e-16) rather than 1e-7, so they differ "
            "only for predictions within 1e-7 of 0 or 1"),
        summary="negative Bernoulli log-likelihood of the class-1 probability",
        why="the negative log-likelihood of a Bernoulli variable with probability ŷ: maximum "
            "likelihood for two classes. A sigmoid output, because ŷ must be a probability; "
            "its gradient with a sigmoid is simply ŷ - y.",
        pitfalls="predictions of exactly 0 or 1 are clipped to [1e-7, 1 - 1e-7]; the articles' "
                 "formula without the (1 - y)·log(1 - ŷ) term is wrong for y = 0.",
        family=BINARY_FAMILY,
    ),
    LossSpec(
        name="hinge", title="Hinge", tutorial=True,
        kind=Kind.BINARY, head=TANH, target_encoding=Encoding.PLUS_MINUS_ONE,
        head_reason="tanh, the tutorial's head, kept: a margin loss wants a signed score, not "
                    "a probability. A linear score is the SVM's choice; tanh bounds y·f by 1 so "
                    "the loss only approaches 0, yet trains as well (circles, seeds 0-4: mean "
                    "test accuracy 0.848 tanh, 0.849 linear)",
        keras_class="Hinge",
        reference=Reference(
            ref.hinge, "mean(max(0, 1 - y·ŷ)), y in {-1, 1} ({0, 1} labels are mapped to "
            "{-1, 1})", None, MEAN, "hinge_loss",
            "when y holds a single class, scikit-learn's binary hinge_loss encodes it as -1, "
            "whatever it is"),
        summary="max(0, 1 - y·f): the SVM margin loss, zero once a point is beyond the margin",
        why="the support-vector machine's margin loss: zero once a point is on the right side "
            "with margin 1, linear otherwise. No probabilities; a tanh output in [-1, 1] and "
            "labels in {-1, 1}.",
        pitfalls="Keras's plain 'accuracy' misreads a tanh output: Keras 3 reports about 0.40 "
                 "on the tutorial's circles, Keras 2 (round(f)) 0.79, while the real accuracy "
                 "(sign of f) is about 0.85. Keras converts {0, 1} labels only when every "
                 "label in the batch is 0 or 1.",
        rules=(rules.hinge_accuracy,), family=BINARY_FAMILY,
    ),
    LossSpec(
        name="squared_hinge", title="Squared hinge", tutorial=True,
        kind=Kind.BINARY, head=TANH, target_encoding=Encoding.PLUS_MINUS_ONE,
        head_reason="tanh, the tutorial's head, kept: as for hinge, a signed score (not a "
                    "probability) whose sign is the class (circles, seeds 0-4: mean test "
                    "accuracy 0.850 tanh, 0.843 linear)",
        keras_class="SquaredHinge",
        reference=Reference(ref.squared_hinge, "mean(max(0, 1 - y·ŷ)²), y in {-1, 1} ({0, 1} "
                            "labels mapped)", None, MEAN),
        summary="max(0, 1 - y·f)²: a smooth hinge that punishes margin violations harder",
        why="the hinge squared: smooth at the margin, and a misclassified point costs "
            "quadratically more.",
        pitfalls="the same accuracy pitfall as hinge; sensitive to label noise.",
        rules=(rules.hinge_accuracy,), family=BINARY_FAMILY,
    ),
    LossSpec(
        name="binary_focal_crossentropy", aliases=("binary_focal", "bfce"),
        title="Binary focal cross-entropy",
        kind=Kind.BINARY, head=SIGMOID, target_encoding=Encoding.AS_IS,
        head_reason="sigmoid: like cross-entropy it takes log p, and its weight (1 - p_t)^γ is "
                    "only meaningful for a probability",
        keras_class="BinaryFocalCrossentropy",
        reference=Reference(ref.binary_focal, "mean((1 - p_t)^γ · BCE), p_t = y·ŷ + (1 - y)·"
                            "(1 - ŷ), γ = 2", EPS, MEAN),
        summary="cross-entropy scaled by (1 - p_true)^2: down-weights easy examples",
        why="cross-entropy scaled by (1 - p_t)^γ: easy, already-right examples count for "
            "little, so training concentrates on the hard ones (built for heavy class "
            "imbalance).",
        pitfalls="γ = 2 by default; on balanced, clean data it is no better than cross-entropy "
                 "and its loss values are not comparable with it.",
        family=BINARY_FAMILY,
    ),
)

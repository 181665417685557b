"""The catalogue: each loss's whole definition in one record.

Names, kind, output head (and why), target encoding, Keras class, NumPy
reference, theory texts, data checks and plot family all sit together, so
adding or changing a loss touches one place. :mod:`tests.test_records`
checks every record is complete.
"""

from __future__ import annotations

import re

from lossterm.core.errors import UsageError
from lossterm.core.types import Encoding, Kind
from lossterm.losses import reference as ref
from lossterm.losses import rules
from lossterm.losses.heads import (
    LINEAR,
    SCORES,
    SIGMOID,
    SOFTMAX,
    SOFTPLUS,
    TANH,
)
from lossterm.losses.multilabel import has_label_form, label_form
from lossterm.losses.reference import EPS, MEAN, SUM, Reference
from lossterm.losses.spec import OWN, LossSpec, Parameter

# The losses drawn together on the theory screen, one family per kind.
REGRESSION_FAMILY = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
                     "mean_squared_logarithmic_error")
BINARY_FAMILY = ("binary_crossentropy", "hinge", "squared_hinge", "binary_focal_crossentropy")
MULTICLASS_FAMILY = ("categorical_crossentropy", "kl_divergence", "categorical_hinge",
                     "categorical_focal_crossentropy")
# The noise-robust losses are drawn beside cross-entropy, whose unbounded growth they cap.
ROBUST_FAMILY = ("categorical_crossentropy", "categorical_generalized_cross_entropy",
                 "symmetric_cross_entropy", "nce_rce", "mae_prob")
BINARY_ROBUST_FAMILY = ("binary_crossentropy", "binary_generalized_cross_entropy",
                        "binary_symmetric_cross_entropy")

_Q = Parameter(
    name="q", default=0.7, low=0.0, high=1.0, low_open=True, high_open=True,
    meaning="how far from cross-entropy (q → 0) towards MAE on probabilities (q = 1)",
    source="0.7, as in Zhang & Sabuncu's experiments and the code of Wang et al. and Ma et "
           "al.; Keras's CategoricalGeneralizedCrossEntropy defaults to 0.5")
_SCE_ALPHA = Parameter(
    name="alpha", default=0.1, low=0.0,
    meaning="weight of the cross-entropy term (fits the clean labels fast)",
    source="0.1, Wang et al.'s CIFAR-10 setting (their code; 0.01 for MNIST, 6.0 for "
           "CIFAR-100), also in Ma et al.'s configs")
_SCE_BETA = Parameter(
    name="beta", default=1.0, low=0.0,
    meaning="weight of the reverse cross-entropy term (the noise-tolerant one)",
    source="1.0, Wang et al.'s CIFAR-10 setting (1.0 for MNIST, 0.1 for CIFAR-100)")
_APL_ALPHA = Parameter(
    name="alpha", default=1.0, low=0.0,
    meaning="weight of the normalized cross-entropy (the active term)",
    source="1.0, Ma et al.'s CIFAR-10 config (1.0 for MNIST, 10.0 for CIFAR-100)")
_APL_BETA = Parameter(
    name="beta", default=1.0, low=0.0,
    meaning="weight of the reverse cross-entropy (the passive term)",
    source="1.0, Ma et al.'s CIFAR-10 config (10.0 for MNIST, 0.1 for CIFAR-100)")
_BINARY_DEFAULTS = ("; the papers define the multi-class form only: lossterm uses the same "
                    "default for the two-class form")

_ROBUST_TARGETS = ("For labels that may be wrong: a loss that keeps growing as the "
                   "true-class probability falls lets the mislabelled rows steer training")

_RESIDUAL_HEAD = "linear: the target can be any real number, so the output must be free to be"

CATALOGUE: tuple[LossSpec, ...] = (
    # Regression: one unit, targets as they are.
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
    # Binary: one unit.
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
    LossSpec(
        name="binary_generalized_cross_entropy", aliases=("binary_gce", "bgce"),
        title="Binary generalized cross-entropy",
        kind=Kind.BINARY, head=SIGMOID, target_encoding=Encoding.AS_IS,
        head_reason="sigmoid: the loss is a function of the true class's probability p_t, "
                    "so the output must be one",
        keras_class="BinaryGeneralizedCrossEntropy", keras_module=OWN,
        reference=Reference(ref.binary_gce, "mean((1 - p_t^q) / q), p_t = y·p + (1 - y)·"
                            "(1 - p), p = clip(ŷ, ε, 1 - ε)", EPS, MEAN),
        summary="(1 - p_true^q) / q on a sigmoid: generalized cross-entropy for two classes",
        why="Zhang & Sabuncu's generalized cross-entropy for a Bernoulli output: the "
            "Box-Cox transform of the likelihood, (1 - p_t^q)/q, which tends to "
            "cross-entropy as q → 0 and to 1 - p_t (MAE on probabilities) at q = 1. Its "
            "gradient is cross-entropy's scaled by p_t^q, so rows the model finds "
            "implausible (often mislabelled ones) pull less.",
        pitfalls="bounded by 1/q, so a confidently wrong row costs at most 1/q: robust to "
                 "flipped labels, but slower to fit hard clean rows; q is clipped away from "
                 "0 and 1 and p to [1e-7, 1 - 1e-7]" + _BINARY_DEFAULTS + ".",
        rules=(rules.bounded_loss_unscaled,), parameters=(_Q,), family=BINARY_ROBUST_FAMILY,
    ),
    LossSpec(
        name="binary_symmetric_cross_entropy", aliases=("binary_sce", "bsce"),
        title="Binary symmetric cross-entropy",
        kind=Kind.BINARY, head=SIGMOID, target_encoding=Encoding.AS_IS,
        head_reason="sigmoid: both terms take the class-1 probability, one as a prediction, "
                    "one as the distribution the labels are scored under",
        keras_class="BinarySymmetricCrossEntropy", keras_module=OWN,
        reference=Reference(ref.binary_sce, "mean(α·BCE - β·(ŷ·log y' + (1 - ŷ)·log(1 - "
                            "y'))), y' = clip(y, 1e-4, 1)", EPS, MEAN),
        summary="0.1·BCE + reverse BCE, the reverse term 9.21·(1 - p_true): for noisy labels",
        why="Wang et al.'s symmetric cross-entropy on a sigmoid: α·BCE (fast, fits the "
            "clean rows) plus β times the reverse BCE, which scores the labels under the "
            "prediction. With 0/1 labels the reverse term is -log(1e-4)·(1 - p_t) = "
            "9.21·(1 - p_t), a bounded MAE-like term that tolerates flipped labels.",
        pitfalls="the reverse term needs log 0 of a hard label, floored at 1e-4 as in the "
                 "paper's code: the floor sets its scale (9.21) against α·BCE; soft labels "
                 "change what it means" + _BINARY_DEFAULTS + ".",
        rules=(rules.reverse_needs_hard_labels, rules.bounded_loss_unscaled),
        parameters=(_SCE_ALPHA, _SCE_BETA), family=BINARY_ROBUST_FAMILY,
    ),
    # Multi-class: one unit per class.
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
    LossSpec(
        name="categorical_generalized_cross_entropy", aliases=("gce", "generalized_cross_entropy"),
        title="Generalized cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.INTEGER,
        head_reason="softmax: the loss is a power of the true class's probability, so the "
                    "outputs must be a distribution",
        keras_class="GeneralizedCrossEntropy", keras_module=OWN,
        reference=Reference(ref.gce, "mean((1 - p_y^q) / q), p_y = clip(ŷ[y], ε, 1), y an "
                            "integer", EPS, SUM),
        summary="(1 - p_true^q) / q: between cross-entropy (q → 0) and MAE (q = 1); noisy "
                "labels",
        why="Zhang & Sabuncu (NeurIPS 2018): the negative Box-Cox transform of the "
            "likelihood. As q → 0 it becomes cross-entropy, at q = 1 it is 1 - p_y, MAE on "
            "probabilities (up to a factor 2). Its gradient is cross-entropy's times p_y^q: "
            "rows whose label the model finds implausible, often the mislabelled ones, pull "
            "less, while clean rows still train nearly as fast as with cross-entropy. "
            + _ROBUST_TARGETS + ".",
        pitfalls="lossterm uses q = 0.7 (the papers' setting), not Keras's default 0.5, and "
                 "clips p_y at 1e-7 first, as the papers' code does: Keras's "
                 "CategoricalGeneralizedCrossEntropy takes p_y as it is, and where a float32 "
                 "softmax underflows to exactly 0 the gradient of p^q is NaN (blobs, seed 0, "
                 "epoch 97). q must lie strictly inside (0, 1). Bounded by 1/q, it fits "
                 "slowly when p_y starts small (many classes, saturated softmax): give it "
                 "more epochs or a tuned learning rate.",
        rules=(rules.integer_labels_only, rules.bounded_loss_underfits,
               rules.bounded_loss_unscaled), parameters=(_Q,),
        family=ROBUST_FAMILY,
    ),
    LossSpec(
        name="symmetric_cross_entropy", aliases=("sce",),
        title="Symmetric cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: the reverse term scores the labels under the predicted "
                    "distribution, so the outputs must be one",
        keras_class="SymmetricCrossEntropy", keras_module=OWN,
        reference=Reference(ref.sce, "mean(α·(-Σ y·log clip(ŷ, ε, 1)) + β·(-Σ ŷ·log clip(y, "
                            "1e-4, 1)))", EPS, SUM),
        summary="0.1·CE + reverse CE (9.21·(1 - p_true) on one-hot labels): for noisy labels",
        why="Wang et al. (ICCV 2019): cross-entropy, which fits the clean rows fast but "
            "also memorises the wrong ones, plus the reverse cross-entropy -Σ ŷ·log y, the "
            "labels scored under the prediction. On one-hot labels with log 0 floored at "
            "log 1e-4 = -9.21, the reverse term is 9.21·(1 - p_y): bounded and symmetric, "
            "hence tolerant of flipped labels. " + _ROBUST_TARGETS + ".",
        pitfalls="α and β depend on the data set in the paper (CIFAR-10 0.1/1.0, MNIST "
                 "0.01/1.0, CIFAR-100 6.0/0.1): lossterm uses CIFAR-10's. The 1e-4 floor "
                 "sets the reverse term's scale; with soft labels it means something else. "
                 "The CE term clips ŷ to [1e-7, 1] without renormalising, as the paper's "
                 "Keras code does.",
        rules=(rules.reverse_needs_hard_labels, rules.bounded_loss_unscaled),
        parameters=(_SCE_ALPHA, _SCE_BETA), family=ROBUST_FAMILY,
    ),
    LossSpec(
        name="nce_rce", aliases=("nce+rce", "normalized_cross_entropy_rce"),
        title="Normalized cross-entropy + reverse cross-entropy",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: both terms are functions of the predicted distribution",
        keras_class="NormalizedCrossEntropyReverse", keras_module=OWN,
        reference=Reference(ref.nce_rce, "mean(α·Σ y·log p / Σ_k log p_k + β·(-Σ p·log "
                            "clip(y, 1e-4, 1))), p = clip(ŷ, ε, 1)", EPS, SUM),
        summary="normalized CE (active) + reverse CE (passive): Ma et al.'s robust pair",
        why="Ma et al. (ICML 2020): any loss divided by its sum over all possible labels "
            "is robust to symmetric noise, but normalized cross-entropy alone underfits. "
            "They pair an 'active' loss, which raises the true class (NCE), with a "
            "'passive' one, which pushes the other classes down (the reverse CE, 9.21·"
            "(1 - p_y) on one-hot labels): robust and still quick to fit.",
        pitfalls="NCE lies in (0, 1] and shrinks as the classes grow in number; the weights "
                 "are per data set in the paper (CIFAR-10 1/1, MNIST 1/10, CIFAR-100 "
                 "10/0.1): lossterm uses CIFAR-10's. Their code takes log-softmax of logits; "
                 "here the log of the softmax output clipped at 1e-7.",
        rules=(rules.reverse_needs_hard_labels, rules.bounded_loss_unscaled),
        parameters=(_APL_ALPHA, _APL_BETA),
        family=ROBUST_FAMILY,
    ),
    LossSpec(
        name="mae_prob", aliases=("mean_absolute_error_probabilities", "mae_p"),
        title="MAE on probabilities",
        kind=Kind.MULTICLASS, head=SOFTMAX, target_encoding=Encoding.ONE_HOT,
        head_reason="softmax: the distance is between the one-hot label and a distribution",
        keras_class="ProbabilityMeanAbsoluteError", keras_module=OWN,
        reference=Reference(ref.mae_prob, "mean(Σ_k |y_k - ŷ_k|) = mean(2 - 2·p_y) on "
                            "one-hot labels", None, SUM),
        summary="Σ|y - p| = 2 - 2·p_true: provably noise-tolerant, slow to fit",
        why="the L1 distance between the one-hot label and the softmax output, 2 - 2·p_y: "
            "Ghosh et al. (2017) proved it tolerant of symmetric label noise because it is "
            "symmetric (its sum over all labels is constant). Its gradient is cross-"
            "entropy's times p_y, so rows the model is unsure of barely train.",
        pitfalls="underfits badly with many classes (Zhang & Sabuncu: CIFAR-100); Ma et "
                 "al.'s code trains 1 - p_y, half of this (same as halving the learning "
                 "rate); Keras's MeanAbsoluteError on a softmax is this divided by the number "
                 "of classes.",
        rules=(rules.bounded_loss_underfits, rules.bounded_loss_unscaled),
        family=ROBUST_FAMILY,
    ),
)

_BY_NAME = {n.lower(): spec for spec in CATALOGUE for n in spec.names}
TUTORIAL_LOSSES = tuple(spec for spec in CATALOGUE if spec.tutorial)
# Losses loaded from the user's files (--loss-file), by name, for the rest of the process.
# The one table written at run time: a loaded loss is a name the user gave on the command
# line, and every front end resolves names through get_loss.
_OWN: dict[str, LossSpec] = {}


def register_own_loss(spec: LossSpec) -> None:
    """Make ``get_loss(spec.name)`` answer with ``spec`` (a loss from the user's file);
    refuse a name a built-in loss or another file's loss already has."""
    key = spec.name.lower()
    if key in _BY_NAME:
        raise UsageError(f"--loss-file {getattr(spec, 'path', '')}: {spec.name!r} is the name "
                         f"of a built-in loss ({_BY_NAME[key].name}); rename the function")
    known = _OWN.get(key)
    if known is not None and getattr(known, "path", None) != getattr(spec, "path", None):
        raise UsageError(f"--loss-file {getattr(spec, 'path', '')}: {spec.name!r} is already "
                         f"loaded from {getattr(known, 'path', '')}; rename one of them")
    _OWN[key] = spec


def get_loss(name: str) -> LossSpec:
    """The record answering to ``name`` (Keras, tutorial or short spelling), with
    parameters when the name carries them: ``gce:q=0.5``, ``sce:alpha=0.2,beta=0.5``.

    Values are parsed as decimal numbers, never evaluated; an unknown parameter or a
    value out of range is a UsageError naming what the loss takes.
    """
    base, colon, settings = name.partition(":")
    key = base.strip().lower()
    spec = _BY_NAME.get(key.replace("-", "_")) or _OWN.get(key)
    if spec is None:
        choices = ", ".join(s.name for s in CATALOGUE)
        raise UsageError(f"unknown loss {name!r}; choose from {choices} (or 'all')")
    if not colon:
        return spec
    if not settings.strip():
        raise UsageError(f"{name!r}: give parameters after ':' as name=value" + _takes(spec))
    return spec.with_settings(_parse_settings(spec, name, settings))


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _parse_settings(spec: LossSpec, name: str, text: str) -> dict[str, float]:
    known = {p.name: p for p in spec.parameters}
    values = dict(spec.arguments)
    for item in text.split(","):
        key, equals, value = (part.strip() for part in item.partition("="))
        if key not in known:
            what = f"unknown parameter {key!r}" if key else "an empty parameter"
            raise UsageError(f"{name!r}: {what}" + _takes(spec))
        if not equals or not _NUMBER.fullmatch(value):
            raise UsageError(f"{name!r}: {key} must be a number such as "
                             f"{known[key].default:g}, not {value!r}")
        number = float(value)
        if not known[key].allows(number):
            raise UsageError(f"{name!r}: {key} must be {known[key].range_text}, not "
                             f"{value}")
        values[key] = number
    return values


def _takes(spec: LossSpec) -> str:
    if not spec.parameters:
        return f"; {spec.name} takes no parameters"
    listed = ", ".join(f"{p.name} (default {p.default:g})" for p in spec.parameters)
    return f"; {spec.name} takes {listed}"


def own_losses() -> tuple[LossSpec, ...]:
    """The losses loaded from the user's files (--loss-file), in the order loaded."""
    return tuple(_OWN.values())


def losses_for_kind(kind: str) -> tuple[LossSpec, ...]:
    """The catalogue's losses for a problem of ``kind``: for multilabel, the binary losses
    in their per-label form (:mod:`.multilabel`)."""
    if kind == Kind.MULTILABEL:
        return _label_forms(CATALOGUE)
    return tuple(spec for spec in CATALOGUE if spec.kind == kind)


def tutorial_losses_for(kind: str) -> tuple[LossSpec, ...]:
    """The tutorial's losses for a problem of ``kind`` (multilabel: its binary three, per
    label)."""
    if kind == Kind.MULTILABEL:
        return _label_forms(TUTORIAL_LOSSES)
    return tuple(spec for spec in TUTORIAL_LOSSES if spec.kind == kind)


def _label_forms(specs) -> tuple[LossSpec, ...]:
    return tuple(label_form(s) for s in specs if s.kind == Kind.BINARY and not has_label_form(s))

"""The noise-robust losses, for labels that may be wrong: generalized, symmetric and
normalized cross-entropy and MAE on probabilities, in their multi-class forms and (for
the first two) their two-class forms.

Together because both kinds share the papers' parameters (q, alpha, beta) and their
sources, and the reasons they exist; apart from :mod:`.binary` and :mod:`.multiclass`,
whose losses make no claim about noise. :mod:`lossterm.losses.catalogue` assembles every
family (the two-class forms after the binary losses, the multi-class ones after the
multi-class losses).
"""

from __future__ import annotations

from lossterm.core.types import Encoding, Kind
from lossterm.losses import reference as ref
from lossterm.losses import rules
from lossterm.losses.heads import SIGMOID, SOFTMAX
from lossterm.losses.reference import EPS, MEAN, SUM, Reference
from lossterm.losses.spec import OWN, LossSpec, Parameter

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

# The two-class forms (one sigmoid unit).
BINARY_ROBUST: tuple[LossSpec, ...] = (
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
)

# The multi-class forms (one softmax unit per class).
MULTICLASS_ROBUST: tuple[LossSpec, ...] = (
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

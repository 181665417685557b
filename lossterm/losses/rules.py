"""Checks of a problem's data before training, one function per pitfall.

A record lists the rules its loss needs (``LossSpec.rules``);
:func:`lossterm.losses.checks.check` runs them. Each rule is called as
``rule(spec, problem, y, warnings, notes)`` with the training targets ``y``:
it raises :class:`UsageError` for data the loss cannot take at all, appends a
warning for data it accepts but quietly mistreats, and a note for figures
that would otherwise surprise.
"""

from __future__ import annotations

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.losses.encodings import encode

KERAS_EPSILON = 1e-7


def _percent(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f}%)"


def msle_negative(spec, problem, y, warnings, notes):
    negative = int(np.sum(y < 0))
    if negative:
        warnings.append(
            f"{spec.name}: {_percent(negative, y.size)} training targets are negative; "
            f"Keras clamps targets and predictions below {KERAS_EPSILON:g} before log(1 + x), "
            "so all of them look like 0 and the model learns a degenerate signal"
        )


def mape_near_zero(spec, problem, y, warnings, notes):
    scale = float(np.mean(np.abs(y))) or 1.0
    near = int(np.sum(np.abs(y) < 0.05 * scale))
    if near:
        warnings.append(
            f"{spec.name}: {_percent(near, y.size)} training targets are within 5% of the "
            "mean |y| of zero; MAPE divides each error by |y| (floored at 1e-7), so those "
            "few rows dominate the loss"
        )


def poisson_negative(spec, problem, y, warnings, notes):
    negative = int(np.sum(y < 0))
    if negative:
        raise UsageError(
            f"{spec.name} needs targets >= 0 (it is the likelihood of counts), but "
            f"{_percent(negative, y.size)} training targets of {problem.name} are negative"
        )


def kl_distribution(spec, problem, y, warnings, notes):
    targets = encode(spec.target_encoding, y, problem.n_classes)
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


def hinge_accuracy(spec, problem, y, warnings, notes):
    if problem.kind == "multilabel":
        notes.append(f"{spec.name}: each label is encoded as {{-1, 1}} and its tanh output "
                     "read as 1 when f > 0 (Keras's plain 'accuracy' would threshold at 0.5)")
        return
    notes.append(
        f"{spec.name}: targets are encoded as {{-1, 1}} and a tanh output is read as class 1 "
        "when f > 0. Keras's plain 'accuracy' misreads this output: Keras 3 thresholds at "
        "0.5 so no -1 label ever matches (keras3_accuracy), Keras 2 compared labels with "
        "round(f), missing right answers with |f| < 0.5 (keras2_accuracy, the tutorial's figure)"
    )


def _soft(y) -> bool:
    """Targets given as rows of class probabilities rather than class indices."""
    return np.asarray(y).ndim == 2


def integer_labels_only(spec, problem, y, warnings, notes):
    if _soft(y):
        raise UsageError(
            f"{spec.name} takes integer class labels (Keras's form one-hot encodes them "
            f"itself), but {problem.name} has soft labels (rows of probabilities); use "
            "symmetric_cross_entropy or categorical_crossentropy"
        )


def reverse_needs_hard_labels(spec, problem, y, warnings, notes):
    if _soft(y) and not np.all((y == 0) | (y == 1)):
        warnings.append(
            f"{spec.name}: the reverse cross-entropy takes log y with log 0 floored at "
            "log 1e-4 = -9.21, which assumes one-hot labels; these labels are soft, so "
            "the reverse term weighs every class by its own log-probability instead"
        )


def bounded_loss_underfits(spec, problem, y, warnings, notes):
    """A bounded loss starts slowly when the true class's probability starts small."""
    k = problem.n_classes
    if k >= 5:
        notes.append(
            f"{spec.name}: a bounded loss whose gradient is cross-entropy's times a power "
            f"of p_y starts slowly with {k} classes (p_y about 1/{k} at first); compare it "
            "with a tuned learning rate (a study) or more epochs before calling it worse"
        )


UNSCALED = 3.0  # a feature whose std or |mean| exceeds this is called unscaled


def bounded_loss_unscaled(spec, problem, y, warnings, notes):
    """A bounded loss gets almost no gradient from a row whose class starts near
    probability 0, which is where unscaled inputs put a fresh network's softmax."""
    X = problem.X_train
    scale = float(max(np.abs(X.mean(axis=0)).max(), X.std(axis=0).max()))
    if scale > UNSCALED:
        warnings.append(
            f"{spec.name}: features are not standardized (a column's mean or std reaches "
            f"{scale:.1f}); a fresh network's output then starts saturated, and a bounded "
            "loss barely trains the rows whose class starts near probability 0 (on the "
            "tutorial's unscaled blobs, 4 of 5 seeds stall at 0.55: two classes of three; "
            "standardized, all reach 0.83)"
        )

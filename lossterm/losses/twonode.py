"""Multi-class losses on binary problems: the two-node form.

A binary problem is a two-class problem, so every multi-class loss of the
catalogue can train it as it trains any other: one output unit per class
(2 softmax units, or 2 linear scores for categorical hinge), targets one-hot
or integer over the 2 classes, the class read by argmax. That is the
"two-node output" the tutorial's readers ask about: is a 2-unit softmax with
categorical cross-entropy the same as 1 sigmoid unit with binary
cross-entropy? (Mathematically, yes: softmax over two logits is the sigmoid
of their difference, and -log of it is binary cross-entropy of that
difference; the two networks differ only in how the last layer is
parametrised and initialised.)

The two-node form of a multi-class record is the same record (same name,
Keras object, reference, checks) with the kind ``binary``, so it runs,
scores and is compared beside the binary losses; its head stays the
per-class head (``units(2) == 2``), so everything that reads a class off an
output uses argmax, and everything that needs P(class 1) reads the
softmax's column 1 (:meth:`Head.positive_score`). It is only made when a
loss is asked for by name: ``--loss all`` on a binary problem stays the
binary losses. A loss from ``--loss-file`` is refused: its probe checked the
kind it was declared for, not this one.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from lossterm.core.errors import UsageError
from lossterm.core.types import Kind
from lossterm.losses.heads import ArgmaxHead
from lossterm.losses.spec import LossSpec


def has_two_node_form(spec: LossSpec) -> str | None:
    """None when ``spec`` trains a binary problem as two classes, else why not."""
    if spec.kind != Kind.MULTICLASS:
        return f"{spec.name} fits {spec.kind} problems; only a multiclass loss has a two-node form"
    if path := getattr(spec, "path", ""):  # an own loss (OwnLossSpec) says its file
        return (f"{spec.name} is your own loss (from {path}); its probe checked a "
                "multiclass problem's outputs, so it is not used in two-node form on a "
                "binary problem")
    if not isinstance(spec.head, ArgmaxHead):
        return f"{spec.name}'s {spec.head.key} head has no two-node form"
    return None


def is_two_node(spec: LossSpec) -> bool:
    """Whether ``spec`` is a multiclass loss's two-node form (binary, one unit per class)."""
    return spec.kind == Kind.BINARY and spec.head.per_class


# On one-hot (or integer) labels these are binary cross-entropy of the logit difference.
SAME_AS_BCE = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy",
                         "kl_divergence"})


def form_text(spec: LossSpec) -> str:
    """'two-node form: 2 softmax units, argmax' (or 2 linear score units)."""
    units = "softmax units" if spec.head.probabilities else "linear score units"
    return f"two-node form: 2 {units}, argmax"


def two_node_note(spec, problem, y, warnings, notes):
    """The note every report of a two-node run carries: which form it is, and which
    one-unit model it equals."""
    if spec.head.probabilities:
        same = ("softmax over two logits is the sigmoid of their difference, so this is "
                "one sigmoid unit of z1 - z0 with the last layer parametrised twice over")
        if spec.base_name in SAME_AS_BCE:
            same += "; on it this loss is binary cross-entropy: expect a tie with it"
    else:
        same = ("categorical hinge on two scores is max(0, 1 - y·f) of their difference "
                "f = s1 - s0 (y in {-1, 1}): hinge on a linear unit instead of hinge's tanh")
    notes.append(f"{spec.name}: {form_text(spec)}; {same}")


@functools.cache
def two_node_form(spec: LossSpec) -> LossSpec:
    """``spec`` (multiclass) on a binary problem: kind binary, its per-class head with
    two units, a note saying so, everything else as it is. UsageError when it has no
    such form."""
    why = has_two_node_form(spec)
    if why:
        raise UsageError(why)
    form = form_text(spec)
    return replace(
        spec, kind=Kind.BINARY, tutorial=False,
        summary=f"{form} — {spec.summary}",
        head_reason=f"{form}: {spec.head_reason}", rules=(*spec.rules, two_node_note))

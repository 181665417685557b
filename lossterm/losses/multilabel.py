"""Binary losses on multilabel problems: the same loss on each label, averaged over labels.

A multilabel problem has several two-valued target columns (labels that are
not exclusive: a row may have none, one or all). Its model has one output
unit per label with the binary loss's activation (sigmoid, or tanh for the
hinge losses), and the loss of a row is the binary loss of each label,
averaged over the labels: what Keras's binary losses compute on ``(n, labels)``
tensors, since each reduces over the last axis only. So the per-label form
of a binary record is the same record (same name, Keras object, reference,
checks) with a per-label head and the kind ``multilabel``.

Every binary loss of the catalogue has this form: binary cross-entropy,
hinge and squared hinge ({-1, 1} per label, tanh units), binary focal
cross-entropy and the two robust binary losses are elementwise before the
mean over the last axis (``tests/test_multi_target.py`` checks each Keras
object on ``(n, labels)`` against the mean of its per-label values). A loss
from ``--loss-file`` is refused: its probe checked one output unit, not one
per label.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from lossterm.core.errors import UsageError
from lossterm.core.types import Kind
from lossterm.losses.heads import ThresholdHead, per_label
from lossterm.losses.spec import LossSpec


def has_label_form(spec: LossSpec) -> str | None:
    """None when ``spec`` trains a multilabel problem per label, else why not."""
    if spec.kind != Kind.BINARY:
        return (f"{spec.name} fits {spec.kind} problems; a multilabel problem takes a binary "
                "loss, applied to each label")
    if path := getattr(spec, "path", ""):  # an own loss (OwnLossSpec) says its file
        return (f"{spec.name} is your own loss (from {path}); its probe checked one output "
                "unit, not one per label, so it is not used on multilabel problems")
    if not isinstance(spec.head, ThresholdHead):
        return f"{spec.name}'s {spec.head.key} head has no per-label form"
    return None


@functools.cache
def label_form(spec: LossSpec) -> LossSpec:
    """``spec`` (binary) on each label of a multilabel problem: a per-label head, kind
    multilabel, everything else as it is. UsageError when it has no such form."""
    why = has_label_form(spec)
    if why:
        raise UsageError(why)
    assert isinstance(spec.head, ThresholdHead)  # has_label_form checked it
    head = per_label(spec.head)
    return replace(
        spec, kind=Kind.MULTILABEL, head=head,
        head_reason=f"{head.key}: {spec.head_reason.split(':', 1)[-1].strip()}; one unit per "
                    "label, the loss averaged over the labels (Keras's binary losses average "
                    "over the last axis)")

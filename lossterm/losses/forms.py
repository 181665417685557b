"""The form of a loss that trains a problem of another kind than its record's.

Two such forms exist, each made only when a loss is asked for by name:

- a binary loss on a multilabel problem: the same loss on each label
  (:mod:`.multilabel`);
- a multi-class loss on a binary problem: its two-node form, one unit per
  class over the 2 classes (:mod:`.twonode`).

Planning (``engine.training.resolve``) and the TUI's picker call
:func:`fit_to`; ``checks.check_fit`` then refuses what still does not fit,
saying why (:func:`why_no_form`).
"""

from __future__ import annotations

from lossterm.core.types import Kind
from lossterm.losses.multilabel import has_label_form, label_form
from lossterm.losses.spec import LossSpec
from lossterm.losses.twonode import has_two_node_form, two_node_form


def fit_to(spec: LossSpec, kind: Kind | str) -> LossSpec:
    """The form of ``spec`` that trains a ``kind`` problem: its per-label form for a
    multilabel problem when it is binary, its two-node form for a binary problem when it
    is multiclass, else ``spec`` itself (``checks.check_fit`` then says whether it fits)."""
    if kind == Kind.MULTILABEL and spec.kind == Kind.BINARY and not has_label_form(spec):
        return label_form(spec)
    if kind == Kind.BINARY and spec.kind == Kind.MULTICLASS and not has_two_node_form(spec):
        return two_node_form(spec)
    return spec


def why_no_form(spec: LossSpec, kind: Kind | str) -> str | None:
    """Why ``spec`` has no form for a ``kind`` problem where one could exist (a binary
    loss's per-label form, a multiclass loss's two-node form); None where none could."""
    if kind == Kind.MULTILABEL and spec.kind == Kind.BINARY:
        return has_label_form(spec)
    if kind == Kind.BINARY and spec.kind == Kind.MULTICLASS:
        return has_two_node_form(spec)
    return None

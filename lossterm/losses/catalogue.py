"""The catalogue: every loss's record, and the names that find them.

Each loss's whole definition -- names, kind, output head (and why), target encoding,
Keras class, NumPy reference, theory texts, data checks and plot family -- sits in one
record, in its family's module (:mod:`lossterm.losses.families`), so adding or changing
a loss touches one place. This module assembles the families into ``CATALOGUE`` (in the
order every list shows them: regression, binary, multi-class, each kind's robust losses
last) and answers names (:func:`get_loss`), including the losses loaded from the user's
files. :mod:`tests.test_records` checks every record is complete.
"""

from __future__ import annotations

import re

from lossterm.core.errors import UsageError
from lossterm.core.types import Kind
from lossterm.losses.families.binary import BINARY
from lossterm.losses.families.multiclass import MULTICLASS
from lossterm.losses.families.regression import REGRESSION
from lossterm.losses.families.robust import BINARY_ROBUST, MULTICLASS_ROBUST
from lossterm.losses.multilabel import has_label_form, label_form
from lossterm.losses.spec import LossSpec

CATALOGUE: tuple[LossSpec, ...] = (*REGRESSION, *BINARY, *BINARY_ROBUST, *MULTICLASS,
                                   *MULTICLASS_ROBUST)

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

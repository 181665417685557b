"""A loss's record: everything lossterm knows about one loss, in one object.

Every record says which problem kind it fits, its output head, how targets
are encoded for it, which Keras loss object trains it, its NumPy reference,
its theory (why, pitfalls, the family it is plotted with) and the checks
its data must pass. Keras is not imported here; :meth:`make_keras_loss`
does it late.

A loss may take numeric parameters (:class:`Parameter`: generalized
cross-entropy's q, symmetric cross-entropy's α and β), with the papers'
defaults. ``get_loss("gce:q=0.5")`` returns the record with q bound
(:meth:`LossSpec.with_settings`): its name says so, its reference and its
Keras object take q = 0.5, so every caller that resolves a name gets the
parameters without knowing about them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from lossterm.core.metric import default_metric
from lossterm.core.types import Encoding, Kind
from lossterm.losses import keras_forms
from lossterm.losses.encodings import encode
from lossterm.losses.heads import Head
from lossterm.losses.keras_forms import source
from lossterm.losses.reference import Reference
from lossterm.runtime.backend import load_keras

Rule = Callable[..., None]  # rule(spec, problem, y, warnings, notes): see rules.py
KERAS = "keras.losses"  # where most Keras forms live; the others are in keras_forms.py
OWN = "lossterm.losses.keras_forms"


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A number a loss takes, its default and the values it may take."""

    name: str
    default: float
    meaning: str  # what it does, in words
    source: str  # where the default comes from
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False  # low itself is not allowed
    high_open: bool = False

    def allows(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return math.isfinite(value) and above and below

    @property
    def range_text(self) -> str:
        if self.high == math.inf:
            return f"{'>' if self.low_open else '>='} {self.low:g}"
        left = f"{'(' if self.low_open else '['}{self.low:g}"
        right = f"{self.high:g}{')' if self.high_open else ']'}"
        return f"in {left}, {right}"


@dataclass(frozen=True, kw_only=True)
class LossSpec:
    name: str  # the Keras 3 name
    title: str
    kind: Kind  # the problem kind it fits
    head: Head  # the output layer, and how a class is read off it
    head_reason: str  # why this head is the right one for this loss
    target_encoding: Encoding
    keras_class: str  # class in keras.losses
    reference: Reference  # the NumPy reference, its formula and scikit-learn's counterpart
    summary: str  # one line, for tables
    why: str  # its maximum-likelihood (or geometric) reading
    pitfalls: str
    family: tuple[str, ...]  # the losses its shape is drawn beside
    rules: tuple[Rule, ...] = ()  # checks of a problem's data before training
    aliases: tuple[str, ...] = ()
    tutorial: bool = False  # one of the tutorial's nine
    keras_module: str = KERAS  # where keras_class lives: Keras, or lossterm's keras_forms
    parameters: tuple[Parameter, ...] = ()  # numbers it takes, with the papers' defaults
    settings: tuple[tuple[str, float], ...] = ()  # parameters set away from their defaults

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def short_name(self) -> str:
        """A name that fits a narrow column: the first alias of a long name."""
        return self.aliases[0] if len(self.name) > 17 and self.aliases else self.name

    @property
    def metric(self) -> str:
        """The figure a person reads for this loss: the same for every loss of a kind
        (multilabel: the share of rows with every label right, scikit-learn's
        ``accuracy_score`` on label rows)."""
        return default_metric(self.kind)

    @property
    def output_activation(self) -> str:
        return self.head.activation

    @property
    def decision(self) -> str:
        """How a class is read off the output: used by the accuracy metric."""
        return self.head.decision

    def output_units(self, n_classes: int, n_targets: int = 1) -> int:
        return self.head.units(n_classes, n_targets)

    def output_layer(self, n_classes: int, n_targets: int = 1) -> str:
        return f"{self.output_units(n_classes, n_targets)}, {self.output_activation}"

    @property
    def arguments(self) -> dict[str, float]:
        """Every parameter's value: its setting, else its default."""
        values = {p.name: p.default for p in self.parameters}
        values.update(self.settings)
        return values

    @property
    def slug(self) -> str:
        """The name as Keras accepts it in a model's or scope's name (no ':', '=' or ',')."""
        return self.name.replace(":", "__").replace("=", "").replace(",", "_")

    @property
    def base_name(self) -> str:
        """The catalogue's name, without the settings."""
        return self.name.split(":")[0]

    def with_settings(self, values: dict[str, float]) -> LossSpec:
        """This (catalogue) record with ``values`` bound; values equal to the defaults are
        no setting, so ``gce:q=0.7`` is plain ``gce``."""
        defaults = {p.name: p.default for p in self.parameters}
        settings = tuple((n, float(v)) for n, v in values.items() if v != defaults[n])
        if not settings:
            return self
        suffix = ":" + ",".join(f"{n}={v:g}" for n, v in settings)
        bound = functools.partial(self.reference.function, **dict(settings))
        return replace(self, name=self.name + suffix,
                       aliases=tuple(a + suffix for a in self.aliases), settings=settings,
                       reference=replace(self.reference, function=bound))

    def _keras_type(self):
        keras = load_keras()
        if self.keras_module == KERAS:
            return getattr(keras.losses, self.keras_class)

        return getattr(keras_forms, self.keras_class)

    def make_keras_loss(self, **options):
        """The Keras loss object, parameters bound; ``options`` go to its constructor too
        (``dtype="float64"``)."""
        return self._keras_type()(**self.arguments, **options)

    def keras_code(self) -> tuple[str, str]:
        """(definitions, expression) that make the Keras loss object in a script that has
        imported ``keras``: lossterm's own classes come with their source."""
        args = ", ".join(f"{n}={v!r}" for n, v in self.arguments.items())
        if self.keras_module == KERAS:
            return "", f"keras.losses.{self.keras_class}({args})"

        return source(self.keras_class), f"{self.keras_class}({args})"


def encode_targets(spec: LossSpec, y, n_classes: int):
    """Targets as ``spec`` wants them: a column, {-1, 1}, one-hot rows or integers."""
    return encode(spec.target_encoding, y, n_classes)

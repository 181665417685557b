"""A loss's record: everything lossterm knows about one loss, in one object.

Every record says which problem kind it fits, its output head, how targets
are encoded for it, which Keras loss object trains it, its NumPy reference,
its theory (why, pitfalls, the family it is plotted with) and the checks
its data must pass. Keras is not imported here; :meth:`make_keras_loss`
does it late.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lossterm.engine.losses.encodings import encode
from lossterm.engine.losses.heads import Head
from lossterm.engine.losses.reference import Reference
from lossterm.engine.types import Encoding, Kind

Rule = Callable[..., None]  # rule(spec, problem, y, warnings, notes): see rules.py


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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def short_name(self) -> str:
        """A name that fits a narrow column: the first alias of a long name."""
        return self.aliases[0] if len(self.name) > 17 and self.aliases else self.name

    @property
    def metric(self) -> str:
        """The figure a person reads for this loss: the same for every loss of a kind."""
        return "mse" if self.kind == Kind.REGRESSION else "accuracy"

    @property
    def output_activation(self) -> str:
        return self.head.activation

    @property
    def decision(self) -> str:
        """How a class is read off the output: used by the accuracy metric."""
        return self.head.decision

    def output_units(self, n_classes: int) -> int:
        return self.head.units(n_classes)

    def output_layer(self, n_classes: int) -> str:
        return f"{self.output_units(n_classes)}, {self.output_activation}"

    def make_keras_loss(self):
        from lossterm.engine.backend import load_keras

        return getattr(load_keras().losses, self.keras_class)()


def encode_targets(spec: LossSpec, y, n_classes: int):
    """Targets as ``spec`` wants them: a column, {-1, 1}, one-hot rows or integers."""
    return encode(spec.target_encoding, y, n_classes)

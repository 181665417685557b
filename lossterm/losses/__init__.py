"""Every loss lossterm knows, one record each (:mod:`.catalogue`), and the pieces a
record is made of: output heads, target encodings, NumPy references, data
checks. Imports neither Keras nor scikit-learn.

Public API: :class:`LossSpec`, ``CATALOGUE``, ``TUTORIAL_LOSSES``,
:func:`get_loss`, :func:`losses_for_kind`, :func:`encode_targets`, the heads
(:class:`Head` and its six instances) and :func:`true_classes`.
"""

from lossterm.losses.catalogue import (
    CATALOGUE,
    TUTORIAL_LOSSES,
    get_loss,
    losses_for_kind,
    tutorial_losses_for,
)
from lossterm.losses.encodings import true_classes
from lossterm.losses.heads import (
    HEADS,
    LINEAR,
    SCORES,
    SIGMOID,
    SOFTMAX,
    SOFTPLUS,
    TANH,
    Head,
)
from lossterm.losses.reference import Reference
from lossterm.losses.spec import LossSpec, encode_targets

__all__ = [
    "CATALOGUE", "HEADS", "LINEAR", "SCORES", "SIGMOID", "SOFTMAX", "SOFTPLUS", "TANH",
    "TUTORIAL_LOSSES", "Head", "LossSpec", "Reference", "encode_targets", "get_loss",
    "losses_for_kind", "true_classes", "tutorial_losses_for",
]

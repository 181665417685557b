"""The engine's closed sets, as types: problem kinds, run statuses, target encodings.

Each is a ``StrEnum``, so a member equals its plain string (``Kind.BINARY ==
"binary"``): the SQLite store, JSON reports and the command line keep their
spellings, while code refers to members and a typo is an AttributeError
instead of a silent mismatch.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What a problem asks of a model."""

    REGRESSION = "regression"
    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"  # several two-valued target columns, one sigmoid unit each


class Status(StrEnum):
    """How a run stands. The first two are the TUI's; the last two are the store's."""

    QUEUED = "queued"
    TRAINING = "training"
    DONE = "done"  # trained every epoch asked for (or a callback ended it cleanly)
    STOPPED = "stopped"  # the user stopped it
    DIVERGED = "diverged"  # its loss became NaN or infinite
    FAILED = "failed"  # an error ended it
    RUNNING = "running"  # in the store: a process is still writing it
    INCOMPLETE = "incomplete"  # in the store: the process that wrote it died

    @property
    def finished(self) -> bool:
        return self not in (Status.QUEUED, Status.TRAINING, Status.RUNNING)


class Encoding(StrEnum):
    """How class labels (or regression targets) are handed to a loss."""

    AS_IS = "as-is"
    PLUS_MINUS_ONE = "{-1,1}"
    ONE_HOT = "one-hot"
    INTEGER = "integer"


class Format(StrEnum):
    """Report formats."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


class Optimizer(StrEnum):
    """The keras.optimizers rules a population can step with."""

    SGD = "sgd"
    ADAM = "adam"
    ADAMW = "adamw"
    RMSPROP = "rmsprop"

    @property
    def usual_learning_rate(self) -> float:
        """Keras's default rate; SGD's is the tutorial's 0.01 (Keras's own default too)."""
        return 0.01 if self is Optimizer.SGD else 0.001


class Checkpoint(StrEnum):
    """Which epoch's weights a run keeps."""

    LAST = "last"  # the last epoch's
    BEST = "best"  # the epoch with the best figure on the split the model is scored on


KINDS = tuple(Kind)
FINISHED = tuple(s for s in Status if s.finished)

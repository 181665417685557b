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


KINDS = tuple(Kind)
FINISHED = tuple(s for s in Status if s.finished)

"""Errors a user can cause, each with one line to show and an exit code.

The engine speaks of fields (``test_size``), not of flags or keys: a message
may hold ``{field}`` (the error's own field) or ``{field:NAME}`` (another
one), which each front end fills with its own name for the field
(``--test-size`` on the command line, ``test size`` in the TUI's dialog).
``str(error)`` uses the plain field names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_FIELD = re.compile(r"\{field(?::(\w+))?\}")


class LosstermError(Exception):
    """A problem worth one clear line to the user, never a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field

    def render(self, name_of: Callable[[str], str] | None = None) -> str:
        """The line to show, with ``{field}`` named the way the front end calls it."""
        def name(match: re.Match[str]) -> str:
            field = match.group(1) or self.field or ""
            return name_of(field) if name_of else field.replace("_", " ")

        return _FIELD.sub(name, self.message)

    def __str__(self) -> str:
        return self.render()


class UsageError(LosstermError):
    """Bad input: unknown names, losses that do not fit, unusable data (exit 2)."""

    exit_code = 2

"""Errors a user can cause, each with one line to show and an exit code."""


class LosstermError(Exception):
    """A problem worth one clear line to the user, never a traceback."""

    exit_code = 1


class UsageError(LosstermError):
    """Bad input: unknown names, losses that do not fit, unusable data (exit 2)."""

    exit_code = 2

"""SIGTERM and SIGHUP end a headless run as Ctrl+C does, and the exit code says which.

A stop by signal is the common way a long run ends over SSH: the link drops
(SIGHUP), a scheduler or ``timeout`` asks it to end (SIGTERM). Python's default
for both kills the process where it stands, leaving the runs in flight marked
``running`` and no report. Here each is turned into the KeyboardInterrupt the
scheduler already handles (stop every run at its next epoch, keep what ran),
and remembered, so the exit code is 128 + the signal's number, as a shell's.
A second signal while stopping is ignored: the stop is already on its way, and
cutting it short would lose the runs it is settling.
"""

from __future__ import annotations

import contextlib
import signal
import sys

_received: list[int] = []
_CAUGHT = ("SIGTERM", "SIGHUP", "SIGINT")


def _stop(signum, frame) -> None:
    if _received:  # already stopping: let the stop finish
        return
    _received.append(signum)
    raise KeyboardInterrupt


def install() -> None:
    """Catch SIGTERM, SIGHUP and SIGINT in the main thread, except where one is ignored
    (``nohup`` ignores SIGHUP; a shell's background job, SIGINT): those stay ignored."""
    for name in _CAUGHT:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _stop)


def exit_code() -> int:
    """128 + the signal that stopped the run (130 for Ctrl+C, as before)."""
    return 128 + (_received[0] if _received else signal.SIGINT)


def cause() -> str:
    """What stopped the run, in words: 'interrupted' for Ctrl+C, else the signal."""
    if not _received or _received[0] == signal.SIGINT:
        return "interrupted"
    return f"stopped by {signal.Signals(_received[0]).name}"


def say(line: str) -> None:
    """One line on stderr, if stderr is still there (after SIGHUP it often is not)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"lossterm: {line}", file=sys.stderr, flush=True)

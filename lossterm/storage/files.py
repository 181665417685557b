"""Writing a finished file where the person asked, without breaking what is there.

A regular file is replaced atomically (a temporary file beside it, then a rename),
so a reader never sees half a report. But a rename replaces the *name*: aimed at
a symlink it would put a regular file where the link was, and aimed at
``/dev/stdout``, a FIFO or a terminal it would try to replace the device node.
So a symlink is followed and its target replaced atomically (the link stays), and
a device, FIFO or socket is written straight into, as ``>`` in a shell would.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_text(target: str | os.PathLike, text: str) -> Path:
    """``text`` to ``target`` (through a symlink to what it names; into a device or FIFO
    directly; atomically for a regular file); the path actually written."""
    return write_bytes(target, text.encode("utf-8"))


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """``data`` to ``target``, as :func:`write_text` writes text."""
    real = Path(os.path.realpath(target))
    try:
        mode: int | None = real.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(target))
    if mode is not None and not stat.S_ISREG(mode):
        with open(real, "wb") as handle:
            handle.write(data)
        return real
    _replace(real, data, None if mode is None else stat.S_IMODE(mode))
    return real


def _replace(target: Path, data: bytes, mode: int | None) -> None:
    """Atomically, keeping an existing file's permissions (a new one gets the umask's)."""
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_special(path: str | os.PathLike) -> bool:
    """True for a device, FIFO or socket (what ``path`` names, through symlinks)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))

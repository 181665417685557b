"""Where a finished report goes, and what happens when that place is gone.

Over SSH the terminal can vanish while a long run trains (the link drops, the
job was ``disown``-ed), stdout can be a full disk, a closed descriptor or a
pipe whose reader left. None of that may cost a result or show a traceback:
a report that cannot reach stdout is saved to a file in lossterm's data folder
and one line on stderr (if stderr is still there) says where.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

from lossterm.cli.signals import say
from lossterm.core.errors import UsageError
from lossterm.storage.files import write_text
from lossterm.storage.store import default_store_path

STDOUT_LOST = 1  # the exit code when the report could not reach stdout (it is kept)
BROKEN_PIPE = 128 + 13  # as a shell reports a command SIGPIPE ended


def check_writable(path: str) -> Path:
    """Refuse an --output we could not write, before any training is done (a symlink is
    checked where it points: that is what gets written)."""
    target = Path(path).expanduser()
    real = Path(os.path.realpath(target))
    if real.is_dir():
        raise UsageError(f"--output {path} is a directory")
    if not real.parent.is_dir():
        raise UsageError(f"--output {path}: folder {real.parent} does not exist")
    if real.exists() and not real.is_file():  # a device or FIFO: written into, if we may
        if not os.access(real, os.W_OK):
            raise UsageError(f"--output {path}: not writable")
        return target
    if not os.access(real.parent, os.W_OK) or (real.exists() and not os.access(real, os.W_OK)):
        raise UsageError(f"--output {path}: not writable")
    return target


def write_stdout(text: str) -> OSError | None:
    """``text`` to stdout; the error instead of a traceback if stdout is gone (closed,
    a dropped terminal, a full disk, a pipe with no reader). After a failure stdout is
    pointed at /dev/null so the interpreter's last flush cannot raise again."""
    try:
        if sys.stdout is None:  # started with stdout closed (>&-)
            raise OSError(errno.EBADF, "stdout is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        return exc if isinstance(exc, OSError) else OSError(errno.EBADF, str(exc))
    return None


def _silence_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 -- for the process's life


def emit(text: str, target: Path | None, fmt: str = "text") -> int:
    """A finished report to ``target`` or stdout; 0, or the exit code when it could not
    go there. If the file cannot be written the report goes to stdout before the
    one-line error; if stdout cannot take it, it is saved in the data folder."""
    if target is not None:
        try:
            write_text(target, text)
            return 0
        except OSError as exc:
            if write_stdout(text) is None:
                raise UsageError(f"could not write {target}: {exc.strerror}; report printed "
                                 "instead") from None
            return keep(text, fmt, f"could not write {target} ({exc.strerror}) nor stdout")
    failed = write_stdout(text)
    if failed is None:
        return 0
    return keep(text, fmt, f"could not write the report to stdout ({_why(failed)})")


def keep(text: str, fmt: str, why: str) -> int:
    """Save a report stdout could not take beside the run history; say where."""
    name = time.strftime("report-%Y%m%d-%H%M%S") + f"-{os.getpid()}." + {
        "json": "json", "markdown": "md"}.get(fmt, "txt")
    try:
        folder = default_store_path().parent / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        written = write_text(folder / name, text)
    except OSError as exc:
        say(f"{why}; could not save it either ({exc.strerror})")
        return STDOUT_LOST
    except UsageError as exc:  # no data folder to save it in (no home directory)
        say(f"{why}; could not save it either ({exc})")
        return STDOUT_LOST
    say(f"{why}; saved it to {written}")
    return STDOUT_LOST


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)

"""The installed ``lossterm`` in a real terminal (a tmux pane), and waits on what it draws.

tmux pipes everything the program writes to the pane into a FIFO (``pipe-pane``); a wait
sleeps on that FIFO and reads the screen again each time the program draws, so it follows
the program, not a clock. It fails at once when the program has exited without showing the
text (the launch command prints ``EXITED`` after it), and otherwise only at the deadlock
guard, which is far beyond a slow start (TensorFlow loading on a loaded machine included).
"""

from __future__ import annotations

import os
import select
import subprocess
import time
import uuid
from pathlib import Path

from tests.helpers.guard import DEADLOCK_GUARD

EXITED = "LOSSTERM-EXITED"  # printed by the launch command once lossterm has returned
RECHECK = 0.5  # seconds: a draw that came before the pipe was connected is seen anyway


class Pane:
    """A detached tmux session of ``width`` x ``height`` running ``command`` in bash.

    Each pane has a tmux server of its own (``-L``): closing one is then the terminal
    vanishing for that program alone. On one shared server, closing the last session
    ends the server while another test (or this one, starting its next pane) is
    connecting to it: "server exited unexpectedly"."""

    def __init__(self, command: str, folder: Path, size: tuple[int, int] = (80, 24)):
        self.session = f"lossterm-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.session]  # the pane's own server
        self.exit_code = folder / "exit-code"
        line = f"{command}; echo $? > {self.exit_code}; echo {EXITED}; sleep 600"
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.session, "-x", str(size[0]),
                        "-y", str(size[1]), "env", f"PATH={os.environ['PATH']}",
                        "TERM=xterm-256color", "bash", "-c", line], check=True)
        fifo = folder / "pane.fifo"
        os.mkfifo(fifo)
        self._fifo = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # before tmux opens it to write
        subprocess.run([*self.tmux, "pipe-pane", "-t", self.session, "-o", f"cat > {fifo}"],
                       check=True)

    def screen(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.session, *keys], check=True)

    def wait_for(self, text: str) -> str:
        """The screen once ``text`` is on it (a sentence may wrap: line breaks are undone)."""
        give_up = time.monotonic() + DEADLOCK_GUARD
        while True:
            screen = self.screen()
            if text in screen or text in " ".join(screen.split()):
                return screen
            assert EXITED not in screen, f"lossterm exited before {text!r} appeared:\n{screen}"
            assert time.monotonic() < give_up, (
                f"{text!r} never appeared in {DEADLOCK_GUARD:.0f} s (a deadlock guard, not a "
                f"time limit); the screen was:\n{screen}")
            self._drawn()

    def _drawn(self) -> None:
        """Return when the program has written to the pane (or after RECHECK)."""
        ready, _, _ = select.select([self._fifo], [], [], RECHECK)
        if ready:
            try:
                if not os.read(self._fifo, 1 << 16):  # the writer is gone: no more draws to wait on
                    time.sleep(RECHECK)
            except BlockingIOError:
                pass

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-session", "-t", self.session], capture_output=True)
        # the pane's server is gone with its one session; tmux leaves its socket file
        socket = (Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
                  / self.session)
        socket.unlink(missing_ok=True)
        os.close(self._fifo)

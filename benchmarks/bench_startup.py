"""Time from launching ``lossterm`` in a terminal to its first frame, and to Keras ready.

    python benchmarks/bench_startup.py [--repeat N]

Runs the real command in a pseudo-terminal (100x30), reads what it draws, and
notes when the first frame (the picker's "Problem" title) appears and when
the header names the backend. Target: first frame <= 1 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time


def one_start() -> tuple[float, float]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lossterm"], stdin=follower,
                            stdout=follower, stderr=follower, close_fds=True,
                            env={**os.environ, "TERM": "xterm-256color"})
    os.close(follower)
    seen, first_frame, ready = b"", None, None
    while ready is None and time.perf_counter() - start < 60:
        if select.select([leader], [], [], 0.02)[0]:
            try:
                seen += os.read(leader, 65536)
            except OSError:
                break
        if first_frame is None and b"Problem" in seen:
            first_frame = time.perf_counter() - start
        if b"training on" in seen:
            ready = time.perf_counter() - start
    os.write(leader, b"q")
    proc.wait(timeout=30)
    os.close(leader)
    return first_frame or float("nan"), ready or float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frames, readies = [], []
    for i in range(args.repeat):
        frame, ready = one_start()
        frames.append(frame)
        readies.append(ready)
        print(f"start {i}: first frame {frame:.2f} s, Keras ready {ready:.2f} s")
    frame = statistics.median(frames)
    print(f"first frame: median {frame:.2f} s over {args.repeat} starts "
          f"(target <= 1 s: {'met' if frame <= 1 else 'NOT met'}); "
          f"TensorFlow loaded in the background by {statistics.median(readies):.2f} s")


if __name__ == "__main__":
    main()

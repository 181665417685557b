"""A suite of studies on threads vs on a Dask ``LocalCluster``, timed in one run.

    python benchmarks/bench_cluster.py [--epochs N] [--seeds N] [--repeat N]

The suite: iris, wine, breast_cancer and digits, each with every loss of its kind, one
study command (``--problem`` four times, ``--loss all``). Timed as a person runs it
(``python -m lossterm --headless ...``, wall clock from start to exit, Keras import and
cluster start-up included), interleaved so the machine's load falls on every form alike:

- ``--jobs 2`` (threads: today's path);
- ``--cluster local:2`` (two worker processes);
- ``--cluster local:1`` (one worker: the speed-up of the second).

Target (issue 22): the cluster's overhead over the threads <= 3 s + 5% of the threaded
time. Also checks every form's JSON equals the threads' (less seconds and placements).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PROBLEMS = ("iris", "wine", "breast_cancer", "digits")


def command(epochs: int, seeds: int) -> list[str]:
    args = [sys.executable, "-m", "lossterm", "--headless", "--loss", "all", "--seeds",
            str(seeds), "--epochs", str(epochs), "--no-store", "--no-progress", "--format",
            "json"]
    for problem in PROBLEMS:
        args += ["--problem", problem]
    return args


def timed(args: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "XDG_DATA_HOME": home, "TF_CPP_MIN_LOG_LEVEL": "3"}
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[2:])} failed: {done.stderr.strip()}")
    return seconds, json.loads(done.stdout)


def comparable(payload):
    if isinstance(payload, dict):
        return {k: comparable(v) for k, v in payload.items()
                if k not in ("seconds", "placement", "header")}
    if isinstance(payload, list):
        return [comparable(v) for v in payload]
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    base = command(args.epochs, args.seeds)
    forms = {"threads (--jobs 2)": ["--jobs", "2"], "cluster local:2": ["--cluster", "local:2"],
             "cluster local:1": ["--cluster", "local:1"]}
    times: dict[str, list[float]] = {name: [] for name in forms}
    reference = None
    for round_ in range(args.repeat):
        for name, extra in forms.items():
            seconds, payload = timed(base + extra)
            times[name].append(seconds)
            same = comparable(payload)
            if reference is None:
                reference = same
            verdict = "same JSON" if same == reference else "JSON DIFFERS"
            print(f"round {round_ + 1}: {name:20s} {seconds:7.1f} s  {verdict}  "
                  f"[{payload.get('header', '')}]", flush=True)
    threads = statistics.median(times["threads (--jobs 2)"])
    two = statistics.median(times["cluster local:2"])
    one = statistics.median(times["cluster local:1"])
    allowed = 3 + 0.05 * threads
    print(f"\nsuite: {', '.join(PROBLEMS)}, every loss of each kind, {args.seeds} replicates, "
          f"{args.epochs} epochs; medians over {args.repeat} interleaved rounds")
    print(f"threads --jobs 2: {threads:.1f} s; cluster local:2: {two:.1f} s; "
          f"cluster local:1: {one:.1f} s")
    print(f"cluster overhead: {two - threads:+.1f} s (target <= {allowed:.1f} s = 3 s + 5% of "
          f"the threads' time: {'met' if two - threads <= allowed else 'NOT met'}); "
          f"ratio cluster/threads {two / threads:.2f}")
    print(f"speed-up of a second worker: local:1 / local:2 = {one / two:.2f}x "
          f"(this machine has {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

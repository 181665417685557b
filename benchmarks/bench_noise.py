"""Robustness sweeps: what a sweep costs against one study of the same shape, in one run.

    python benchmarks/bench_noise.py [--seeds N]

Each command runs as a person runs it: a fresh ``lossterm`` process, TensorFlow's
import included (wall seconds), on digits with the five losses of the README's
sweep (cross-entropy, GCE, SCE, NCE+RCE, MAE on probabilities):

1. ``sweep``: ``--noise-sweep 0,0.2,0.4,0.6`` (a fair study at each rate);
2. ``one point``: the study at ``--label-noise 0.4`` alone (``--tune``), the
   same protocol as a sweep's point;
3. ``untuned sweep``: ``--noise-sweep ... --no-tune``.

Printed: seconds, the runs each trained (from its own report), runs a second,
and the sweep's time over four points' (4 x the one-point study, each paying the
import once): under 1 means the sweep's points share the process and its
compiled programs. The machine may be shared: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOSSES = ("categorical_crossentropy", "gce", "sce", "nce_rce", "mae_prob")
RATES = "0,0.2,0.4,0.6"


def lossterm(*args: str) -> tuple[float, dict]:
    argv = [sys.executable, "-m", "lossterm", "--headless", "--no-store", "--no-progress",
            "--problem", "digits", "--format", "json", *args]
    for loss in LOSSES:
        argv += ["--loss", loss]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench_noise: {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return seconds, json.loads(done.stdout)


def runs_in(report: dict) -> int:
    """How many models a report says it trained (a sweep's protocol line, or a study's)."""
    text = json.dumps(report)
    found = re.findall(r"runs: (\d+) in", text)
    if found:
        return int(found[0])
    return sum(sum(s["study"]["protocol"]["runs"].values()) for s in report.get("studies", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    seeds = ["--seeds", str(parser.parse_args().seeds)]
    sweep_s, sweep = lossterm("--noise-sweep", RATES, *seeds)
    point_s, point = lossterm("--label-noise", "0.4", "--tune", *seeds)
    untuned_s, untuned = lossterm("--noise-sweep", RATES, "--no-tune", *seeds)
    rows = [("sweep, 4 studies", sweep_s, runs_in(sweep)),
            ("one point (a study)", point_s, runs_in(point)),
            ("untuned sweep", untuned_s, runs_in(untuned))]
    print(f"digits, {len(LOSSES)} losses, {seeds[1]} final seeds; fresh processes, "
          "TensorFlow import included")
    print(f"{'command':22} {'seconds':>8} {'runs':>6} {'runs/s':>7}")
    for name, seconds, runs in rows:
        rate = f"{runs / seconds:7.1f}" if runs else "      ?"
        print(f"{name:22} {seconds:8.1f} {runs or '?':>6} {rate}")
    print(f"sweep / (4 x one point): {sweep_s / (4 * point_s):.2f}")


if __name__ == "__main__":
    main()

"""Checks on what the command line answers, shared by the CLI and loss-file tests."""

import json
import os
import re
import subprocess
import sys

from tests.helpers.guard import DEADLOCK_GUARD


def one_line_exit_2(done, expected: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("lossterm: error: ")
    assert expected in lines[0], lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def reproduce(lossterm_cli, tmp_path, *run_args):
    """Run headless with --export-code, run the exported script, return both test figures."""
    script = tmp_path / "again.py"
    done = lossterm_cli("--headless", *run_args, "--seed", "3", "--export-code", str(script),
                        "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    # a shell's KERAS_BACKEND must not move the script off the run's backend
    rerun = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=DEADLOCK_GUARD,
                           env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    assert rerun.returncode == 0, rerun.stderr
    printed = float(re.search(r"test (?:accuracy|MSE): (\S+)", rerun.stdout).group(1))
    return run["test_metric"], printed



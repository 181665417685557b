"""The project's own lint rules hold (``[tool.ruff]`` in pyproject.toml): run here so the
README's one test command, and so CI, checks them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing_under_the_projects_rules():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "lossterm", "tests", "benchmarks"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]

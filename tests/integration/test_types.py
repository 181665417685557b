"""The package type-checks under the project's own configuration (``[tool.mypy]`` in
pyproject.toml): run here so the README's one test command, and so CI, checks it.

mypy keeps its cache in ``.mypy_cache`` at the repository root, so a run after a small
change reads only what changed (a cold run reads the whole package and takes longer).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The engine's public API and what it hands back: these must stay under the strict settings.
STRICT = {"lossterm.api", "lossterm.core.*", "lossterm.training.records",
          "lossterm.analysis.verdict"}


def test_mypy_finds_nothing_under_the_projects_configuration():
    done = subprocess.run([sys.executable, "-m", "mypy"],  # files and settings: pyproject's
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_the_public_api_is_checked_strictly():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    covered = {m for o in strict for m in o["module"]}
    assert not STRICT - covered, f"not strict: {sorted(STRICT - covered)}"
    assert all(o.get("disallow_any_generics") and o.get("warn_return_any") for o in strict)
    assert config["files"] == ["lossterm"]

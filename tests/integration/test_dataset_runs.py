"""The bundled scikit-learn datasets train: default runs learn, diabetes beats the mean, and an
exported script reproduces a dataset run."""

import pytest

from lossterm.data.problems import (
    get_problem,
)
from tests.helpers.guard import DEADLOCK_GUARD

# name: kind, rows, features, classes, train rows, test rows


@pytest.mark.parametrize("name, loss, better_than", [
    ("wine", "cce", 0.9), ("breast_cancer", "bce", 0.9), ("iris", "scce", 0.85),
])
def test_a_default_run_learns(name, loss, better_than):
    import lossterm

    result = lossterm.run(name, loss)
    assert result.status == "done" and result.epochs_run == get_problem(name).epochs
    assert result.test_metric > better_than


def test_diabetes_beats_predicting_the_mean():
    import lossterm

    result = lossterm.run("diabetes", "mse")
    assert result.status == "done" and result.test_metric < 0.75  # the mean scores about 1


def test_exported_script_reproduces_a_dataset_run(lossterm_cli, tmp_path):
    import json
    import re
    import subprocess
    import sys

    script = tmp_path / "again.py"
    done = lossterm_cli("--headless", "--problem", "wine", "--loss", "sce:alpha=0.2",
                        "--epochs", "5", "--seed", "2", "--export-code", str(script),
                        "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert not (tmp_path / "again.npz").exists()  # regenerated from scikit-learn, not saved
    rerun = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=DEADLOCK_GUARD, check=False)
    assert rerun.returncode == 0, rerun.stderr
    printed = float(re.search(r"test accuracy: (\S+)", rerun.stdout).group(1))
    assert printed == pytest.approx(run["test_metric"], abs=1e-6)

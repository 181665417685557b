"""Fixtures every kind of test uses (unit/, integration/, tui/), and the markers by folder.

Shared code that is not a fixture lives in ``tests.helpers``; this file is found by pytest
before any test module, so the environment set here holds for the whole session.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.files import MULTI_ROWS, features, write_csv
from tests.helpers.guard import DEADLOCK_GUARD
from tests.helpers.loss_files import GOOD

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Runs are recorded by default: keep the suite's history out of the user's data folder.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="lossterm-tests-")

TESTS = Path(__file__).parent
KINDS = ("unit", "integration", "tui")  # folders, and the markers their tests get


def pytest_collection_modifyitems(config, items):
    """Mark each test with its folder's kind, so ``-m unit`` (or ``-m "not tui"``) selects by
    kind; a test module outside the three folders has no kind and is refused, by name."""
    for item in items:
        kind = item.path.relative_to(TESTS).parts[0]
        if kind not in KINDS:
            raise pytest.UsageError(
                f"{item.path.relative_to(TESTS.parent)} is in no kind's folder: move it to "
                "tests/unit (no training, process or app), tests/integration or tests/tui")
        item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture
def lossterm_cli():
    """Run the installed command line in a subprocess, as a user would; it returns when the
    process ends (the timeout is a deadlock guard)."""

    def run(*args, timeout=DEADLOCK_GUARD, env=None):
        return subprocess.run(
            [sys.executable, "-m", "lossterm", *args],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, **(env or {})},
        )

    return run


@pytest.fixture(scope="session")
def counts_problem():
    """A regression problem with positive count targets (>= 1), for Poisson and MAPE."""
    from lossterm.data.problems import get_problem, make_problem

    base = get_problem("regression")
    X = np.concatenate([base.X_train, base.X_test])
    y = 1 + np.round(np.exp(0.3 * (X[:, 0] + X[:, 1])))
    return (make_problem("counts", "regression", X, y, n_train=500,
                                         epochs=5, hidden_units=8))


@pytest.fixture
def labelled_csv(tmp_path):
    """A binary problem with string labels and a text feature: 'yes' when x1 + x2 > 0."""
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(200):
        x1, x2 = rng.normal(size=2)
        colour = rng.choice(["red", "blue"])
        rows.append([f"{x1:.3f}", f"{x2:.3f}", colour, "yes" if x1 + x2 > 0 else "no"])
    return write_csv(tmp_path / "labelled.csv", ["x1", "x2", "colour", "answer"], rows)


@pytest.fixture
def numeric_csv(tmp_path):
    """A regression problem: y = 3 x1 - 2 x2 + noise."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=200)
    return write_csv(tmp_path / "numeric.csv", ["x1", "x2", "y"],
                     [[f"{a:.4f}", f"{b:.4f}", f"{c:.4f}"] for (a, b), c in zip(X, y)])


@pytest.fixture
def losses_py(tmp_path):
    """A user's loss file (tests.helpers.loss_files.GOOD) written where --loss-file can read it."""
    path = tmp_path / "losses.py"
    path.write_text(GOOD)
    return path




@pytest.fixture(scope="module")
def two_targets_csv(tmp_path_factory):
    """Two numeric targets on very different scales: a (about 1) and b (about 1000)."""
    rng = np.random.default_rng(1)
    X = features(rng)
    a = X[:, 0] + 0.5 * X[:, 1] + 0.1 * rng.normal(size=MULTI_ROWS)
    b = 1000 * (X[:, 2] ** 2 - X[:, 3]) + 50 * rng.normal(size=MULTI_ROWS)
    rows = [[*(f"{v:.6f}" for v in X[i]), f"{a[i]:.6f}", f"{b[i]:.3f}"] for i in range(MULTI_ROWS)]
    return write_csv(tmp_path_factory.mktemp("multi") / "two.csv",
                     ["x1", "x2", "x3", "x4", "a", "b"], rows)


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory):
    """Three labels, not exclusive: a and b 0/1, c 'yes'/'no'; plus a numeric column r."""
    rng = np.random.default_rng(2)
    X = features(rng)
    a = (X[:, 0] > 0).astype(int)
    b = (X[:, 1] + X[:, 2] > 0.3).astype(int)
    c = np.where(X[:, 3] > -0.5, "yes", "no")
    r = X[:, 0] * 3.7 + rng.normal(size=MULTI_ROWS)
    rows = [[*(f"{v:.6f}" for v in X[i]), a[i], b[i], c[i], f"{r[i]:.4f}"] for i in range(MULTI_ROWS)]
    return write_csv(tmp_path_factory.mktemp("labels") / "labels.csv",
                     ["x1", "x2", "x3", "x4", "a", "b", "c", "r"], rows)



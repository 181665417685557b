import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture
def lossterm_cli():
    """Run the installed command line in a subprocess, as a user would."""

    def run(*args, timeout=300, env=None):
        return subprocess.run(
            [sys.executable, "-m", "lossterm", *args],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, **(env or {})},
        )

    return run


@pytest.fixture(scope="session")
def counts_problem():
    """A regression problem with positive count targets (>= 1), for Poisson and MAPE."""
    from lossterm.engine.problems import get_problem, make_problem, register_problem

    base = get_problem("regression")
    X = np.concatenate([base.X_train, base.X_test])
    y = 1 + np.round(np.exp(0.3 * (X[:, 0] + X[:, 1])))
    return register_problem(make_problem("counts", "regression", X, y, n_train=500,
                                         epochs=5, hidden_units=8))


sys.path.insert(0, os.path.dirname(__file__))  # tests/canned.py for the TUI tests

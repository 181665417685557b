"""The tutorial's three problems, generated exactly as it does.

Data is made on first use and cached: scikit-learn's import stays off the
path of ``lossterm --help``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lossterm.errors import UsageError

REGRESSION, BINARY, MULTICLASS = "regression", "binary", "multiclass"
KINDS = (REGRESSION, BINARY, MULTICLASS)
N_TRAIN = 500


@dataclass(frozen=True, eq=False)
class Problem:
    """A dataset split into train and test, with the tutorial's defaults."""

    name: str
    kind: str
    description: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    epochs: int
    hidden_units: int
    n_classes: int = 0  # 0 for regression
    feature_names: tuple[str, ...] = ()
    class_labels: tuple[str, ...] = ()  # own data: the labels behind classes 0, 1, ...
    warnings: tuple[str, ...] = ()  # what loading or perturbing the data changed

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def y_all(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])


def _split(name, kind, description, X, y, epochs, hidden) -> Problem:
    return make_problem(name, kind, X, y, n_train=N_TRAIN, epochs=epochs,
                        hidden_units=hidden, description=description)


def _regression() -> Problem:
    from sklearn.datasets import make_regression
    from sklearn.preprocessing import StandardScaler

    X, y = make_regression(n_samples=1000, n_features=20, noise=0.1, random_state=1)
    # As the tutorial does: both scaled on all rows before the split.
    X = StandardScaler().fit_transform(X)
    y = StandardScaler().fit_transform(y.reshape(-1, 1))[:, 0]
    text = "make_regression: 20 features (10 informative), noise 0.1, X and y standardized"
    return _split("regression", REGRESSION, text, X, y, epochs=100, hidden=25)


def _circles() -> Problem:
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=1000, noise=0.1, random_state=1)
    text = "make_circles: two concentric rings, noise 0.1, inner ring is class 1"
    return _split("circles", BINARY, text, X, y, epochs=200, hidden=50)


def _blobs() -> Problem:
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=1000, centers=3, n_features=2, cluster_std=2, random_state=2)
    text = "make_blobs: 3 Gaussian clusters in 2-D, std 2, features left unscaled"
    return _split("blobs", MULTICLASS, text, X, y, epochs=100, hidden=50)


_BUILDERS = {"regression": _regression, "circles": _circles, "blobs": _blobs}
PROBLEM_KIND = {"regression": REGRESSION, "circles": BINARY, "blobs": MULTICLASS}
_ALIASES = {"binary": "circles", "multiclass": "blobs"}
PROBLEM_NAMES = tuple(_BUILDERS)


def canonical_problem_name(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _BUILDERS:
        choices = ", ".join(PROBLEM_NAMES + tuple(_ALIASES))
        raise UsageError(f"unknown problem {name!r}; choose from {choices}")
    return key


_REGISTERED: dict[str, Problem] = {}


def register_problem(problem: Problem) -> Problem:
    """Make ``problem`` reachable by name (own data, test problems)."""
    _REGISTERED[problem.name.lower()] = problem
    return problem


def get_problem(name: str) -> Problem:
    """The named problem (``binary`` and ``multiclass`` are accepted too)."""
    if name.strip().lower() in _REGISTERED:
        return _REGISTERED[name.strip().lower()]
    return _builtin(canonical_problem_name(name))


@functools.cache
def _builtin(name: str) -> Problem:
    return _BUILDERS[name]()


def make_problem(name, kind, X, y, *, n_train, epochs, hidden_units, description="") -> Problem:
    """A problem from arrays: the first ``n_train`` rows train, the rest test."""
    y = np.asarray(y)
    soft = y.ndim == 2  # rows of class probabilities
    if kind == REGRESSION:
        n_classes = 0
    else:
        n_classes = y.shape[1] if soft else int(np.max(y)) + 1
    X = np.asarray(X, dtype=np.float32)
    y = y.astype(np.float32 if kind == REGRESSION or soft else np.int64)
    return Problem(name, kind, description, X[:n_train], y[:n_train], X[n_train:], y[n_train:],
                   epochs, hidden_units, n_classes)

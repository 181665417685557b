"""Problems: the tutorial's three, generated exactly as it does, and the Problem type.

A :class:`Problem` is a value: its arrays are read-only and it says where it
came from (``source``: a built-in recipe, a file with its options, or arrays
handed over by code) and how its training split was perturbed. Nothing in
the engine finds a problem by name after planning, and nothing here is
written at run time: own data never shadows a built-in problem, whatever its
file is called.

Data is made on first use and cached (a cache of read-only values, not a
registry): scikit-learn's import stays off the path of ``lossterm --help``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lossterm.engine.types import KINDS, Kind
from lossterm.errors import UsageError

REGRESSION, BINARY, MULTICLASS = Kind.REGRESSION, Kind.BINARY, Kind.MULTICLASS
N_TRAIN = 500


@dataclass(frozen=True)
class Recipe:
    """How a built-in problem is made: one scikit-learn generator call, then the split.

    The same recipe builds the arrays here and writes the data lines of an
    exported script (:meth:`code`), so the two can never drift apart.
    """

    name: str
    kind: Kind
    generator: str  # a function of sklearn.datasets
    arguments: tuple[tuple[str, Any], ...]
    description: str
    epochs: int
    hidden_units: int
    standardize: bool = False  # X and y scaled on all rows before the split, as the tutorial does

    def make(self) -> tuple[np.ndarray, np.ndarray]:
        import sklearn.datasets

        X, y = getattr(sklearn.datasets, self.generator)(**dict(self.arguments))
        if self.standardize:
            from sklearn.preprocessing import StandardScaler

            X = StandardScaler().fit_transform(X)
            y = StandardScaler().fit_transform(y.reshape(-1, 1))[:, 0]
        return X, y

    def code(self) -> str:
        """Python lines that make ``X`` and ``y`` as :meth:`make` does."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments)
        lines = [f"from sklearn.datasets import {self.generator}"]
        if self.standardize:
            lines.append("from sklearn.preprocessing import StandardScaler")
        lines += ["", f"X, y = {self.generator}({args})"]
        if self.standardize:
            lines += ["# Scaled on all rows before the split, as the tutorial does.",
                      "X = StandardScaler().fit_transform(X)",
                      "y = StandardScaler().fit_transform(y.reshape(-1, 1))[:, 0]"]
        return "\n".join(lines)


RECIPES: dict[str, Recipe] = {r.name: r for r in (
    Recipe("regression", REGRESSION, "make_regression",
           (("n_samples", 1000), ("n_features", 20), ("noise", 0.1), ("random_state", 1)),
           "make_regression: 20 features (10 informative), noise 0.1, X and y standardized",
           epochs=100, hidden_units=25, standardize=True),
    Recipe("circles", BINARY, "make_circles",
           (("n_samples", 1000), ("noise", 0.1), ("random_state", 1)),
           "make_circles: two concentric rings, noise 0.1, inner ring is class 1",
           epochs=200, hidden_units=50),
    Recipe("blobs", MULTICLASS, "make_blobs",
           (("n_samples", 1000), ("centers", 3), ("n_features", 2), ("cluster_std", 2),
            ("random_state", 2)),
           "make_blobs: 3 Gaussian clusters in 2-D, std 2, features left unscaled",
           epochs=100, hidden_units=50),
)}
PROBLEM_NAMES = tuple(RECIPES)
PROBLEM_KIND = {name: r.kind for name, r in RECIPES.items()}
_ALIASES = {"binary": "circles", "multiclass": "blobs"}


@dataclass(frozen=True)
class Source:
    """Where a problem's data came from: enough to say it, export it or load it again."""

    builtin: str = ""  # a key of RECIPES
    path: str = ""  # own data: the file
    options: Any = None  # own data: its DataOptions
    perturbation: Any = None  # a Perturbation of the training split, if any

    @property
    def regenerable(self) -> bool:
        """A few lines of code remake the exact split (built-in and unperturbed)."""
        return bool(self.builtin) and self.perturbation is None


@dataclass(frozen=True, eq=False)
class Problem:
    """A dataset split into train and test, with the defaults a run takes from it."""

    name: str  # for people: 'circles', 'houses.csv', 'circles+noise0.1'
    kind: Kind
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
    source: Source = field(default_factory=Source)

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        for name in ("X_train", "y_train", "X_test", "y_test"):
            array = np.array(getattr(self, name))  # a private copy...
            array.setflags(write=False)  # ...that no run can change
            object.__setattr__(self, name, array)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def y_all(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    @property
    def recipe(self) -> Recipe | None:
        return RECIPES.get(self.source.builtin) if self.source.builtin else None


def canonical_problem_name(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in RECIPES:
        choices = ", ".join(PROBLEM_NAMES + tuple(_ALIASES))
        raise UsageError(f"unknown problem {name!r}; choose from {choices}", field="problem")
    return key


def get_problem(name: str) -> Problem:
    """The named built-in problem (``binary`` and ``multiclass`` are accepted too)."""
    return _builtin(canonical_problem_name(name))


def tutorial_problem_name(kind: str) -> str:
    """The built-in problem of ``kind``: where a loss is tried when no problem is named."""
    return next(n for n, k in PROBLEM_KIND.items() if k == kind)


def tutorial_problem_for(kind: str) -> Problem:
    return get_problem(tutorial_problem_name(kind))


@functools.cache
def _builtin(name: str) -> Problem:
    recipe = RECIPES[name]
    X, y = recipe.make()
    return make_problem(name, recipe.kind, X, y, n_train=N_TRAIN, epochs=recipe.epochs,
                        hidden_units=recipe.hidden_units, description=recipe.description,
                        source=Source(builtin=name))


def make_problem(name, kind, X, y, *, n_train, epochs, hidden_units, description="",
                 source: Source | None = None) -> Problem:
    """A problem from arrays: the first ``n_train`` rows train, the rest test."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}", field="kind")
    y = np.asarray(y)
    soft = y.ndim == 2  # rows of class probabilities
    if kind == REGRESSION:
        n_classes = 0
    else:
        n_classes = y.shape[1] if soft else int(np.max(y)) + 1
    X = np.asarray(X, dtype=np.float32)
    y = y.astype(np.float32 if kind == REGRESSION or soft else np.int64)
    return Problem(name, kind, description, X[:n_train], y[:n_train], X[n_train:], y[n_train:],
                   epochs, hidden_units, n_classes, source=source or Source())

"""Problems: the tutorial's three, generated exactly as it does, five of scikit-learn's
bundled datasets, and the Problem type.

A :class:`Problem` is a value: its arrays are read-only and it says where it
came from (``source``: a built-in recipe, a file with its options, or arrays
handed over by code) and how its training split was perturbed. Nothing in
the engine finds a problem by name after planning, and nothing here is
written at run time: own data never shadows a built-in problem, whatever its
file is called.

The tutorial's three (``TUTORIAL_PROBLEMS``, also ``PROBLEM_NAMES``) are what
the tutorial means: the default headless report and a perturbation with no
problem named use them and only them. The bundled datasets
(``DATASET_NAMES``) are built in too (``BUILTIN_PROBLEMS`` lists all eight):
read from the copies scikit-learn installs with itself, never downloaded.

Data is made on first use and cached (a cache of read-only values, not a
registry): scikit-learn's import stays off the path of ``lossterm --help``.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.types import KINDS, Kind

REGRESSION, BINARY, MULTICLASS, MULTILABEL = (Kind.REGRESSION, Kind.BINARY, Kind.MULTICLASS,
                                              Kind.MULTILABEL)
N_TRAIN = 500  # the tutorial's split: the first 500 of 1,000 rows train
TEST_SIZE, SPLIT_SEED = 0.3, 0  # the bundled datasets' split


Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, y_train, X_test, y_test

# The lines an exported script ends its data block with: the dtypes training uses.
_DTYPES = ('''X_train, X_test = X_train.astype("float32"), X_test.astype("float32")
y_train, y_test = (y_train.astype("float32"), y_test.astype("float32")) if KIND == "regression" \\
    else (y_train.astype("int64"), y_test.astype("int64"))''')


@dataclass(frozen=True)
class Recipe:
    """How a tutorial problem is made: one scikit-learn generator call, then the split.

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

    @property
    def split_text(self) -> str:
        return f"first {N_TRAIN} rows train, the other {N_TRAIN} test (the tutorial's split)"

    def make(self) -> tuple[np.ndarray, np.ndarray]:
        import sklearn.datasets

        X, y = getattr(sklearn.datasets, self.generator)(**dict(self.arguments))
        if self.standardize:
            from sklearn.preprocessing import StandardScaler

            X = StandardScaler().fit_transform(X)
            y = StandardScaler().fit_transform(y.reshape(-1, 1))[:, 0]
        return X, y

    def split(self) -> Split:
        X, y = self.make()
        return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]

    def code(self) -> str:
        """Python lines that make ``X_train, X_test, y_train, y_test`` as :meth:`split`
        does (``np`` and ``KIND`` are defined before them)."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments)
        lines = [f"from sklearn.datasets import {self.generator}"]
        if self.standardize:
            lines.append("from sklearn.preprocessing import StandardScaler")
        lines += ["", f"X, y = {self.generator}({args})"]
        if self.standardize:
            lines += ["# Scaled on all rows before the split, as the tutorial does.",
                      "X = StandardScaler().fit_transform(X)",
                      "y = StandardScaler().fit_transform(y.reshape(-1, 1))[:, 0]"]
        lines += [(f"X_train, X_test, y_train, y_test = X[:{N_TRAIN}], X[{N_TRAIN}:], "
                   f"y[:{N_TRAIN}], y[{N_TRAIN}:]"), _DTYPES]
        return "\n".join(lines)


@dataclass(frozen=True)
class Dataset:
    """A dataset scikit-learn installs with itself (no download), split and scaled.

    The split is seeded (``random_state=0``) and stratified: by class for
    classification, by the target's quintile for regression, so that test
    figures do not hinge on a lucky draw of rare classes or extreme targets.
    30% of the rows are held out for test (at least 45 rows on the smallest
    set, iris): a study carves its validation split out of the training rows
    later. Features are standardized with the training rows' mean and std only
    (the test rows never inform the scaling); a regression target too.
    """

    name: str
    kind: Kind
    loader: str  # a function of sklearn.datasets
    description: str
    epochs: int
    hidden_units: int
    test_size: float = TEST_SIZE
    seed: int = SPLIT_SEED

    @property
    def split_text(self) -> str:
        n_train, n_test = len(self.split()[1]), len(self.split()[3])
        by = "target quintile" if self.kind == REGRESSION else "class"
        return (f"{n_train} train / {n_test} test, stratified by {by}, seed {self.seed}; "
                "standardized on the training rows")

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        import sklearn.datasets

        return getattr(sklearn.datasets, self.loader)(return_X_y=True)

    def split(self) -> Split:
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X, y = self.load()
        strata = _quintiles(y) if self.kind == REGRESSION else y
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=self.test_size, random_state=self.seed, stratify=strata)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        if self.kind == REGRESSION:
            target = StandardScaler().fit(y_train.reshape(-1, 1))
            y_train = target.transform(y_train.reshape(-1, 1))[:, 0]
            y_test = target.transform(y_test.reshape(-1, 1))[:, 0]
        return X_train, y_train, X_test, y_test

    def code(self) -> str:
        """Python lines that make ``X_train, X_test, y_train, y_test`` as :meth:`split` does."""
        regression = self.kind == REGRESSION
        strata = "np.digitize(y, np.quantile(y, [0.2, 0.4, 0.6, 0.8]))" if regression else "y"
        lines = [f"from sklearn.datasets import {self.loader}",
                 "from sklearn.model_selection import train_test_split",
                 "from sklearn.preprocessing import StandardScaler", "",
                 f"X, y = {self.loader}(return_X_y=True)  # bundled with scikit-learn",
                 (f"# Stratified by {'target quintile' if regression else 'class'}, seeded; "
                  "scaled with the training rows' statistics only."),
                 "X_train, X_test, y_train, y_test = train_test_split(",
                 f"    X, y, test_size={self.test_size!r}, random_state={self.seed!r},",
                 f"    stratify={strata})",
                 "scaler = StandardScaler().fit(X_train)",
                 "X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)"]
        if regression:
            lines += ["target = StandardScaler().fit(y_train.reshape(-1, 1))",
                      "y_train = target.transform(y_train.reshape(-1, 1))[:, 0]",
                      "y_test = target.transform(y_test.reshape(-1, 1))[:, 0]"]
        lines.append(_DTYPES)
        return "\n".join(lines)

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(feature names, class labels) as scikit-learn gives them."""
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, self.loader)()
        labels = () if self.kind == REGRESSION else tuple(str(t) for t in bunch.target_names)
        return tuple(str(f) for f in bunch.feature_names), labels


def _quintiles(y: np.ndarray) -> np.ndarray:
    return np.digitize(y, np.quantile(y, [0.2, 0.4, 0.6, 0.8]))


TUTORIAL: tuple[Recipe, ...] = (
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
)
# Epochs and widths chosen on a validation split carved out of the training rows (25%,
# stratified, seed 1; the test rows played no part), with the default SGD (lr 0.01,
# momentum 0.9, batch 32), cross-entropy (bce, cce) or MSE, seeds 0-4, widths 16/32/64
# (digits 32/64/128): the width within noise of the best, and the epoch where its mean
# validation accuracy stops rising (iris 1.000 from epoch 50; wine 0.961 from 20;
# breast_cancer 0.986 at 20, slowly falling after; digits 0.956 at 30, 0.961 at 100).
# diabetes overfits early: validation MSE 0.639 at 10 and 20 epochs, 0.705 at 50.
DATASETS: tuple[Dataset, ...] = (
    Dataset("iris", MULTICLASS, "load_iris",
            "iris: 150 flowers, 4 measurements, 3 species (50 each)",
            epochs=50, hidden_units=32),
    Dataset("wine", MULTICLASS, "load_wine",
            "wine: 178 wines, 13 chemical measurements, 3 cultivars (59/71/48)",
            epochs=30, hidden_units=32),
    Dataset("breast_cancer", BINARY, "load_breast_cancer",
            "breast_cancer: 569 tumours, 30 cell-nucleus features; class 1 is benign "
            "(357), 0 malignant (212)",
            epochs=20, hidden_units=32),
    Dataset("digits", MULTICLASS, "load_digits",
            "digits: 1,797 handwritten digits as 8x8 pixel intensities (64 features), "
            "10 classes",
            epochs=30, hidden_units=64),
    Dataset("diabetes", REGRESSION, "load_diabetes",
            "diabetes: 442 patients, 10 baseline measurements, disease progression after a "
            "year (target standardized)",
            epochs=20, hidden_units=16),
)
RECIPES: dict[str, Recipe | Dataset] = {r.name: r for r in TUTORIAL + DATASETS}
TUTORIAL_PROBLEMS = tuple(r.name for r in TUTORIAL)
DATASET_NAMES = tuple(d.name for d in DATASETS)
BUILTIN_PROBLEMS = TUTORIAL_PROBLEMS + DATASET_NAMES
# The tutorial's three: what the default report and a perturbation with no problem named
# iterate. The bundled datasets are in BUILTIN_PROBLEMS.
PROBLEM_NAMES = TUTORIAL_PROBLEMS
PROBLEM_KIND = {name: r.kind for name, r in RECIPES.items()}
_ALIASES = {"binary": "circles", "multiclass": "blobs"}


@dataclass(frozen=True)
class Source:
    """Where a problem's data came from: enough to say it, export it or load it again."""

    builtin: str = ""  # a key of RECIPES: a tutorial problem or a bundled dataset
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
    n_classes: int = 0  # 0 for regression; 2 for multilabel (each label is 0 or 1)
    feature_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()  # own data: the target columns (labels, for multilabel)
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
    def n_targets(self) -> int:
        """Output columns the targets fill: one per target of a multi-output regression or
        per label of a multilabel problem (``y`` is ``(n, n_targets)`` then), else 1. A
        multiclass problem's 2-D ``y`` (soft labels) is still one target."""
        if self.kind in (REGRESSION, MULTILABEL) and self.y_train.ndim == 2:
            return int(self.y_train.shape[1])
        return 1

    @property
    def targets(self) -> tuple[str, ...]:
        """A name per target column: the file's column names, else y1, y2, ..."""
        if len(self.target_names) == self.n_targets:
            return self.target_names
        return tuple(f"y{j + 1}" for j in range(self.n_targets))

    @property
    def y_all(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    @property
    def recipe(self) -> Recipe | Dataset | None:
        return RECIPES.get(self.source.builtin) if self.source.builtin else None

    @functools.cached_property
    def fingerprint(self) -> str:
        """A short digest of the four arrays (shapes, types and bytes): runs whose problems
        share a name but not their data (a file changed on disk, another perturbation
        seed) are not seeds of one experiment. Computed once per value; the arrays are
        read-only, so it cannot go stale."""

        digest = hashlib.blake2b(digest_size=6)
        for array in (self.X_train, self.y_train, self.X_test, self.y_test):
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(repr(array.tolist()).encode() if array.dtype == object
                          else np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


def canonical_problem_name(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in RECIPES:
        choices = ", ".join(BUILTIN_PROBLEMS + tuple(_ALIASES))
        raise UsageError(f"unknown problem {name!r}; choose from {choices}", field="problem")
    return key


def get_problem(name: str) -> Problem:
    """The named built-in problem (``binary`` and ``multiclass`` are accepted too)."""
    return _builtin(canonical_problem_name(name))


def tutorial_problem_name(kind: str) -> str:
    """The tutorial problem of ``kind``: where a loss is tried when no problem is named."""
    return next(n for n in TUTORIAL_PROBLEMS if PROBLEM_KIND[n] == kind)


def tutorial_problem_for(kind: str) -> Problem:
    return get_problem(tutorial_problem_name(kind))


@functools.cache
def _builtin(name: str) -> Problem:
    recipe = RECIPES[name]
    X_train, y_train, X_test, y_test = recipe.split()
    X = np.concatenate([X_train, X_test])
    y = np.concatenate([y_train, y_test])
    problem = make_problem(name, recipe.kind, X, y, n_train=len(X_train), epochs=recipe.epochs,
                           hidden_units=recipe.hidden_units, description=recipe.description,
                           source=Source(builtin=name))
    if isinstance(recipe, Dataset):
        features, labels = recipe.names()
        problem = replace(problem, feature_names=features, class_labels=labels)
    return problem


def make_problem(name, kind, X, y, *, n_train, epochs, hidden_units, description="",
                 source: Source | None = None) -> Problem:
    """A problem from arrays: the first ``n_train`` rows train, the rest test."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}", field="kind")
    y = np.asarray(y)
    soft = y.ndim == 2 and kind == MULTICLASS  # rows of class probabilities
    if kind == REGRESSION:
        n_classes = 0
    elif kind == MULTILABEL:  # (n, labels) of 0 and 1
        if y.ndim != 2 or y.shape[1] < 2 or not np.all((y == 0) | (y == 1)):
            raise UsageError("multilabel targets are rows of 0/1, one column per label (two "
                             "or more)", field="kind")
        n_classes = 2
    else:
        n_classes = y.shape[1] if soft else int(np.max(y)) + 1
    X = np.asarray(X, dtype=np.float32)
    y = y.astype(np.float32 if kind == REGRESSION or soft else np.int64)
    return Problem(name, kind, description, X[:n_train], y[:n_train], X[n_train:], y[n_train:],
                   epochs, hidden_units, n_classes, source=source or Source())

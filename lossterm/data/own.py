"""Your own data: a CSV or Parquet file becomes a Problem, or a one-line reason why not.

Choices, each stated in the README:
- files are read with pandas (``read_csv``'s C engine, ``read_parquet`` through
  pyarrow): cells are only ever parsed as text or numbers; nothing in a file is
  evaluated or executed;
- CSV may be comma, semicolon, tab or pipe delimited (sniffed from the first
  16 KB), UTF-8 with or without a BOM, and gzip-compressed (known by content);
  ``.parquet``/``.pq`` files (or any file starting with Parquet's magic bytes)
  are read as Parquet when pyarrow is installed;
- a column is numeric when every cell is a number or empty/``nan``/``na``;
- rows with an empty, NaN or infinite numeric cell are dropped, with a warning
  saying how many (refused when fewer than 4 are left);
- a non-numeric feature column with at most 10 distinct values is one-hot
  encoded; with more it is refused, naming the column;
- the kind is inferred from the target unless ``kind`` is given: text labels or
  2 distinct values -> classification (2 classes binary, more multiclass),
  3-10 distinct integers -> multiclass, other numbers -> regression;
- several targets (``target=("a", "b")``, ``--target a --target b``) all leave the
  features: all regression -> multi-output regression (one output per target, each
  standardized on its own); all two-valued -> multilabel (one 0/1 column per label,
  the larger value or later label in sorted order is 1); a mix is refused;
- features are standardized with the training split's mean and std; a
  regression target too, unless ``raw_target``; statistics are computed so that
  values near the float64 limit cannot overflow, and rows whose standardized
  values do not fit float32 (what training uses) are dropped with a warning;
- the split is seeded and stratified for classification; a class with a single
  row is refused, naming it. A multilabel split is stratified by label
  combination (the rows' 0/1 patterns; patterns with a single row pooled into
  one stratum), or not at all when the strata outnumber the rows of a side:
  iterative stratification (Sechidis et al., 2011) would balance each label
  better but needs a package lossterm does not depend on. The description
  says which.
"""

from __future__ import annotations

import math

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.data.columns import column_values, constant_features, small_test_warnings
from lossterm.data.files import DataOptions, _first_line, problem_name, read_frame
from lossterm.data.problems import (
    BINARY,
    KINDS,
    MULTICLASS,
    MULTILABEL,
    REGRESSION,
    Problem,
    Source,
)
from lossterm.data.targets import (
    MAX_LEVELS,
    is_text,
    read_targets,
    target_description,
)

FLOAT32_MAX = float(np.finfo(np.float32).max)


def load_csv(options: DataOptions) -> Problem:
    """The file as a Problem named after the file; what loading changed is in
    ``problem.warnings``. With ``split_column``, the rows it marks for validation train
    too (only a study holds them out: :func:`load_csv_split`)."""
    if options.split_column:
        return load_csv_split(options)[0]
    frame = read_frame(options.path)
    _check_columns(frame, options, options.target)
    if not 0 < options.test_size < 1:
        raise UsageError("{field} must be between 0 and 1", field="test_size")
    warnings: list[str] = []
    columns = {name: column_values(frame[name], name, options.path) for name in frame.columns}
    del frame
    targets = [columns.pop(name) for name in options.target]  # every target leaves X
    X, names = _features(columns, options.path)
    keep = _complete_rows(X, targets, options, warnings)
    if not keep.all():
        X, targets = X[keep], [t[keep] for t in targets]
    kind, y, labels = read_targets(targets, options)
    warnings.extend(constant_features(X, names) + _leaks(X, y, names, options))
    return _split(options, kind, X, y, labels, names, warnings)


def _check_columns(frame, options: DataOptions, wanted) -> None:
    """Refuse target (and split) columns the file lacks, a target named twice, and a kind
    that cannot take this many targets."""
    if not options.target:
        raise UsageError("--data needs --target COLUMN: the column to predict")
    for column in wanted:
        if column not in frame.columns:
            raise UsageError(f"no column {column!r} in {options.path}; columns: "
                             f"{', '.join(frame.columns)}")
    twice = next((t for i, t in enumerate(options.target) if t in options.target[:i]), None)
    if twice is not None:
        raise UsageError(f"{{field}} {twice!r} is given twice", field="target")
    if options.kind is not None and options.kind not in KINDS:
        raise UsageError(f"unknown kind {options.kind!r}; choose from {', '.join(KINDS)}")
    several = len(options.target) > 1
    if options.kind == MULTILABEL and not several:
        raise UsageError("{field} multilabel needs two or more target columns (--target a "
                         "--target b), one per label", field="kind")
    if options.kind in (BINARY, MULTICLASS) and several:
        raise UsageError(f"{{field}} {options.kind} takes one target column; several "
                         "two-valued targets are multilabel, several numeric ones regression",
                         field="kind")


def _leaks(X, y, names, options: DataOptions) -> list[str]:
    """:func:`leak_warnings` for each target column."""
    if y.ndim == 1:
        return leak_warnings(X, y, names, options.target[0])
    return [line for j, target in enumerate(options.target)
            for line in leak_warnings(X, y[:, j], names, target)]


SPLIT_VALUES = {"train": "train", "training": "train", "validation": "validation",
                "val": "validation", "valid": "validation", "test": "test"}


def load_csv_split(options: DataOptions) -> tuple[Problem, np.ndarray | None]:
    """The file as a Problem whose split is the user's own (``split_column``: train,
    validation or test per row), and the validation rows' indices into its training
    rows (which hold train rows, then validation rows). Features (and a regression
    target) are standardized with the train rows' statistics only. Without
    ``split_column``: :func:`load_csv` and None."""
    if not options.split_column:
        return load_csv(options), None
    frame = read_frame(options.path)
    _check_columns(frame, options, (*options.target, options.split_column))
    if options.split_column in options.target:
        raise UsageError("{field} cannot be the target column", field="split_column")
    part = _split_values(frame[options.split_column], options)
    warnings: list[str] = []
    columns = {name: column_values(frame[name], name, options.path) for name in frame.columns
               if name != options.split_column}
    del frame
    targets = [columns.pop(name) for name in options.target]
    X, names = _features(columns, options.path)
    keep = _complete_rows(X, targets, options, warnings)
    X, targets, part = X[keep], [t[keep] for t in targets], part[keep]
    kind, y, labels = read_targets(targets, options)
    warnings.extend(constant_features(X, names) + _leaks(X, y, names, options))
    order = [np.flatnonzero(part == name) for name in ("train", "validation", "test")]
    for name, rows in zip(("train", "validation", "test"), order):
        if len(rows) == 0:
            raise UsageError(f"{{field}} {options.split_column!r} of {options.path} marks no "
                             f"{name} rows (it needs train, validation and test)",
                             field="split_column")
    train = np.concatenate(order[:2])
    problem = _standardized_problem(options, kind, X[train], y[train], X[order[2]],
                                    y[order[2]], labels, names, warnings,
                                    stats_rows=len(order[0]))
    held = np.arange(len(order[0]), len(problem.y_train))
    if len(held) != len(order[1]):
        raise UsageError(f"{options.path}: validation rows did not fit float32 after "
                         "standardizing; rescale the data")
    return problem, held


def _split_values(series, options: DataOptions) -> np.ndarray:
    """Each row's part ('train', 'validation' or 'test'), or UsageError naming bad values."""
    text = series.astype("string").fillna("").str.strip().str.lower()
    parts = text.map(lambda v: SPLIT_VALUES.get(v, "")).to_numpy(dtype=object)
    bad = sorted(set(text[parts == ""]))
    if bad:
        raise UsageError(f"{{field}} {options.split_column!r} holds {', '.join(map(repr, bad[:3]))}"
                         f"; each row must say train, validation or test", field="split_column")
    return parts


def _standardized_problem(options, kind, X_train, y_train, X_test, y_test, labels, names,
                          warnings, stats_rows: int, split: str = "") -> Problem:
    """A Problem from a split already made, standardized with the first ``stats_rows``
    training rows' statistics."""
    mean, std = _column_stats(X_train[:stats_rows])
    X_train, X_test = _standardized(X_train, mean, std), _standardized(X_test, mean, std)
    if kind == REGRESSION and not options.raw_target:
        y_mean, y_std = _column_stats(y_train[:stats_rows])
        y_train = _standardized(y_train, y_mean, y_std)
        y_test = _standardized(y_test, y_mean, y_std)
    elif kind == REGRESSION and not (np.all(np.abs(y_train) <= FLOAT32_MAX)
                                     and np.all(np.abs(y_test) <= FLOAT32_MAX)):
        peak = max(np.abs(y_train).max(), np.abs(y_test).max())
        raise UsageError(f"the target {options.target_text} has values beyond float32's range "
                         f"(up to {peak:.3g}); leave out {{field}} to have it "
                         "standardized", field="raw_target")
    (X_train, y_train), (X_test, y_test) = _fitting(options, X_train, y_train, X_test, y_test,
                                                    kind, warnings)
    warnings.extend(small_test_warnings(len(X_test)))
    several = len(options.target) > 1
    return Problem(
        name=problem_name(options), kind=kind,
        description=f"{options.path}: {len(X_train) + len(X_test)} rows, {len(names)} "
                    f"features, " + target_description(options, kind, labels)
                    + (f"; {split}" if split else ""),
        X_train=X_train.astype(np.float32), y_train=_typed(y_train, kind),
        X_test=X_test.astype(np.float32), y_test=_typed(y_test, kind),
        epochs=100, hidden_units=25 if kind == REGRESSION else 50,
        n_classes=2 if kind == MULTILABEL else len(labels) if labels else 0,
        feature_names=tuple(names), target_names=tuple(options.target),
        class_labels=() if several else tuple(labels or ()),
        warnings=tuple(warnings),
        source=Source(path=str(options.path), options=options),
    )


LEAK_CORRELATION = 0.99


def leak_warnings(X: np.ndarray, y: np.ndarray, names: list[str], target: str) -> list[str]:
    """A warning for each feature that (nearly) is the target: Spearman ``|r| >= 0.99``.

    Such a column is usually the answer in another form (a copy, a unit
    conversion, a value derived from the target), and a model that reads it
    learns nothing about the problem; every loss then looks perfect.
    """
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=np.float64)
    if len(y) < 3 or not np.all(np.isfinite(y)):
        return []
    y = rankdata(y)  # ranks: no overflow for values near float64's limit, and any
    out = []          # monotone disguise of the target (a unit change, a log) counts
    for j, name in enumerate(names):
        column = rankdata(X[:, j])
        if np.ptp(column) == 0 or np.ptp(y) == 0:
            continue
        r = float(np.corrcoef(column, y)[0, 1])
        if abs(r) >= LEAK_CORRELATION:
            out.append(f"feature {name!r} nearly equals the target {target!r} (correlation "
                       f"{r:+.3f}): if it is derived from the target, it leaks the answer")
    return out


def _features(columns: dict[str, np.ndarray], path: str) -> tuple[np.ndarray, list[str]]:
    """The feature matrix (float64) and its column names, text columns one-hot encoded."""
    blocks, names = [], []
    for name, values in columns.items():
        if not is_text(values):
            blocks.append(values[:, None])
            names.append(name)
            continue
        levels, codes = np.unique(values, return_inverse=True)
        if len(levels) > MAX_LEVELS:
            raise UsageError(f"column {name!r} of {path} is not numeric and has {len(levels)} "
                             f"distinct values (one-hot encoding takes at most {MAX_LEVELS}); "
                             "drop it or encode it yourself")
        blocks.append((codes.reshape(-1, 1) == np.arange(len(levels))).astype(np.float64))
        names += [f"{name}={level}" for level in levels]
    if not blocks:
        raise UsageError(f"{path} has no feature columns besides the target")
    return np.hstack(blocks), names


def _complete_rows(X, targets, options, warnings) -> np.ndarray:
    """Which rows have finite features and every target (a text target may not be empty)."""
    keep = np.isfinite(X).all(axis=1)
    for target in targets:
        keep &= target != "" if is_text(target) else np.isfinite(target)
    kept = int(keep.sum())
    if kept < len(X):
        warnings.append(f"dropped {len(X) - kept} of {len(X)} rows with an empty, NaN or "
                        "infinite value")
    if kept < 4:
        raise UsageError(f"{options.path}: only {kept} complete rows; at least 4 are "
                         "needed to split into train and test")
    return keep

# --- split and standardization ------------------------------------------------------------


def _split(options, kind, X, y, labels, names, warnings) -> Problem:
    from sklearn.model_selection import train_test_split

    stratify, split = None, ""
    if kind == MULTILABEL:
        stratify, split = label_strata(y, options.test_size)
    elif kind != REGRESSION:
        _check_stratifiable(options, y, labels)
        stratify = y
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=options.test_size, random_state=options.seed, stratify=stratify)
    except ValueError as exc:  # its messages run to several sentences: keep the first
        first = _first_line(exc).split(". ")[0].rstrip(".")
        raise UsageError(f"cannot split {options.path} into train and test: {first}") from None
    return _standardized_problem(options, kind, X_train, y_train, X_test, y_test, labels,
                                 names, warnings, stats_rows=len(X_train), split=split)


def label_strata(Y: np.ndarray, test_size: float) -> tuple[np.ndarray | None, str]:
    """Strata for a multilabel split, and how it is stratified, in words.

    Each row's label combination (its 0/1 pattern) is a stratum; patterns held by a
    single row are pooled into one stratum (joined to the most common pattern when
    that pool is a single row too). When the strata outnumber the rows of the
    smaller side, no stratification: ``(None, why)``."""
    _, codes, counts = np.unique(Y, axis=0, return_inverse=True, return_counts=True)
    codes = codes.reshape(-1)
    rare = counts[codes] < 2
    if rare.any():
        codes = np.where(rare, -1, codes)
        if rare.sum() == 1:
            codes[rare] = int(np.argmax(np.where(counts >= 2, counts, -1)))
    n_test = math.ceil(test_size * len(Y))
    strata = len(np.unique(codes))
    if strata > min(n_test, len(Y) - n_test) or strata < 2:
        return None, (f"split not stratified ({strata} label combinations for "
                      f"{min(n_test, len(Y) - n_test)} rows on the smaller side)")
    pooled = " (combinations of one row pooled)" if rare.any() else ""
    return codes, f"split stratified by label combination{pooled}"


def _check_stratifiable(options, y, labels) -> None:
    """Say which class a stratified split cannot place, instead of scikit-learn's essay."""
    counts = np.bincount(y, minlength=len(labels))
    rarest = int(counts.argmin())
    if counts[rarest] < 2:
        raise UsageError(f"cannot split {options.path} into train and test: class "
                         f"{labels[rarest]!r} of {options.target[0]!r} has only 1 row; a stratified "
                         "split needs at least 2 per class (add rows of it or remove it)")
    n_test = math.ceil(options.test_size * len(y))
    smaller, rows = min(("test", n_test), ("training", len(y) - n_test), key=lambda s: s[1])
    if rows < len(labels):
        raise UsageError(f"cannot split {options.path} into train and test: the {smaller} split "
                         f"would get {rows} rows, fewer than the {len(labels)} classes; change "
                         "{field} or add rows", field="test_size")


def _column_stats(train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per column (std 1 where constant), computed on values divided by each
    column's largest magnitude: sums and squares of values near 1e300 would overflow."""
    peak = np.abs(train).max(axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    scaled = train / peak
    mean, std = scaled.mean(axis=0) * peak, scaled.std(axis=0) * peak
    return mean, np.where(std > 0, std, 1.0)


def _standardized(values: np.ndarray, mean, std) -> np.ndarray:
    """(values - mean) / std; an overflow gives inf, which ``_fitting`` deals with."""
    with np.errstate(over="ignore", invalid="ignore"):
        return (values - mean) / std


def _fitting(options, X_train, y_train, X_test, y_test, kind, warnings):
    """Both splits without the rows whose standardized values do not fit float32."""
    splits, dropped = [], 0
    for X, y in ((X_train, y_train), (X_test, y_test)):
        fits = np.all(np.abs(X) <= FLOAT32_MAX, axis=1)
        if kind == REGRESSION:
            fits &= np.all(np.abs(y.reshape(len(y), -1)) <= FLOAT32_MAX, axis=1)
        dropped += int(len(fits) - fits.sum())
        if not fits.any():
            raise UsageError(f"{options.path}: values too large to standardize (beyond "
                             f"{FLOAT32_MAX:.3g}); rescale the data")
        splits.append((X, y) if fits.all() else (X[fits], y[fits]))
    if dropped:
        warnings.append(f"dropped {dropped} rows whose standardized values do not fit float32 "
                        f"(beyond {FLOAT32_MAX:.3g})")
    return splits


def _typed(y, kind):
    return y.astype(np.float32 if kind == REGRESSION else np.int64)

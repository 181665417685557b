"""Your own data: a CSV file becomes a Problem, or a one-line reason why not.

Choices, each stated in the README:
- cells are parsed with the standard ``csv`` module and ``float()``; nothing in
  a file is ever evaluated or executed;
- rows with an empty, NaN or infinite numeric cell are dropped, with a warning
  saying how many (refused when nothing is left);
- a non-numeric feature column with at most 10 distinct values is one-hot
  encoded; with more it is refused, naming the column;
- the kind is inferred from the target unless ``kind`` is given: text labels or
  2 distinct values -> classification (2 classes binary, more multiclass),
  numeric with more than 10 distinct values -> regression;
- features are standardized with the training split's mean and std; a
  regression target too, unless ``raw_target``;
- the split is seeded and stratified for classification.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lossterm.engine.problems import BINARY, KINDS, MULTICLASS, REGRESSION, Problem, Source
from lossterm.errors import UsageError

MAX_LEVELS = 10  # categorical features and integer class targets


@dataclass(frozen=True)
class DataOptions:
    path: str
    target: str
    kind: str | None = None
    test_size: float = 0.5
    raw_target: bool = False
    seed: int = 0


def read_table(path: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file, or UsageError saying what is wrong with it."""
    file = Path(path).expanduser()
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not raw.strip():
        raise UsageError(f"{path} is empty")
    if b"\0" in raw[:4096]:
        raise UsageError(f"{path} is not a CSV file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a CSV file (not UTF-8 text)") from None
    rows = [r for r in csv.reader(text.splitlines()) if any(cell.strip() for cell in r)]
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if len(header) < 2:
        raise UsageError(f"{path} is not a CSV file with a header and two or more columns")
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise UsageError(f"{path} line {number} has {len(row)} fields; the header has "
                             f"{len(header)}")
    if not body:
        raise UsageError(f"{path} has a header but no data rows")
    return header, [[cell.strip() for cell in row] for row in body]


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _is_numeric(column: list[str]) -> bool:
    return all(_number(c) is not None or c.lower() in ("", "nan", "na") for c in column)


def load_csv(options: DataOptions) -> Problem:
    """The file as a Problem named after the file; what loading changed is in
    ``problem.warnings``."""
    header, rows = read_table(options.path)
    if options.target not in header:
        raise UsageError(f"no column {options.target!r} in {options.path}; columns: "
                         f"{', '.join(header)}")
    if options.kind is not None and options.kind not in KINDS:
        raise UsageError(f"unknown kind {options.kind!r}; choose from {', '.join(KINDS)}")
    if not 0 < options.test_size < 1:
        raise UsageError("--test-size must be between 0 and 1")
    warnings: list[str] = []
    columns = list(zip(*rows))
    t = header.index(options.target)
    features, names = _features(header, columns, t, options.path)
    target_cells = list(columns[t])
    keep = _complete_rows(features, target_cells, options, warnings)
    X, target_cells = features[keep], [target_cells[i] for i in keep]
    kind, y, labels = _target(target_cells, options)
    return _split(options, kind, X, y, labels, names, warnings)


def _features(header, columns, t, path) -> tuple[np.ndarray, list[str]]:
    blocks, names = [], []
    for j, (name, column) in enumerate(zip(header, columns)):
        if j == t:
            continue
        if _is_numeric(column):
            values = [_number(c) for c in column]
            blocks.append(np.array([math.nan if v is None else v for v in values])[:, None])
            names.append(name)
            continue
        levels = sorted(set(column))
        if len(levels) > MAX_LEVELS:
            raise UsageError(f"column {name!r} of {path} is not numeric and has {len(levels)} "
                             f"distinct values (one-hot encoding takes at most {MAX_LEVELS}); "
                             "drop it or encode it yourself")
        blocks.append(np.array([[c == level for level in levels] for c in column], dtype=float))
        names += [f"{name}={level}" for level in levels]
    if not blocks:
        raise UsageError(f"{path} has no feature columns besides the target")
    return np.hstack(blocks), names


def _complete_rows(X, target_cells, options, warnings) -> list[int]:
    numeric_target = _is_numeric(target_cells)
    keep = []
    for i, row in enumerate(X):
        value = _number(target_cells[i])
        target_ok = target_cells[i] != "" and (
            not numeric_target or (value is not None and math.isfinite(value)))
        if target_ok and np.all(np.isfinite(row)):
            keep.append(i)
    dropped = len(X) - len(keep)
    if dropped:
        warnings.append(f"dropped {dropped} of {len(X)} rows with an empty, NaN or infinite "
                        "value")
    if len(keep) < 4:
        raise UsageError(f"{options.path}: only {len(keep)} complete rows; at least 4 are "
                         "needed to split into train and test")
    return keep


def _target(cells: list[str], options: DataOptions):
    numeric = _is_numeric(cells)
    values = sorted(set(cells), key=lambda c: (_number(c) if numeric else 0, c))
    inferred = _infer_kind(cells, numeric, values)
    kind = options.kind or inferred
    if kind == REGRESSION:
        if not numeric:
            raise UsageError(f"--kind regression needs a numeric target; {options.target!r} "
                             f"holds labels such as {values[0]!r}")
        return kind, np.array([float(c) for c in cells]), None
    if len(values) < 2:
        raise UsageError(f"the target {options.target!r} has a single class ({values[0]!r}); "
                         "classification needs two or more")
    if kind == BINARY and len(values) != 2:
        raise UsageError(f"--kind binary needs exactly 2 classes; {options.target!r} has "
                         f"{len(values)}")
    if kind == MULTICLASS and len(values) > 50:
        raise UsageError(f"the target {options.target!r} has {len(values)} distinct values: "
                         "too many classes (did you mean --kind regression?)")
    index = {v: i for i, v in enumerate(values)}
    return kind, np.array([index[c] for c in cells]), values


def _infer_kind(cells, numeric, values) -> str:
    if not numeric:
        return BINARY if len(values) == 2 else MULTICLASS
    integers = all(float(v).is_integer() for v in values)
    if len(values) == 2:
        return BINARY
    if integers and len(values) <= MAX_LEVELS:
        return MULTICLASS
    return REGRESSION


def _split(options, kind, X, y, labels, names, warnings) -> Problem:
    from sklearn.model_selection import train_test_split

    stratify = None if kind == REGRESSION else y
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=options.test_size, random_state=options.seed, stratify=stratify)
    except ValueError as exc:
        raise UsageError(f"cannot split {options.path} into train and test: {exc}") from None
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    if kind == REGRESSION and not options.raw_target:
        y_mean, y_std = y_train.mean(), y_train.std() or 1.0
        y_train, y_test = (y_train - y_mean) / y_std, (y_test - y_mean) / y_std
    name = Path(options.path).name  # the file's name: never mistaken for a built-in problem
    return Problem(
        name=name, kind=kind,
        description=f"{options.path}: {len(X)} rows, {len(names)} features, target "
                    f"{options.target!r}" + (f" ({len(labels)} classes)" if labels else ""),
        X_train=X_train.astype(np.float32), y_train=_typed(y_train, kind),
        X_test=X_test.astype(np.float32), y_test=_typed(y_test, kind),
        epochs=100, hidden_units=25 if kind == REGRESSION else 50,
        n_classes=len(labels) if labels else 0,
        feature_names=tuple(names), class_labels=tuple(labels or ()),
        warnings=tuple(warnings),
        source=Source(path=str(options.path), options=options),
    )


def _typed(y, kind):
    return y.astype(np.float32 if kind == REGRESSION else np.int64)

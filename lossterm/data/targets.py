"""What a file asks to predict: its target columns as a kind, ``y`` and class labels.

One target column: text labels or 2 distinct values -> binary, 3-10 distinct
integers -> multiclass, other numbers -> regression (or the kind given). Several:
all numeric -> a multi-output regression, all two-valued -> multilabel; mixed kinds
are refused in one line. Read by :mod:`lossterm.data.own`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.data.problems import BINARY, MULTICLASS, MULTILABEL, REGRESSION

if TYPE_CHECKING:
    from lossterm.data.files import DataOptions

MAX_LEVELS = 10  # categorical features and integer class targets
MAX_CLASSES = 50


def is_text(values: np.ndarray) -> bool:
    """A column read as text (object dtype) rather than numbers."""
    return values.dtype == object


def target_description(options: DataOptions, kind, labels) -> str:
    if len(options.target) == 1:
        return (f"target {options.target[0]!r}"
                + (f" ({len(labels)} classes)" if labels else ""))
    if kind == MULTILABEL:
        ones = ", ".join(f"{t!r} (1 = {one!r})" for t, one in zip(options.target, labels))
        return f"{len(options.target)} labels (multilabel): {ones}"
    scaled = "unscaled" if options.raw_target else "each standardized"
    return f"{len(options.target)} targets {options.target_text} ({scaled})"


def read_target(values: np.ndarray, options: DataOptions, name: str | None = None, kind=None):
    """The kind, y (floats, or class indices into the sorted labels) and the labels."""
    name = options.target[0] if name is None else name
    numeric = not is_text(values)
    distinct = np.unique(values)  # sorted: by value for numbers, by text for labels
    given = kind or options.kind
    if not numeric and given in (None, REGRESSION) and looks_like_dates(distinct):
        raise UsageError(f"the target {name!r} holds dates such as {distinct[0]!r}; lossterm "
                         "predicts numbers or classes, so add a numeric column to the file "
                         "(e.g. days since the first date) and give it as the target")
    kind = given or infer_kind(numeric, distinct)
    if kind == REGRESSION:
        if not numeric:
            raise UsageError(f"{{field}} regression needs a numeric target; {name!r} "
                             f"holds labels such as {distinct[0]!r}", field="kind")
        return kind, values, None
    labels = [label_text(v) for v in distinct] if numeric else [str(v) for v in distinct]
    if len(labels) < 2:
        raise UsageError(f"the target {name!r} has a single class ({labels[0]!r}); "
                         "classification needs two or more")
    if kind in (BINARY, MULTILABEL) and len(labels) != 2:
        per = " per target" if kind == MULTILABEL else ""
        raise UsageError(f"{{field}} {kind} needs exactly 2 classes{per}; {name!r} has "
                         f"{len(labels)}", field="kind")
    if kind == MULTICLASS and len(labels) > MAX_CLASSES:
        advice = ("did you mean {field} regression?" if numeric else "as text it cannot be a "
                  "regression target; if it holds numbers in another form, write them as "
                  "plain numbers in the file")
        raise UsageError(f"the target {name!r} has {len(labels)} distinct values: "
                         f"too many classes ({advice})", field="kind")
    return kind, np.searchsorted(distinct, values), labels


def read_targets(columns: list[np.ndarray], options: DataOptions):
    """The kind, y and labels of one target column (:func:`read_target`) or several: ``y``
    ``(n, targets)`` floats for regression, 0/1 for multilabel (labels: each column's
    label read as 1). Targets of mixed kinds are refused."""
    if len(columns) == 1:
        return read_target(columns[0], options)
    kind = options.kind or common_kind(columns, options)
    if kind == REGRESSION:
        parts = [read_target(c, options, name, REGRESSION)[1]
                 for c, name in zip(columns, options.target)]
        return kind, np.column_stack(parts).astype(np.float64), None
    parts = [read_target(c, options, name, MULTILABEL) for c, name in zip(columns, options.target)]
    return kind, np.column_stack([y for _, y, _ in parts]), [labels[1] for _, _, labels in parts]


def common_kind(columns: list[np.ndarray], options: DataOptions) -> str:
    """Regression when every target is, multilabel when every target is two-valued."""
    kinds = [infer_kind(not is_text(c), np.unique(c)) for c in columns]
    if all(k == REGRESSION for k in kinds):
        return REGRESSION
    if all(k == BINARY for k in kinds):
        return MULTILABEL
    listed = ", ".join(f"{name!r} {kind}" for name, kind in zip(options.target, kinds))
    numeric = all(not is_text(c) for c in columns)
    raise UsageError(f"the targets mix kinds ({listed}); several targets must all be "
                     "numeric (multi-output regression) or all two-valued (multilabel)"
                     + ("; {field} regression predicts them all as numbers" if numeric
                        else ""), field="kind")


def infer_kind(numeric: bool, distinct: np.ndarray) -> str:
    if not numeric:
        return BINARY if len(distinct) == 2 else MULTICLASS
    if len(distinct) == 2:
        return BINARY
    if len(distinct) <= MAX_LEVELS and all(float(v).is_integer() for v in distinct):
        return MULTICLASS
    return REGRESSION


# 2024-01-31, 2024/1/31, 31.01.2024, 1/31/24, with a time or not
DATE = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
                  r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?")


def looks_like_dates(distinct: np.ndarray) -> bool:
    """Every distinct text value is a date (or a date and time) in a common form."""
    return len(distinct) > 0 and all(DATE.fullmatch(str(v)) for v in distinct)


def label_text(value: float) -> str:
    """A numeric class as people write it: 3 rather than 3.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))

"""A file's columns as arrays, and what is odd about them, in one line each.

A column is float64 when every cell is a number or a missing marker, else text.
Text that is really numbers in a local format (``1,234`` or ``3,14``) is refused
with what to do, because read as text it would become classes or one-hot
features and train on nonsense without a word. Features that cannot inform a
model (constant columns) and a test split too small to measure anything are
warned about: they are legal, and usually a mistake.
"""

from __future__ import annotations

import numpy as np

from lossterm.core.errors import UsageError

MISSING = ("", "nan", "na")  # cells a numeric column may hold besides numbers (lower-cased)
# 1,234 or -12,345,678.5 (thousands commas) and 3,14 or ,5 (a decimal comma)
COMMA_NUMBER = r"[-+]?(\d{1,3}(,\d{3})+(\.\d+)?|\d*,\d+)"
PLAIN_NUMBER = r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"


def column_values(series, name: str, path: str) -> np.ndarray:
    """float64 (NaN where missing) when every cell is a number or a missing marker, else
    stripped text: one representation for both file formats. Numbers with commas are
    refused (:func:`refuse_comma_numbers`)."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    text = series.astype("string").fillna("").str.strip()
    missing = text.str.lower().isin(MISSING)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    if bool((numbers.notna() | missing).all()):
        return numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    refuse_comma_numbers(text[~missing], name, path)
    return text.to_numpy(dtype=object)


def refuse_comma_numbers(cells, name: str, path: str) -> None:
    """Refuse a text column whose every cell is a number, some written with a comma."""
    comma = cells.str.fullmatch(COMMA_NUMBER).fillna(False)
    if not comma.any() or not bool((comma | cells.str.fullmatch(PLAIN_NUMBER).fillna(False))
                                   .all()):
        return
    example = str(cells[comma].iloc[0])
    raise UsageError(f"column {name!r} of {path} looks like numbers written with a thousands "
                     f"or decimal comma ({example!r}), which lossterm would read as text: "
                     "save the file with plain numbers (1234, or 3.14 with a decimal point)")


def constant_features(X: np.ndarray, names: list[str]) -> list[str]:
    """One line naming the features that hold a single value in every row, if any."""
    if len(X) == 0:
        return []
    same = X.min(axis=0) == X.max(axis=0)  # not np.ptp: max - min overflows near 1e308
    constant = [name for name, flat in zip(names, same) if flat]
    if not constant:
        return []
    if len(constant) == len(names):
        return [f"every feature is constant ({', '.join(map(repr, constant[:5]))}"
                + (", ..." if len(constant) > 5 else "") + "): nothing in the rows tells them "
                "apart, so no loss can learn more than the average target"]
    return [f"{len(constant)} feature(s) hold one value in every row and teach nothing: "
            + ", ".join(map(repr, constant[:5])) + (", ..." if len(constant) > 5 else "")]


def small_test_warnings(test_rows: int) -> list[str]:
    """One line when the test split is too small for its metric to mean anything."""
    if test_rows >= 2:
        return []
    return [f"the test split has {test_rows} row: every test figure is one sample's; "
            "add rows or hold out a larger share for testing"]

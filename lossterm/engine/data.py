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
- features are standardized with the training split's mean and std; a
  regression target too, unless ``raw_target``; statistics are computed so that
  values near the float64 limit cannot overflow, and rows whose standardized
  values do not fit float32 (what training uses) are dropped with a warning;
- the split is seeded and stratified for classification; a class with a single
  row is refused, naming it.
"""

from __future__ import annotations

import csv
import io
import math
import warnings as _warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lossterm.engine.problems import BINARY, KINDS, MULTICLASS, REGRESSION, Problem, Source
from lossterm.errors import UsageError

MAX_LEVELS = 10  # categorical features and integer class targets
MAX_CLASSES = 50
MISSING = ("", "nan", "na")  # cells a numeric column may hold besides numbers (lower-cased)
DELIMITERS = ",;\t|"
SNIFF_BYTES = 16384
PARQUET_SUFFIXES = (".parquet", ".pq")
FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True)
class DataOptions:
    path: str
    target: str
    kind: str | None = None
    test_size: float = 0.5
    raw_target: bool = False
    seed: int = 0


# --- reading: bytes -> DataFrame of raw cells ---------------------------------------------


def read_frame(path: str):
    """The file as a pandas DataFrame (numbers where pandas is sure, text otherwise), or
    UsageError saying what is wrong with it."""
    raw = _read_bytes(path)
    if Path(path).suffix.lower() in PARQUET_SUFFIXES or raw[:4] == b"PAR1":
        return _read_parquet(path, raw)
    raw = _gunzipped(path, raw)
    if not raw or raw.isspace():
        raise UsageError(f"{path} is empty")
    if b"\0" in raw[:4096]:
        raise UsageError(f"{path} is not a CSV file (it holds binary data)")
    delimiter = _sniff(raw)
    _check_fields(path, raw, delimiter)
    return _parse_csv(path, raw, delimiter)


def _read_bytes(path: str) -> bytes:
    """All of the file: reading once lets the content, not the name, decide the format."""
    file = Path(path).expanduser()
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _gunzipped(path: str, raw: bytes) -> bytes:
    """The content of a gzip file (known by its magic bytes, whatever its name), else raw."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    import gzip
    import zlib

    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        raise UsageError(f"{path} is not a valid gzip file (damaged or truncated)") from None


def _sniff(raw: bytes) -> str:
    """The delimiter, guessed from whole lines of the first 16 KB.

    csv.Sniffer wants consistent lines; when one is ragged (an error worth its line
    number) the header decides: the candidate it holds most of, comma when none."""
    sample = raw[:SNIFF_BYTES].decode("utf-8-sig", errors="replace")
    if len(raw) > SNIFF_BYTES and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = next((line for line in sample.splitlines() if line.strip()), "")
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _check_fields(path: str, raw: bytes, delimiter: str) -> None:
    """Refuse lines whose field count differs from the header's, naming the line.

    pandas' C parser pads short lines with empty cells silently, so fields are counted
    first: with NumPy when no quotes or lone carriage returns can hide line or field
    boundaries, else with the (C-implemented) csv module."""
    if b'"' in raw or raw.count(b"\r") != raw.count(b"\r\n"):
        width, rows = _count_with_csv(path, raw, delimiter)
    else:
        width, rows = _count_with_numpy(path, raw, delimiter)
    if width is None:
        raise UsageError(f"{path} is empty")
    if not rows:
        raise UsageError(f"{path} has a header but no data rows")


def _count_with_csv(path: str, raw: bytes, delimiter: str) -> tuple[int | None, int]:
    """Header width and data rows, reading quoted fields as csv does; proves UTF-8 too."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""),
                        delimiter=delimiter)
    width, rows = None, 0
    try:
        for row in reader:
            if len(row) == width:
                rows += 1
            elif not any(cell.strip() for cell in row):
                continue  # a blank line
            elif width is None:
                width = _header_width(path, len(row))
            else:
                _refuse_line(path, reader.line_num, len(row), width)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a CSV file (not UTF-8 text)") from None
    except csv.Error as exc:
        raise UsageError(f"{path} line {reader.line_num}: {exc}") from None
    return width, rows


def _count_with_numpy(path: str, raw: bytes, delimiter: str) -> tuple[int | None, int]:
    """Header width and data rows from delimiters per line, vectorized: no quotes here."""
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not a CSV file (not UTF-8 text)") from None
    buf = np.frombuffer(raw, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(buf == ord("\n")) + 1]
    starts = starts[starts < len(buf)]
    delimiters = np.flatnonzero(buf == ord(delimiter))
    fields = np.diff(np.searchsorted(delimiters, np.r_[starts, len(buf)])) + 1
    ends = np.r_[starts[1:], len(buf)]
    lines = range(len(starts))
    first = next((j for j in lines if not _blank(raw[starts[j]:ends[j]], delimiter)), None)
    if first is None:
        return None, 0
    width = _header_width(path, int(fields[first]))
    odd = np.flatnonzero(fields[first + 1:] != width) + first + 1
    for j in odd.tolist():
        if not _blank(raw[starts[j]:ends[j]], delimiter):
            _refuse_line(path, j + 1, int(fields[j]), width)
    return width, len(starts) - first - 1 - len(odd)


def _blank(line: bytes, delimiter: str) -> bool:
    return not line.replace(delimiter.encode(), b"").strip()


def _header_width(path: str, width: int) -> int:
    if width < 2:
        raise UsageError(f"{path} is not a CSV file with a header and two or more columns")
    return width


def _refuse_line(path: str, line: int, fields: int, width: int):
    raise UsageError(f"{path} line {line} has {fields} fields; the header has {width}")


def _parse_csv(path: str, raw: bytes, delimiter: str):
    """The cells as a DataFrame; pandas' own warnings become a one-line refusal."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype

    options = {"sep": delimiter, "encoding": "utf-8-sig", "engine": "c", "na_filter": False,
               "index_col": False}
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")
            # parsing in chunks (low_memory) takes half the memory; a column whose chunks
            # differ in type comes back as mixed objects, which _column reads as text
            _warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(io.BytesIO(raw), **options)
            # pandas turns True/False columns into booleans; lossterm reads them as text
            bools = [i for i, dtype in enumerate(frame.dtypes) if is_bool_dtype(dtype)]
            if bools:
                text = pd.read_csv(io.BytesIO(raw), usecols=bools, dtype=str, **options)
                for k, i in enumerate(bools):
                    frame.isetitem(i, text.iloc[:, k])
    except (ValueError, Warning) as exc:
        raise UsageError(f"cannot read {path}: {_first_line(exc)}") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    return _without_blank_rows(path, frame)


def _without_blank_rows(path: str, frame):
    """Rows of empty cells only (",,") are blank lines, skipped as the csv module did."""
    from pandas.api.types import is_string_dtype

    if all(is_string_dtype(dtype) for dtype in frame.dtypes):
        blank = np.ones(len(frame), dtype=bool)
        for name in frame.columns:
            blank &= (frame[name].str.strip() == "").to_numpy()
        frame = frame[~blank]
    if frame.empty:
        raise UsageError(f"{path} has a header but no data rows")
    return frame


def _read_parquet(path: str, raw: bytes):
    """A Parquet file through pyarrow, the only engine whose absence we name."""
    try:
        from pyarrow.lib import ArrowException
    except ImportError:
        raise UsageError(f"{path} is a Parquet file; reading it needs pyarrow: "
                         "pip install pyarrow") from None
    import pandas as pd

    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")
            frame = pd.read_parquet(io.BytesIO(raw), engine="pyarrow")
    except (ArrowException, ValueError, OSError, Warning) as exc:
        raise UsageError(f"{path} is not a readable Parquet file: {_first_line(exc)}") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    if len(frame.columns) < 2:
        raise UsageError(f"{path} has {len(frame.columns)} column; two or more are needed")
    if frame.empty:
        raise UsageError(f"{path} has columns but no rows")
    return frame


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- columns: DataFrame -> float64 or text arrays -----------------------------------------


def _column(series) -> np.ndarray:
    """float64 (NaN where missing) when every cell is a number or a missing marker, else
    stripped text: one representation for both file formats."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    text = series.astype("string").fillna("").str.strip()
    missing = text.str.lower().isin(MISSING)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    if bool((numbers.notna() | missing).all()):
        return numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    return text.to_numpy(dtype=object)


def _is_text(values: np.ndarray) -> bool:
    return values.dtype == object


def load_csv(options: DataOptions) -> Problem:
    """The file as a Problem named after the file; what loading changed is in
    ``problem.warnings``."""
    frame = read_frame(options.path)
    if options.target not in frame.columns:
        raise UsageError(f"no column {options.target!r} in {options.path}; columns: "
                         f"{', '.join(frame.columns)}")
    if options.kind is not None and options.kind not in KINDS:
        raise UsageError(f"unknown kind {options.kind!r}; choose from {', '.join(KINDS)}")
    if not 0 < options.test_size < 1:
        raise UsageError("{field} must be between 0 and 1", field="test_size")
    warnings: list[str] = []
    columns = {name: _column(frame[name]) for name in frame.columns}
    del frame
    target = columns.pop(options.target)
    X, names = _features(columns, options.path)
    keep = _complete_rows(X, target, options, warnings)
    if not keep.all():
        X, target = X[keep], target[keep]
    kind, y, labels = _target(target, options)
    return _split(options, kind, X, y, labels, names, warnings)


def _features(columns: dict[str, np.ndarray], path: str) -> tuple[np.ndarray, list[str]]:
    """The feature matrix (float64) and its column names, text columns one-hot encoded."""
    blocks, names = [], []
    for name, values in columns.items():
        if not _is_text(values):
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


def _complete_rows(X, target, options, warnings) -> np.ndarray:
    """Which rows have finite features and a target (a text target may not be empty)."""
    target_ok = target != "" if _is_text(target) else np.isfinite(target)
    keep = target_ok & np.isfinite(X).all(axis=1)
    kept = int(keep.sum())
    if kept < len(X):
        warnings.append(f"dropped {len(X) - kept} of {len(X)} rows with an empty, NaN or "
                        "infinite value")
    if kept < 4:
        raise UsageError(f"{options.path}: only {kept} complete rows; at least 4 are "
                         "needed to split into train and test")
    return keep


def _target(values: np.ndarray, options: DataOptions):
    """The kind, y (floats, or class indices into the sorted labels) and the labels."""
    numeric = not _is_text(values)
    distinct = np.unique(values)  # sorted: by value for numbers, by text for labels
    kind = options.kind or _infer_kind(numeric, distinct)
    if kind == REGRESSION:
        if not numeric:
            raise UsageError(f"{{field}} regression needs a numeric target; {options.target!r} "
                             f"holds labels such as {distinct[0]!r}", field="kind")
        return kind, values, None
    labels = [_label(v) for v in distinct] if numeric else [str(v) for v in distinct]
    if len(labels) < 2:
        raise UsageError(f"the target {options.target!r} has a single class ({labels[0]!r}); "
                         "classification needs two or more")
    if kind == BINARY and len(labels) != 2:
        raise UsageError(f"{{field}} binary needs exactly 2 classes; {options.target!r} has "
                         f"{len(labels)}", field="kind")
    if kind == MULTICLASS and len(labels) > MAX_CLASSES:
        raise UsageError(f"the target {options.target!r} has {len(labels)} distinct values: "
                         "too many classes (did you mean {field} regression?)", field="kind")
    return kind, np.searchsorted(distinct, values), labels


def _infer_kind(numeric: bool, distinct: np.ndarray) -> str:
    if not numeric:
        return BINARY if len(distinct) == 2 else MULTICLASS
    if len(distinct) == 2:
        return BINARY
    if len(distinct) <= MAX_LEVELS and all(float(v).is_integer() for v in distinct):
        return MULTICLASS
    return REGRESSION


def _label(value: float) -> str:
    """A numeric class as people write it: 3 rather than 3.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# --- split and standardization ------------------------------------------------------------


def _split(options, kind, X, y, labels, names, warnings) -> Problem:
    from sklearn.model_selection import train_test_split

    stratify = None
    if kind != REGRESSION:
        _check_stratifiable(options, y, labels)
        stratify = y
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=options.test_size, random_state=options.seed, stratify=stratify)
    except ValueError as exc:  # its messages run to several sentences: keep the first
        first = _first_line(exc).split(". ")[0].rstrip(".")
        raise UsageError(f"cannot split {options.path} into train and test: {first}") from None
    mean, std = _column_stats(X_train)
    X_train, X_test = _standardized(X_train, mean, std), _standardized(X_test, mean, std)
    if kind == REGRESSION and not options.raw_target:
        y_mean, y_std = _column_stats(y_train)
        y_train = _standardized(y_train, y_mean, y_std)
        y_test = _standardized(y_test, y_mean, y_std)
    elif kind == REGRESSION and not np.all(np.abs(y) <= FLOAT32_MAX):
        raise UsageError(f"the target {options.target!r} has values beyond float32's range "
                         f"(up to {np.abs(y).max():.3g}); leave out {{field}} to have it "
                         "standardized", field="raw_target")
    (X_train, y_train), (X_test, y_test) = _fitting(options, X_train, y_train, X_test, y_test,
                                                    kind, warnings)
    return Problem(
        name=_problem_name(options.path), kind=kind,
        description=f"{options.path}: {len(X_train) + len(X_test)} rows, {len(names)} "
                    f"features, target "
                    f"{options.target!r}" + (f" ({len(labels)} classes)" if labels else ""),
        X_train=X_train.astype(np.float32), y_train=_typed(y_train, kind),
        X_test=X_test.astype(np.float32), y_test=_typed(y_test, kind),
        epochs=100, hidden_units=25 if kind == REGRESSION else 50,
        n_classes=len(labels) if labels else 0,
        feature_names=tuple(names), class_labels=tuple(labels or ()),
        warnings=tuple(warnings),
        source=Source(path=str(options.path), options=options),
    )


def _check_stratifiable(options, y, labels) -> None:
    """Say which class a stratified split cannot place, instead of scikit-learn's essay."""
    counts = np.bincount(y, minlength=len(labels))
    rarest = int(counts.argmin())
    if counts[rarest] < 2:
        raise UsageError(f"cannot split {options.path} into train and test: class "
                         f"{labels[rarest]!r} of {options.target!r} has only 1 row; a stratified "
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
            fits &= np.abs(y) <= FLOAT32_MAX
        dropped += int(len(fits) - fits.sum())
        if not fits.any():
            raise UsageError(f"{options.path}: values too large to standardize (beyond "
                             f"{FLOAT32_MAX:.3g}); rescale the data")
        splits.append((X, y) if fits.all() else (X[fits], y[fits]))
    if dropped:
        warnings.append(f"dropped {dropped} rows whose standardized values do not fit float32 "
                        f"(beyond {FLOAT32_MAX:.3g})")
    return splits


def _problem_name(path: str) -> str:
    """The file's name without a compression suffix (data.csv.gz -> data.csv): never the
    bare stem, so own data called circles.csv is never mistaken for built-in circles."""
    name = Path(path).name
    return name[:-3] if name.lower().endswith(".gz") else name


def _typed(y, kind):
    return y.astype(np.float32 if kind == REGRESSION else np.int64)

"""Reading a data file into a pandas DataFrame, or a one-line reason why not.

CSV with a sniffed delimiter (``, ; tab |``), UTF-8 with or without a BOM,
gzip known by its content, and Parquet through pyarrow. Only pandas'
``read_csv`` and ``read_parquet`` touch the bytes: nothing in a file is ever
evaluated. Field counts are checked before pandas parses, because its C
engine pads short lines silently and the user deserves the line number.
pandas is imported inside the functions: ``lossterm --help`` never pays for it.
"""

from __future__ import annotations

import csv
import gzip
import io
import stat
import warnings as _warnings
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lossterm.core.errors import UsageError


@dataclass(frozen=True)
class DataOptions:
    """A file and how to read it. ``target`` is one column name or several (a tuple;
    a single string is taken as a tuple of one)."""

    path: str
    target: tuple[str, ...] | str
    kind: str | None = None
    test_size: float = 0.5
    raw_target: bool = False
    seed: int = 0
    split_column: str | None = None  # a column holding train / validation / test per row
    # The problem's name in reports and the store; None: the file's name (problem_name).
    # Set by distinct_files when several files of one request share a name.
    name: str | None = None

    def __post_init__(self):
        names = (self.target,) if isinstance(self.target, str) else tuple(self.target)
        object.__setattr__(self, "target", tuple(str(name) for name in names))

    @property
    def target_text(self) -> str:
        """The target columns as a report names them: 'price' or 'a', 'b'."""
        return ", ".join(repr(name) for name in self.target)


def problem_name(options: DataOptions) -> str:
    """The problem's name: the one given, else the file's name without a compression
    suffix (data.csv.gz -> data.csv): never the bare stem, so own data called circles.csv
    is never mistaken for built-in circles."""
    if options.name:
        return options.name
    name = Path(options.path).name
    return name[:-3] if name.lower().endswith(".gz") else name


def distinct_files(files, taken=()) -> tuple[DataOptions, ...]:
    """``files`` (DataOptions) with one problem name each, so a report of a suite never
    shows two problems under one name: a file given twice (the same resolved path) is
    kept once, and files whose names clash (with each other or with ``taken``, names
    already in use) are named by as many trailing folders as tell them apart
    (``a/data.csv``, ``b/data.csv``)."""
    unique: dict[Path, DataOptions] = {}
    for options in files:
        unique.setdefault(Path(options.path).expanduser().resolve(), options)
    clashes = Counter([problem_name(o) for o in unique.values()] + list(taken))
    out = []
    for path, options in unique.items():
        name = problem_name(options)
        if clashes[name] > 1:
            rivals = [p for p, o in unique.items() if problem_name(o) == name]
            name = _shortest_suffix(path, rivals, set(taken))
            options = replace(options, name=name)
        out.append(options)
    return tuple(out)


def _shortest_suffix(path: Path, rivals: list[Path], taken: set[str]) -> str:
    """The fewest trailing parts of ``path`` that no other of ``rivals`` ends with and
    that no name in ``taken`` is (the whole path at worst)."""
    parts = path.parts
    for n in range(2, len(parts) + 1):
        mine = parts[-n:]
        if "/".join(mine) in taken:
            continue
        if all(other.parts[-n:] != mine for other in rivals if other != path):
            return "/".join(mine)
    return str(path)


DELIMITERS = ",;\t|"
SNIFF_BYTES = 16384
PARQUET_SUFFIXES = (".parquet", ".pq")

# --- reading: bytes -> DataFrame of raw cells ---------------------------------------------


def read_frame(path: str):
    """The file as a pandas DataFrame (numbers where pandas is sure, text otherwise), or
    UsageError saying what is wrong with it."""
    raw = _read_bytes(path)
    if Path(path).suffix.lower() in PARQUET_SUFFIXES or raw[:4] == b"PAR1":
        return _read_parquet(path, raw)
    raw = _as_utf8(path, _gunzipped(path, raw))
    if not raw or raw.isspace():
        raise UsageError(f"{path} is empty")
    if b"\0" in raw[:4096]:
        raise UsageError(f"{path} is not a CSV file (it holds binary data)")
    delimiter = _sniff(raw)
    _check_fields(path, raw, delimiter)
    _refuse_duplicate_names(path, _header(raw, delimiter))
    return _parse_csv(path, raw, delimiter)


PIPE_LIMIT = 1 << 30  # what a pipe (whose size nobody knows) may send: 1 GiB
EXCEL = "an Excel workbook, not a CSV file: save it as CSV (UTF-8) from Excel and give that"


def _as_utf8(path: str, raw: bytes) -> bytes:
    """UTF-16 text (known by its byte-order mark) re-encoded as UTF-8; other files that are
    not text refused by what they are: an Excel workbook, UTF-16 without its mark."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path} starts as UTF-16 text but is not valid UTF-16; re-save "
                             "it as UTF-8 CSV") from None
    if raw[:4] == b"PK\x03\x04" and (b"xl/" in raw[:65536] or path.lower().endswith(
            (".xlsx", ".xlsm"))):
        raise UsageError(f"{path} is {EXCEL}")
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # the old .xls container
        raise UsageError(f"{path} is {EXCEL}")
    head = raw[:4096]
    if len(head) >= 8 and head.count(b"\0") * 3 >= len(head):  # every other byte zero
        raise UsageError(f"{path} looks like UTF-16 text without a byte-order mark; re-save "
                         "it as UTF-8 CSV")
    return raw


def _header(raw: bytes, delimiter: str) -> list[str]:
    """The header's column names as the csv module reads them (pandas renames repeats)."""
    text = raw[:SNIFF_BYTES].decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return next((row for row in reader if any(cell.strip() for cell in row)), [])


def _refuse_duplicate_names(path: str, names) -> None:
    """Two columns of one name: pandas would call the second 'name.1', and a repeated target
    would silently train as a feature."""
    counts = Counter(str(name).strip() for name in names)
    twice = [name for name, count in counts.items() if count > 1]
    if twice:
        listed = ", ".join(repr(n) for n in twice)
        raise UsageError(f"{path} has more than one column named {listed}; rename them so "
                         "that every column has its own name")


def _read_bytes(path: str) -> bytes:
    """All of the file: reading once lets the content, not the name, decide the format.

    A regular file's size is known; a pipe is read up to PIPE_LIMIT; a device (/dev/zero,
    a terminal) may never end, so it is refused before a byte is read."""
    file = Path(path).expanduser()
    try:
        mode = file.stat().st_mode
        if stat.S_ISFIFO(mode):
            return _read_pipe(path, file)
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise UsageError(f"{path} is a device or socket, not a data file (it may never "
                             "end); give a CSV or Parquet file")
        return file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _read_pipe(path: str, file: Path) -> bytes:
    with file.open("rb") as stream:
        raw = stream.read(PIPE_LIMIT + 1)
    if len(raw) > PIPE_LIMIT:
        raise UsageError(f"{path} sent more than {PIPE_LIMIT >> 30} GiB through a pipe; save "
                         "it to a file first")
    return raw


def _gunzipped(path: str, raw: bytes) -> bytes:
    """The content of a gzip file (known by its magic bytes, whatever its name), else raw."""
    if raw[:2] != b"\x1f\x8b":
        return raw

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
    _refuse_duplicate_names(path, [str(name).strip() for name in frame.columns])
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
    _refuse_duplicate_names(path, frame.columns)
    if len(frame.columns) < 2:
        raise UsageError(f"{path} has {len(frame.columns)} column; two or more are needed")
    if frame.empty:
        raise UsageError(f"{path} has columns but no rows")
    return frame


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

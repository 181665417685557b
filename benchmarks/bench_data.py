"""Own data, file to ready Problem: the csv + float() loader against the pandas one.

    python benchmarks/bench_data.py [--rows N] [--columns M]

Writes a numeric CSV (default 200,000 rows x 30 feature columns plus a binary target,
about 57 MB) to a temporary folder, then loads it with each loader in a fresh process
of its own: NumPy, pandas and scikit-learn are imported before the clock starts, so
only file -> standardized, split Problem is timed. Target: new <= 2 s.

Peak memory is the process's max RSS (``resource.getrusage``) after loading minus its
max RSS just before, in that fresh process: what loading the file added at its peak,
C allocations (pandas' parser, NumPy) included, which tracemalloc would partly miss.

The old loader is a private copy of ``lossterm/data/own.py`` as of commit ca7631d
(csv module, a float() per cell), kept here so the comparison still runs after the
change. Both loaders must produce the same arrays; the script checks that too.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# --- the old loader: its path for a valid file, error checks left out, no registry ---------


def _old_read_table(path):
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig")
    rows = [r for r in csv.reader(text.splitlines()) if any(cell.strip() for cell in r)]
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for row in body:
        assert len(row) == len(header)
    return header, [[cell.strip() for cell in row] for row in body]


def _old_number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def _old_is_numeric(column):
    return all(_old_number(c) is not None or c.lower() in ("", "nan", "na") for c in column)


def old_load(path: str, target: str):
    """File -> Problem the way lossterm did before pandas (no register_problem)."""
    header, rows = _old_read_table(path)
    columns = list(zip(*rows))
    t = header.index(target)
    blocks, names = [], []
    for j, (name, column) in enumerate(zip(header, columns)):
        if j == t:
            continue
        if _old_is_numeric(column):
            values = [_old_number(c) for c in column]
            blocks.append(np.array([math.nan if v is None else v for v in values])[:, None])
            names.append(name)
            continue
        levels = sorted(set(column))
        blocks.append(np.array([[c == level for level in levels] for c in column], dtype=float))
        names += [f"{name}={level}" for level in levels]
    features = np.hstack(blocks)
    cells = list(columns[t])
    numeric_target = _old_is_numeric(cells)
    keep = []
    for i, row in enumerate(features):
        value = _old_number(cells[i])
        ok = cells[i] != "" and (not numeric_target or (value is not None
                                                         and math.isfinite(value)))
        if ok and np.all(np.isfinite(row)):
            keep.append(i)
    X, cells = features[keep], [cells[i] for i in keep]
    values = sorted(set(cells), key=lambda c: (_old_number(c) if numeric_target else 0, c))
    index = {v: i for i, v in enumerate(values)}
    y = np.array([index[c] for c in cells])
    return _old_split(path, X, y, values, names)


def _old_split(path, X, y, labels, names):
    from sklearn.model_selection import train_test_split

    from lossterm.data.problems import Problem

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0,
                                                        stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return Problem(name=Path(path).stem, kind="binary", description=path,
                   X_train=X_train.astype(np.float32), y_train=y_train.astype(np.int64),
                   X_test=X_test.astype(np.float32), y_test=y_test.astype(np.int64),
                   epochs=100, hidden_units=50, n_classes=len(labels),
                   feature_names=tuple(names), class_labels=tuple(labels))


def new_load(path: str, target: str):
    from lossterm.data.own import DataOptions, load_csv

    return load_csv(DataOptions(path, target))


# --- measuring ------------------------------------------------------------------------------


def write_data(folder: Path, rows: int, columns: int) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, columns))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = folder / "numeric.csv"
    with path.open("w") as f:
        f.write(",".join([f"x{i}" for i in range(columns)] + ["t"]) + "\n")
        np.savetxt(f, np.column_stack([X, y]), delimiter=",", fmt=["%.6f"] * columns + ["%d"])
    return path


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(loader: str, path: str, arrays: str) -> None:
    """One loader, in this fresh process: seconds and RSS growth as JSON on stdout."""
    import pandas  # noqa: F401  (imported before the clock, as the TUI and CLI have it)
    import sklearn.model_selection  # noqa: F401

    import lossterm.data.own  # noqa: F401

    load = {"old": old_load, "new": new_load}[loader]
    before = max_rss_mb()
    start = time.perf_counter()
    problem = load(path, "t")
    seconds = time.perf_counter() - start
    peak = max_rss_mb() - before
    np.savez(arrays, X_train=problem.X_train, y_train=problem.y_train, X_test=problem.X_test,
             y_test=problem.y_test)
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "before_mb": before}))


def measure(loader: str, path: Path, folder: Path) -> dict:
    arrays = folder / f"{loader}.npz"
    done = subprocess.run([sys.executable, __file__, "--child", loader, str(path), str(arrays)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{loader} loader failed:\n{done.stderr}")
    return {**json.loads(done.stdout.splitlines()[-1]), "arrays": arrays}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="lossterm-bench-") as tmp:
        folder = Path(tmp)
        path = write_data(folder, args.rows, args.columns)
        print(f"{path.name}: {args.rows:,} rows x {args.columns} features + target, "
              f"{path.stat().st_size / 1e6:.0f} MB")
        old, new = measure("old", path, folder), measure("new", path, folder)
        same = _same_arrays(old["arrays"], new["arrays"])
    for name, result in (("old csv+float()", old), ("new pandas     ", new)):
        print(f"{name}: {result['seconds']:6.2f} s   peak RSS +{result['peak_mb']:6.0f} MB "
              f"(over {result['before_mb']:.0f} MB after imports)")
    ratio = old["seconds"] / new["seconds"]
    print(f"new is {ratio:.1f}x faster, {old['peak_mb'] / max(new['peak_mb'], 1):.1f}x less "
          f"peak memory; same arrays: {'yes' if same else 'NO'}; target new <= 2 s: "
          f"{'met' if new['seconds'] <= 2 else 'NOT met'}")


def _same_arrays(a: Path, b: Path) -> bool:
    with np.load(a) as left, np.load(b) as right:
        return all(np.allclose(left[k], right[k], atol=1e-5) for k in left.files)


if __name__ == "__main__":
    main()

"""Small files the data tests write."""

import numpy as np

MULTI_ROWS = 240  # rows of the multi-target files (tests/conftest.py's fixtures)


def features(rng: np.random.Generator, n: int = MULTI_ROWS) -> np.ndarray:
    """Four standard-normal feature columns, for a file whose targets are built from them."""
    return rng.normal(size=(n, 4))


def write_csv(path, header, rows):
    """Write ``rows`` under ``header`` as a comma-separated file; return its path."""
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path



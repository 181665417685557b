"""The pure pieces behind issue 20's awkward inputs: figures, ASCII, grids, columns, the
store's default path (each tried on the real function, with the real environment)."""

import math
import os

import numpy as np
import pandas as pd
import pytest

from lossterm.analysis.study.protocol import MAX_GRID_POINTS, parse_lr_grid
from lossterm.cli.ascii import ascii_for
from lossterm.cli.calc import figure
from lossterm.core.errors import UsageError
from lossterm.data.columns import column_values, constant_features, small_test_warnings
from lossterm.data.targets import looks_like_dates
from lossterm.storage.store import default_store_path


@pytest.mark.parametrize("value, shown", [
    (0.0, "0.000000"), (0.2601630635716978, "0.260163"), (123456.7, "123456.700000"),
    (1.6118e301, "1.6118e+301"), (3e-9, "3e-09"), (math.inf, "inf (overflow)"),
    (-math.inf, "-inf (overflow)"), (math.nan, "nan (overflow)"),
])
def test_figures_read_sanely(value, shown):
    assert figure(value) == shown


@pytest.mark.parametrize("char, text", [
    ("−", "-"), ("×", "x"), ("≤", "<="), ("Σ", "sum"), ("ŷ", "y^"), ("─", "-"), ("━", "="),
    ("│", "|"), ("┼", "+"), ("╇", "+"), ("▃", "#"), ("é", None),
])
def test_symbols_have_ascii(char, text):
    assert ascii_for(char) == text


def test_an_ascii_stream_writes_symbols_as_words():
    import lossterm.cli.ascii as module

    assert "≤ 1 × 2 — é".encode("ascii", module.HANDLER) == b"<= 1 x 2 -- \\xe9"


def test_grids_are_bounded_and_distinct():
    assert len(parse_lr_grid(f"1e-4:1:{MAX_GRID_POINTS}")) == MAX_GRID_POINTS
    with pytest.raises(UsageError, match="N from 2 to 100 points"):
        parse_lr_grid("1e-4:1:1000000")
    with pytest.raises(UsageError, match="too close for 5 distinct rates"):
        parse_lr_grid("1e-4:1.0000001e-4:5")


@pytest.mark.parametrize("cells", [["1,234", "12", "5,678,901.5"], ["3,14", "2,71", ",5"]])
def test_numbers_with_commas_are_refused(cells):
    with pytest.raises(UsageError, match="thousands or decimal comma"):
        column_values(pd.Series(cells, dtype=object), "x", "f.csv")


def test_text_with_commas_stays_text():
    values = column_values(pd.Series(["a,b", "1,234", "c"], dtype=object), "x", "f.csv")
    assert list(values) == ["a,b", "1,234", "c"]


def test_constant_features_one_line():
    X = np.array([[1.0, 7.0, 2.0], [2.0, 7.0, 2.0]])
    (line,) = constant_features(X, ["a", "c", "d"])
    assert "2 feature(s)" in line and "'c', 'd'" in line
    (line,) = constant_features(X[:, 1:], ["c", "d"])
    assert line.startswith("every feature is constant")
    assert constant_features(X[:, :1], ["a"]) == []
    assert small_test_warnings(2) == [] and len(small_test_warnings(1)) == 1


def test_dates_are_known():
    assert looks_like_dates(np.array(["2024-01-31", "31.01.2024", "1/31/24 10:05"]))
    assert not looks_like_dates(np.array(["2024-01-31", "soon"]))


def test_the_store_path_never_lands_at_the_root_or_makes_a_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_store_path() == tmp_path / ".local/share/lossterm/runs.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # ignored, as the XDG spec says
    assert default_store_path() == tmp_path / ".local/share/lossterm/runs.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg/lossterm/runs.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", "")
    assert not str(default_store_path()).startswith("/.local")
    assert default_store_path().is_absolute()
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="does not create one"):
        default_store_path()
    assert not os.path.exists(tmp_path / "missing")

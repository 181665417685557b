"""Bad input never gets a traceback: one clear line and exit 2, nothing already computed lost."""

import json
import subprocess
import sys

import pytest

from tests.helpers.cli import one_line_exit_2
from tests.helpers.files import write_csv
from tests.helpers.guard import DEADLOCK_GUARD


def _csv_cases(tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("a,b\n\xe9t\xe9,1\n".encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = write_csv(tmp_path / "header.csv", ["a", "b"], [])
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,5\n")
    single = write_csv(tmp_path / "single.csv", ["x", "t"], [[i, "same"] for i in range(20)])
    tiny = write_csv(tmp_path / "tiny.csv", ["x", "t"], [[1, "a"], [2, "b"], [3, "a"]])
    few_per_class = write_csv(tmp_path / "few.csv", ["x", "t"],
                              [[i, "a"] for i in range(10)] + [[99, "b"]])
    all_nan = write_csv(tmp_path / "nan.csv", ["x", "t"], [["nan", i % 2] for i in range(10)])
    wide_text = write_csv(tmp_path / "names.csv", ["name", "t"],
                          [[f"person{i}", i % 2] for i in range(30)])
    three = write_csv(tmp_path / "three.csv", ["x", "t"], [[i, "abc"[i % 3]] for i in range(30)])
    labels = write_csv(tmp_path / "labels.csv", ["x", "t"], [[i, "ab"[i % 2]] for i in range(30)])
    semicolon_ragged = tmp_path / "ragged2.csv"
    semicolon_ragged.write_text("a;b;c\n1;2;3\n4;5\n")
    quoted_ragged = tmp_path / "ragged3.csv"
    quoted_ragged.write_text('a,b,c\n1,"x, y",3\n4,"z"\n')
    damaged_gz = tmp_path / "damaged.csv.gz"
    damaged_gz.write_bytes(__import__("gzip").compress(labels.read_bytes())[:-20])
    not_parquet = tmp_path / "text.parquet"
    not_parquet.write_text("a,b\n1,2\n")
    huge_target = write_csv(tmp_path / "huge.csv", ["x", "y"],
                            [[i, f"{i * 1e300:.3e}"] for i in range(40)])
    return [
        ([str(tmp_path / "missing.csv"), "t"], [], "no such file:"),
        ([str(tmp_path), "t"], [], "is a directory, not a CSV file"),
        ([str(binary), "t"], [], "is not a CSV file (it holds binary data)"),
        ([str(latin), "b"], [], "is not a CSV file (not UTF-8 text)"),
        ([str(empty), "t"], [], "is empty"),
        ([str(header_only), "b"], [], "has a header but no data rows"),
        ([str(ragged), "c"], [], "line 3 has 2 fields; the header has 3"),
        ([str(labels), "price"], [], "no column 'price' in"),
        ([str(single), "t"], [], "has a single class ('same')"),
        ([str(tiny), "t"], [], "only 3 complete rows; at least 4 are needed"),
        ([str(few_per_class), "t"], [], "cannot split"),
        ([str(few_per_class), "t"], [], ("class 'b' of 't' has only 1 row; a stratified "
                                         "split needs at least 2 per class")),
        ([str(three), "t"], ["--test-size", "0.05"], "fewer than the 3 classes"),
        ([str(semicolon_ragged), "c"], [], "line 3 has 2 fields; the header has 3"),
        ([str(quoted_ragged), "c"], [], "line 3 has 2 fields; the header has 3"),
        ([str(damaged_gz), "t"], [], "is not a valid gzip file"),
        ([str(not_parquet), "b"], [], "is not a readable Parquet file"),
        ([str(huge_target), "y"], ["--raw-target"], "beyond float32's range"),
        ([str(all_nan), "t"], [], "only 0 complete rows"),
        ([str(wide_text), "t"], [], "column 'name' of"),
        ([str(three), "t"], ["--kind", "binary"], "--kind binary needs exactly 2 classes"),
        ([str(labels), "t"], ["--kind", "regression"], "--kind regression needs a numeric target"),
    ]


def test_every_bad_csv_is_one_line_and_exit_2(lossterm_cli, tmp_path):
    for (path, target), extra, expected in _csv_cases(tmp_path):
        done = lossterm_cli("--headless", "--data", path, "--target", target, *extra, "--no-store")
        one_line_exit_2(done, expected)


@pytest.mark.parametrize("args, expected", [
    (["--data", "x.csv"], "--data needs --target COLUMN"),
    (["--target", "y"], "--target, --kind and --raw-target go with --data"),
    (["--label-noise", "2"], "--label-noise must be in [0, 1)"),
    (["--problem", "regression", "--label-noise", "0.1"], "need a classification problem"),
    (["--test-size", "0"], "--test-size must be between 0 and 1"),
    (["--optimizer", "nadam"], "invalid choice: 'nadam' (choose from 'sgd', 'adam'"),
    (["--layers", "64,x"], "'64,x' is not widths like 64,32"),
    (["--layers", "8,0"], "every layer needs at least 1 unit"),
    (["--layers", "8", "--hidden-units", "4"], "--layers and --hidden-units both set"),
])
def test_bad_options(lossterm_cli, args, expected, tmp_path, labelled_csv):
    if expected.startswith("--test-size"):
        args = ["--data", str(labelled_csv), "--target", "answer", *args]
    one_line_exit_2(lossterm_cli("--headless", *args, "--no-store"), expected)


def test_nan_rows_are_dropped_with_a_warning(lossterm_cli, tmp_path):
    rows = [[i, i % 2] for i in range(40)] + [["nan", 1], ["inf", 0], ["", 1]]
    path = write_csv(tmp_path / "holes.csv", ["x", "t"], rows)
    done = lossterm_cli("--headless", "--data", str(path), "--target", "t", "--loss", "bce",
                        "--epochs", "2", "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert "dropped 3 of 43 rows with an empty, NaN or infinite value" in run["warnings"]


def test_an_unwritable_store(lossterm_cli, tmp_path):
    done = lossterm_cli("--headless", "--store", str(tmp_path))  # a directory
    one_line_exit_2(done, "as the run store")


def test_a_diverging_learning_rate_marks_runs_and_the_rest_finish(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "regression", "--learning-rate", "20",
                        "--epochs", "30", "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout)["runs"]
    assert len(runs) == 3
    assert "diverged" in {r["status"] for r in runs}
    for run in runs:
        if run["status"] == "diverged":
            assert "at epoch" in run["message"]
    assert "Traceback" not in done.stderr


def test_a_bad_csv_stops_the_tui_before_it_starts(lossterm_cli, tmp_path):
    done = lossterm_cli("--data", str(tmp_path / "nope.csv"), "--target", "t")
    one_line_exit_2(done, "no such file:")


def test_parquet_without_pyarrow_names_the_install(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    pd.DataFrame({"x": range(10), "t": [0, 1] * 5}).to_parquet(path)
    no_pyarrow = ("import sys; sys.modules['pyarrow'] = None; sys.argv[0] = 'lossterm'; "
                  "from lossterm.cli.main import main; sys.exit(main())")
    done = subprocess.run([sys.executable, "-c", no_pyarrow, "--headless", "--data", str(path),
                           "--target", "t", "--no-store"], capture_output=True, text=True,
                          timeout=DEADLOCK_GUARD, check=False)
    one_line_exit_2(done, "reading it needs pyarrow: pip install pyarrow")


def test_huge_features_train_without_a_warning(lossterm_cli, tmp_path):
    rows = [[f"{(i % 7) * 1e300:.3e}", i % 3, (i % 7) + (i % 3) + i / 100] for i in range(60)]
    path = write_csv(tmp_path / "huge.csv", ["big", "small", "y"], rows)
    done = lossterm_cli("--headless", "--data", str(path), "--target", "y", "--loss", "mse",
                        "--epochs", "1", "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["runs"][0]["warnings"] == []

"""Own CSV data through the command line: headless runs name the file, regression trains, and
outliers alone apply to regression and show in the report."""

import json


def test_headless_trains_own_data_and_names_it(lossterm_cli, labelled_csv):
    done = lossterm_cli("--headless", "--data", str(labelled_csv), "--target", "answer",
                        "--epochs", "20", "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout)["runs"]
    assert {r["problem"] for r in runs} == {"labelled.csv"}
    assert {r["loss"] for r in runs} == {"binary_crossentropy", "hinge", "squared_hinge"}
    assert max(r["test_metric"] for r in runs) > 0.85


def test_headless_regression_on_own_data(lossterm_cli, numeric_csv):
    done = lossterm_cli("--headless", "--data", str(numeric_csv), "--target", "y", "--loss", "mse",
                        "--epochs", "30", "--format", "json", "--no-store")
    (run,) = json.loads(done.stdout)["runs"]
    assert run["kind"] == "regression" and run["test_metric"] < 0.1


def test_outliers_alone_apply_to_regression_and_show_in_the_report(lossterm_cli):
    done = lossterm_cli("--headless", "--outliers", "0.1", "--epochs", "2", "--format", "json",
                        "--no-store")
    runs = json.loads(done.stdout)["runs"]
    assert {r["problem"] for r in runs} == {"regression+outliers0.1"}
    assert any("training targets moved" in w for w in runs[0]["warnings"])


# --- files as people have them: delimiters, BOM, gzip, Parquet ---------------------------


# --- values at the edge of float64: deliberate handling, no NumPy warning -----------------


# --- a stratified split that cannot be made says which class --------------------------------

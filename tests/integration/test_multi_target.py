"""Several target columns: multi-output regression and multilabel classification, from the
file to the report, the study, the export and the usage errors."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics as sk

from lossterm.data.own import DataOptions, load_csv
from lossterm.losses import get_loss
from lossterm.metrics.matrix import score
from lossterm.training.fit import train
from lossterm.training.records import RunConfig
from tests.helpers.files import MULTI_ROWS, features, write_csv
from tests.helpers.guard import DEADLOCK_GUARD

# --- loading ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (("--target", "a", "--target", "r"), "the targets mix kinds"),
    (("--target", "a", "--target", "missing"), "no column 'missing'"),
    (("--target", "b", "--target", "b"), "--target 'b' is given twice"),
    (("--target", "a", "--target", "b", "--label-noise", "0.1"),
     "perturbations take one target column"),
    (("--target", "a", "--target", "b", "--metric", "mse", "--tune", "--seeds", "2"),
     "'mse' is not a multilabel metric"),
])
def test_usage_errors_are_one_line_and_exit_2(lossterm_cli, labels_csv, args, message):
    done = lossterm_cli("--headless", "--no-store", "--data", str(labels_csv), *args,
                        "--epochs", "1")
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


# --- losses -------------------------------------------------------------------------------


# --- metrics ------------------------------------------------------------------------------


def test_multilabel_run_figures_are_sklearns_on_its_kept_weights(labels_csv):
    from lossterm.training.population import forward

    p = load_csv(DataOptions(str(labels_csv), ("a", "b", "c")))
    for loss in ("bce", "hinge"):
        result = train(RunConfig(problem=p, loss=loss, epochs=15))
        spec = get_loss(loss)
        assert result.kind == "multilabel" and result.output_layer.startswith("3, ")
        assert result.metric == "subset_accuracy"
        pred = forward(spec, result.weights, p.X_test)
        guess = (pred > spec.head.threshold).astype(int)
        logs = result.records[-1].logs
        assert logs["val_subset_accuracy"] == pytest.approx(sk.accuracy_score(p.y_test, guess))
        assert logs["val_hamming_loss"] == pytest.approx(sk.hamming_loss(p.y_test, guess))
        assert logs["val_micro_f1"] == pytest.approx(
            sk.f1_score(p.y_test, guess, average="micro", zero_division=0.0))
        assert logs["val_macro_f1"] == pytest.approx(
            sk.f1_score(p.y_test, guess, average="macro", zero_division=0.0))
        matrix = score(_label_form(loss), p.y_test, pred, p.n_classes)
        assert matrix["subset_accuracy"] == pytest.approx(logs["val_subset_accuracy"])
        assert matrix["macro_f1"] == pytest.approx(logs["val_macro_f1"])


def _label_form(name):
    from lossterm.losses.multilabel import label_form

    return label_form(get_loss(name))


# --- end to end ---------------------------------------------------------------------------


def test_multi_output_regression_headless_text_and_json(lossterm_cli, two_targets_csv):
    common = ("--headless", "--no-store", "--data", str(two_targets_csv), "--target", "a",
              "--target", "b", "--loss", "mse", "--epochs", "15")
    done = lossterm_cli(*common, "--format", "json")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    test = run["figures"]["test"]
    assert run["output_layer"] == "2, linear" and run["kind"] == "regression"
    assert run["test_metric"] == test["mse"]
    assert test["mse"] == pytest.approx((test["mse[a]"] + test["mse[b]"]) / 2, rel=1e-9)
    assert test["rmse"] == pytest.approx(np.sqrt(test["mse"]))
    assert run["history"]["val_mse[b]"][-1] == test["mse[b]"]
    text = lossterm_cli(*common)
    assert text.returncode == 0, text.stderr
    line = next(x for x in text.stdout.splitlines() if x.startswith("figures:"))
    assert f"mse {test['mse']:.3f} (mean over targets)" in line
    assert f"mse[a] {test['mse[a]']:.3f}" in line and f"mse[b] {test['mse[b]']:.3f}" in line


def test_multilabel_headless_json_and_export_reproduces_it(lossterm_cli, labels_csv, tmp_path):
    script = tmp_path / "labels_run.py"
    done = lossterm_cli("--headless", "--no-store", "--data", str(labels_csv), "--target", "a",
                        "--target", "b", "--target", "c", "--loss", "squared_hinge",
                        "--epochs", "12", "--seed", "2", "--format", "json",
                        "--export-code", str(script))
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert (run["kind"], run["metric"], run["output_layer"]) == (
        "multilabel", "subset_accuracy", "3, tanh")
    figures = run["figures"]["test"]
    assert set(figures) == {"subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"}
    assert figures["subset_accuracy"] == run["test_metric"]
    assert 0 <= figures["hamming_loss"] <= 1 - figures["subset_accuracy"] + 1e-12
    rerun = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=DEADLOCK_GUARD)
    assert rerun.returncode == 0, rerun.stderr
    printed = float(re.search(r"test subset accuracy \(every label right\): (\S+)",
                              rerun.stdout).group(1))
    assert printed == pytest.approx(run["test_metric"], abs=1e-9)
    assert "Dense(3, activation=\"tanh\"" in script.read_text()


def test_multilabel_study_selects_on_hamming_loss(labels_csv):
    from lossterm.api import study

    p = load_csv(DataOptions(str(labels_csv), ("a", "b", "c")))
    s = study(p, ["bce", "binary_focal"], seeds=2, tune_seeds=1, lr_grid=[0.03, 0.3],
              epochs=6, metric="hamming_loss")
    assert (s.kind, s.metric, s.higher, s.checkpoint_metric) == (
        "multilabel", "hamming_loss", False, "hamming_loss")
    for loss in s.losses:
        assert loss.chosen_learning_rate is not None and len(loss.test) == 2
        for seed, matrix in loss.test_metrics.items():
            assert set(matrix) == {"subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"}
            assert loss.test[seed] == matrix["hamming_loss"]
    assert "test hamming_loss" in s.verdict.line
    default = study(p, ["bce", "hinge"], seeds=2, tune_seeds=1, lr_grid=[0.1, 0.3], epochs=4,
                    metric="f1_micro")
    assert default.metric == "micro_f1" and default.higher


def test_multi_output_study_reports_per_target_columns(two_targets_csv):
    from lossterm.api import study
    from lossterm.report.study import render_study

    p = load_csv(DataOptions(str(two_targets_csv), ("a", "b")))
    s = study(p, ["mse", "mae"], seeds=2, tune_seeds=1, lr_grid=[0.01, 0.03], epochs=5)
    assert s.metric == "mse"
    for loss in s.losses:
        for matrix in loss.test_metrics.values():
            assert matrix["mse"] == pytest.approx((matrix["mse[a]"] + matrix["mse[b]"]) / 2)
            assert {"r2[a]", "r2[b]"} <= set(matrix)
    text = render_study([s], "text")
    assert "MSE[a]" in text and "R²[b]" in text
    payload = json.loads(render_study([s], "json"))
    loss = payload["studies"][0]["study"]["losses"][0]
    assert {"mse[a]", "mse[b]", "r2[a]", "r2[b]"} <= set(loss["metrics"])
    final = payload["runs"][0]["figures"]
    assert set(final) == {"train", "validation", "test"} and "mse[a]" in final["test"]


def test_the_store_keeps_multilabel_runs_for_lossterm_report(lossterm_cli, labels_csv,
                                                              tmp_path):
    store = str(tmp_path / "runs.sqlite")
    done = lossterm_cli("--headless", "--store", store, "--data", str(labels_csv), "--target",
                        "a", "--target", "c", "--loss", "bce", "--epochs", "4",
                        "--format", "json")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    again = lossterm_cli("report", "--store", store, "--format", "json")
    assert again.returncode == 0, again.stderr
    (stored,) = json.loads(again.stdout)["runs"]
    assert (stored["kind"], stored["metric"], stored["output_layer"]) == (
        "multilabel", "subset_accuracy", "2, sigmoid")
    assert stored["figures"] == run["figures"]


@pytest.mark.skipif("jax" not in __import__("lossterm.runtime.backend", fromlist=["x"])
                    .installed_backends(), reason="JAX is not installed here")
@pytest.mark.parametrize("targets, losses", [(("a", "b"), ("mse",)),
                                             (("a", "b", "c"), ("bce", "hinge"))])
def test_several_targets_train_on_jax_as_on_tensorflow(lossterm_cli, two_targets_csv,
                                                       labels_csv, targets, losses):
    """One unit per target or label on JAX too; its figures within seed noise of
    TensorFlow's (the mean over 3 seeds within 4 sd of theirs, or 0.05)."""
    path = two_targets_csv if losses == ("mse",) else labels_csv
    figures = {}
    for backend in ("tensorflow", "jax"):
        args = ["--headless", "--no-store", "--backend", backend, "--data", str(path),
                "--epochs", "20", "--seeds", "3", "--no-tune", "--format", "json"]
        for target in targets:
            args += ["--target", target]
        for loss in losses:
            args += ["--loss", loss]
        done = lossterm_cli(*args)
        assert done.returncode == 0, done.stderr
        runs = json.loads(done.stdout)["runs"]
        assert all(r["status"] == "done" for r in runs)
        figures[backend] = runs
    for loss in {r["loss"] for r in figures["jax"]}:
        tf, jx = ([r["test_metric"] for r in figures[b] if r["loss"] == loss]
                  for b in ("tensorflow", "jax"))
        assert abs(np.mean(tf) - np.mean(jx)) <= max(4 * np.std(tf), 0.05), (loss, tf, jx)
    for run in figures["jax"]:
        test = run["figures"]["test"]
        if losses == ("mse",):
            assert test["mse"] == pytest.approx(np.mean([test["mse[a]"], test["mse[b]"]]))
        else:
            assert set(test) == {"subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"}


@pytest.fixture(scope="module")
def leak_csv(tmp_path_factory):
    """y1 is half signal, half noise; y2 = 2 * y1 is the same target in other units."""
    rng = np.random.default_rng(0)
    X = features(rng)
    y1 = 0.7 * X[:, 0] + rng.normal(size=MULTI_ROWS)
    rows = [[*(f"{v:.6f}" for v in X[i]), f"{y1[i]:.6f}", f"{2 * y1[i]:.6f}"] for i in range(MULTI_ROWS)]
    return write_csv(tmp_path_factory.mktemp("leak") / "leak.csv",
                     ["x1", "x2", "x3", "x4", "y1", "y2"], rows)


def test_every_target_leaves_the_features_and_the_leak_is_gone(leak_csv):
    one = load_csv(DataOptions(str(leak_csv), "y1"))
    assert "y2" in one.feature_names  # one target: the other is a feature, and leaks
    assert any("'y2' nearly equals the target 'y1'" in w for w in one.warnings)
    both = load_csv(DataOptions(str(leak_csv), ("y1", "y2")))
    assert both.feature_names == ("x1", "x2", "x3", "x4")
    assert (both.kind, both.n_targets, both.target_names) == ("regression", 2, ("y1", "y2"))
    assert not any("nearly equals" in w for w in both.warnings)
    leaky = train(RunConfig(problem=one, loss="mse", epochs=30))
    honest = train(RunConfig(problem=both, loss="mse", epochs=30))
    assert leaky.test_metric < 0.05  # the answer read off the copy
    assert honest.test_metric > 0.3  # y1 is half noise: no feature can say it
    assert honest.records[-1].logs["val_mse[y1]"] > 0.3

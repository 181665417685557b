"""Several target columns: multi-output regression and multilabel classification, from the
file to the report, the study, the export and the usage errors."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import write_csv
from sklearn import metrics as sk

from lossterm.cli.main import build_parser
from lossterm.core.errors import UsageError
from lossterm.core.types import Kind
from lossterm.data.own import DataOptions, load_csv
from lossterm.losses import get_loss, losses_for_kind
from lossterm.metrics.fair import multilabel_rows
from lossterm.metrics.matrix import score
from lossterm.options import Options
from lossterm.training.fit import train
from lossterm.training.records import RunConfig

N = 240


def _features(rng, n=N):
    return rng.normal(size=(n, 4))


@pytest.fixture(scope="module")
def leak_csv(tmp_path_factory):
    """y1 is half signal, half noise; y2 = 2 * y1 is the same target in other units."""
    rng = np.random.default_rng(0)
    X = _features(rng)
    y1 = 0.7 * X[:, 0] + rng.normal(size=N)
    rows = [[*(f"{v:.6f}" for v in X[i]), f"{y1[i]:.6f}", f"{2 * y1[i]:.6f}"] for i in range(N)]
    return write_csv(tmp_path_factory.mktemp("leak") / "leak.csv",
                     ["x1", "x2", "x3", "x4", "y1", "y2"], rows)


@pytest.fixture(scope="module")
def two_targets_csv(tmp_path_factory):
    """Two numeric targets on very different scales: a (about 1) and b (about 1000)."""
    rng = np.random.default_rng(1)
    X = _features(rng)
    a = X[:, 0] + 0.5 * X[:, 1] + 0.1 * rng.normal(size=N)
    b = 1000 * (X[:, 2] ** 2 - X[:, 3]) + 50 * rng.normal(size=N)
    rows = [[*(f"{v:.6f}" for v in X[i]), f"{a[i]:.6f}", f"{b[i]:.3f}"] for i in range(N)]
    return write_csv(tmp_path_factory.mktemp("multi") / "two.csv",
                     ["x1", "x2", "x3", "x4", "a", "b"], rows)


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory):
    """Three labels, not exclusive: a and b 0/1, c 'yes'/'no'; plus a numeric column r."""
    rng = np.random.default_rng(2)
    X = _features(rng)
    a = (X[:, 0] > 0).astype(int)
    b = (X[:, 1] + X[:, 2] > 0.3).astype(int)
    c = np.where(X[:, 3] > -0.5, "yes", "no")
    r = X[:, 0] * 3.7 + rng.normal(size=N)
    rows = [[*(f"{v:.6f}" for v in X[i]), a[i], b[i], c[i], f"{r[i]:.4f}"] for i in range(N)]
    return write_csv(tmp_path_factory.mktemp("labels") / "labels.csv",
                     ["x1", "x2", "x3", "x4", "a", "b", "c", "r"], rows)


# --- loading ------------------------------------------------------------------------------


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


def test_target_repeats_on_the_command_line():
    args = build_parser().parse_args(["--data", "f.csv", "--target", "a", "--target", "b"])
    assert Options.from_args(args).data.target == ("a", "b")
    one = build_parser().parse_args(["--data", "f.csv", "--target", "a"])
    assert Options.from_args(one).data.target == ("a",)
    assert DataOptions("f.csv", "a").target == ("a",)  # a single string still works


def test_each_regression_target_is_standardized_on_its_own(two_targets_csv):
    p = load_csv(DataOptions(str(two_targets_csv), ("a", "b")))
    assert p.y_train.shape == (N // 2, 2) and p.y_test.shape == (N // 2, 2)
    assert np.allclose(p.y_train.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(p.y_train.std(axis=0), 1, atol=1e-4)
    raw = load_csv(DataOptions(str(two_targets_csv), ("a", "b"), raw_target=True))
    assert raw.y_train[:, 1].std() > 100 * raw.y_train[:, 0].std()
    assert "2 targets 'a', 'b' (each standardized)" in p.description


def test_two_valued_targets_are_multilabel(labels_csv):
    p = load_csv(DataOptions(str(labels_csv), ("a", "b", "c")))
    assert (p.kind, p.n_targets, p.n_classes) == ("multilabel", 3, 2)
    assert p.y_train.dtype == np.int64 and set(np.unique(p.y_train)) == {0, 1}
    assert p.feature_names == ("x1", "x2", "x3", "x4", "r")
    assert "'c' (1 = 'yes')" in p.description
    assert "stratified by label combination" in p.description
    # every label combination with two or more rows lands on both sides of the split
    for pattern, count in zip(*np.unique(np.vstack([p.y_train, p.y_test]), axis=0,
                                         return_counts=True)):
        if count >= 4:
            assert (p.y_train == pattern).all(axis=1).any()
            assert (p.y_test == pattern).all(axis=1).any()


@pytest.mark.parametrize("targets, kind, message", [
    (("a", "r"), None, "the targets mix kinds ('a' binary, 'r' regression)"),
    (("a", "c", "r"), None, "mix kinds"),
    (("a", "nope"), None, "no column 'nope' in"),
    (("a", "a"), None, "'a' is given twice"),
    (("a",), "multilabel", "multilabel needs two or more target columns"),
    (("a", "b"), "binary", "binary takes one target column"),
    (("a", "r"), "multilabel", "multilabel needs exactly 2 classes per target; 'r' has"),
    (("a", "c"), "regression", "regression needs a numeric target; 'c' holds labels"),
])
def test_targets_that_cannot_go_together_are_refused(labels_csv, targets, kind, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        load_csv(DataOptions(str(labels_csv), targets, kind=kind))


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


def _keras_values(spec, y, p):
    from lossterm.runtime.backend import load_keras

    ops = load_keras().ops
    loss = spec.make_keras_loss(dtype="float64")
    return np.asarray(ops.convert_to_numpy(loss.call(ops.convert_to_tensor(y),
                                                     ops.convert_to_tensor(p))))


@pytest.mark.parametrize("spec", losses_for_kind(Kind.MULTILABEL), ids=lambda s: s.name)
def test_each_binary_loss_works_per_label(spec):
    """On (n, labels) a row's loss is the mean of its labels' binary losses, as the NumPy
    reference computes it."""
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, size=(16, 3)).astype(np.float64)
    y = 2 * labels - 1 if spec.target_encoding == "{-1,1}" else labels
    low, high = (-0.95, 0.95) if spec.head.threshold == 0 else (0.02, 0.98)
    p = rng.uniform(low, high, size=(16, 3))
    together = _keras_values(spec, y, p)
    alone = np.column_stack([_keras_values(get_loss(spec.name), y[:, [j]], p[:, [j]])
                             for j in range(3)])
    assert together.shape == (16,)
    assert together == pytest.approx(alone.mean(axis=1), rel=1e-9, abs=1e-12)
    assert spec.reference.function(y, p) == pytest.approx(together.mean(), rel=1e-6)
    assert spec.kind == "multilabel" and spec.output_units(2, 3) == 3


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "log_cosh", "msle", "mape", "poisson"])
def test_regression_losses_average_over_targets(name):
    spec = get_loss(name)
    rng = np.random.default_rng(4)
    y, p = rng.uniform(0.5, 2, size=(12, 3)), rng.uniform(0.5, 2, size=(12, 3))
    together = _keras_values(spec, y, p)
    alone = np.column_stack([_keras_values(spec, y[:, [j]], p[:, [j]]) for j in range(3)])
    assert together == pytest.approx(alone.mean(axis=1), rel=1e-9)
    assert spec.reference.function(y, p) == pytest.approx(together.mean(), rel=1e-6)
    assert spec.output_units(0, 3) == 3


def test_poisson_refuses_negative_targets_of_any_column(two_targets_csv):
    p = load_csv(DataOptions(str(two_targets_csv), ("a", "b")))
    with pytest.raises(UsageError, match="poisson needs targets >= 0"):
        train(RunConfig(problem=p, loss="poisson", epochs=1))


def test_a_multiclass_loss_is_refused_on_labels(labels_csv):
    p = load_csv(DataOptions(str(labels_csv), ("a", "b")))
    with pytest.raises(UsageError, match=r"categorical_crossentropy fits multiclass problems, "
                       "but labels.csv is multilabel; losses that fit labels.csv: "
                       "binary_crossentropy, hinge"):
        train(RunConfig(problem=p, loss="cce", epochs=1))


# --- metrics ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_multilabel_epoch_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, size=(30, 4))
    truth[:, 3] = 0  # a label never true...
    guesses = rng.integers(0, 2, size=(3, 30, 4))
    guesses[0, :, 3] = 0  # ...and, for model 0, never predicted: F1 0 by convention
    rows = multilabel_rows(truth, guesses)
    for p, guess in enumerate(guesses):
        assert rows["subset_accuracy"][p] == pytest.approx(sk.accuracy_score(truth, guess))
        assert rows["hamming_loss"][p] == pytest.approx(sk.hamming_loss(truth, guess))
        assert rows["micro_f1"][p] == pytest.approx(
            sk.f1_score(truth, guess, average="micro", zero_division=0.0))
        assert rows["macro_f1"][p] == pytest.approx(
            sk.f1_score(truth, guess, average="macro", zero_division=0.0))


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


def test_regression_matrix_per_target_and_averaged():
    spec = get_loss("mse")
    rng = np.random.default_rng(5)
    y = rng.normal(size=(40, 2))
    pred = y + rng.normal(scale=[0.1, 0.5], size=(40, 2))
    m = score(spec, y, pred, 0, ("a", "b"))
    assert m["mse"] == pytest.approx((m["mse[a]"] + m["mse[b]"]) / 2)
    assert m["mse[a]"] == pytest.approx(sk.mean_squared_error(y[:, 0], pred[:, 0]))
    assert m["r2"] == pytest.approx(sk.r2_score(y, pred, multioutput="uniform_average"))
    assert m["r2[b]"] == pytest.approx(sk.r2_score(y[:, 1], pred[:, 1]))
    assert m["rmse"] == pytest.approx(np.sqrt(m["mse"]))


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
                           cwd=tmp_path, timeout=300)
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


def test_the_tui_loads_labels_and_trains_without_crashing(labels_csv):
    """Opened on several targets (the o dialog takes 'a, b, c'), the TUI trains a run, keeps
    the perturbation keys harmless and shows no scatter or regions."""
    import asyncio

    from lossterm.app.app import make_app
    from lossterm.app.widgets.scatter import DatasetScatter

    app = make_app(base=RunConfig(problem="", loss="", epochs=3))

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("o")
            await pilot.pause()
            app.screen.query_one("#path").value = str(labels_csv)
            app.screen.query_one("#target").value = "a, b, c"
            await pilot.click("#load")
            await app.workers.wait_for_complete()
            await pilot.pause()
            picker = app.query_one("#picker")
            assert picker.kinds["labels.csv"] == "multilabel"
            assert "output  3, sigmoid" in str(picker.details_text())
            scatter = app.query_one(DatasetScatter)
            assert scatter.problem.n_targets == 3 and scatter.regions is None
            assert "label set" in scatter.plt.build()  # the plane, coloured by label set
            await pilot.press("L")  # label noise does not apply: said, and trained on clean labels
            await pilot.pause()
            notes.extend(str(n.message) for n in app._notifications)
            await pilot.press("t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running

    notes = []
    asyncio.run(main())
    assert any("perturbations take one target column and labels.csv has 3" in n for n in notes)
    (run,) = app.runs.values()
    assert (run.config.problem, run.status) == ("labels.csv", "done")
    assert run.results[0].kind == "multilabel"


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

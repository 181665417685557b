"""Several target columns, without training: the command line's repeated --target, loading
(each regression target standardized alone, two-valued columns as multilabel), refusals, and
the per-label and per-target figures against scikit-learn. Training on them:
tests/integration/test_multi_target.py."""

import re

import numpy as np
import pytest
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
from tests.helpers.files import MULTI_ROWS

# --- loading ------------------------------------------------------------------------------


def test_target_repeats_on_the_command_line():
    args = build_parser().parse_args(["--data", "f.csv", "--target", "a", "--target", "b"])
    assert Options.from_args(args).data[0].target == ("a", "b")
    one = build_parser().parse_args(["--data", "f.csv", "--target", "a"])
    assert Options.from_args(one).data[0].target == ("a",)
    assert DataOptions("f.csv", "a").target == ("a",)  # a single string still works


def test_each_regression_target_is_standardized_on_its_own(two_targets_csv):
    p = load_csv(DataOptions(str(two_targets_csv), ("a", "b")))
    assert p.y_train.shape == (MULTI_ROWS // 2, 2) and p.y_test.shape == (MULTI_ROWS // 2, 2)
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

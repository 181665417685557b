"""The metric matrix: every figure against scikit-learn or a hand computation."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as sk

from lossterm.core.errors import UsageError
from lossterm.core.metric import METRICS, check_metric, higher_is_better, metric_names_for
from lossterm.core.types import Kind
from lossterm.data.problems import tutorial_problem_for
from lossterm.losses import CATALOGUE, SCORES, TANH, encode_targets, get_loss
from lossterm.metrics.matrix import (
    CONSTANT_TARGETS,
    NOT_A_PROBABILITY,
    NOT_FINITE,
    ONE_CLASS,
    expected_calibration_error,
    multiclass_brier,
    score,
    unavailable,
)
from tests.helpers.heads import outputs

BCE, HINGE = get_loss("binary_crossentropy"), get_loss("hinge")
CCE, CAT_HINGE = get_loss("categorical_crossentropy"), get_loss("categorical_hinge")


@pytest.fixture(autouse=True)
def no_warnings():
    """Every test here fails on any warning, scikit-learn's included."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_the_matrix_has_the_metrics_the_issue_names():
    assert metric_names_for("regression") == ("mse", "rmse", "mae", "median_absolute_error",
                                              "r2")
    assert metric_names_for(Kind.BINARY) == ("accuracy", "balanced_accuracy", "f1", "roc_auc",
                                             "log_loss", "brier", "ece")
    assert metric_names_for("multiclass") == ("accuracy", "balanced_accuracy", "macro_f1",
                                              "log_loss", "brier", "ece")


def test_regression_by_hand_and_by_sklearn():
    y, pred = np.array([1.0, 2, 3, 4]), np.array([[1.5], [2], [2], [5]])
    row = score(get_loss("mse"), y, pred, 0)
    # residuals 0.5, 0, -1, 1
    assert row == pytest.approx({"mse": 0.5625, "rmse": 0.75, "mae": 0.625,
                                 "median_absolute_error": 0.75, "r2": 1 - 2.25 / 5})
    p = pred.reshape(-1)
    assert row == pytest.approx({"mse": sk.mean_squared_error(y, p),
                                 "rmse": np.sqrt(sk.mean_squared_error(y, p)),
                                 "mae": sk.mean_absolute_error(y, p),
                                 "median_absolute_error": sk.median_absolute_error(y, p),
                                 "r2": sk.r2_score(y, p)})
    if hasattr(sk, "root_mean_squared_error"):  # scikit-learn >= 1.4
        assert row["rmse"] == pytest.approx(sk.root_mean_squared_error(y, p))


def test_binary_sigmoid_against_sklearn():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    p = np.clip(0.35 * labels + rng.uniform(0, 0.65, 200), 0, 1)
    row = score(BCE, labels.reshape(-1, 1).astype(np.float32), p.reshape(-1, 1), 2)
    guess = (p > 0.5).astype(int)
    assert row == pytest.approx({
        "accuracy": sk.accuracy_score(labels, guess),
        "balanced_accuracy": sk.balanced_accuracy_score(labels, guess),
        "f1": sk.f1_score(labels, guess),
        "roc_auc": sk.roc_auc_score(labels, p),
        "log_loss": sk.log_loss(labels, p),
        "brier": sk.brier_score_loss(labels, p),
        "ece": expected_calibration_error(np.maximum(p, 1 - p), guess == labels),
    })
    assert 0.5 < row["accuracy"] < 1 and 0 < row["ece"] < 0.5


def test_ece_by_hand():
    # confidences 0.9, 0.9 | 0.75 | 0.62, 0.62 in bins 14, 12 and 10 of 15;
    # predicted 1, 1, 0, 1, 0 against 1, 0, 0, 1, 1: right, wrong, right, right, wrong.
    p = np.array([0.9, 0.9, 0.25, 0.62, 0.38])
    truth = np.array([1, 0, 0, 1, 1])
    expected = 2 / 5 * abs(0.5 - 0.9) + 1 / 5 * abs(1 - 0.75) + 2 / 5 * abs(0.5 - 0.62)
    assert score(BCE, truth, p, 2)["ece"] == pytest.approx(expected)  # 0.258
    # Everything in one bin: ECE is |accuracy - mean confidence|.
    assert expected_calibration_error([0.97, 0.99], [1, 0]) == pytest.approx(0.48)


def test_tanh_margins_have_accuracy_and_auc_but_no_probability_metrics():
    f = np.array([0.8, -0.3, 0.1, -0.9, 0.4, -0.05])
    labels = np.array([1, 0, 0, 0, 1, 1])
    encoded = encode_targets(HINGE, labels, 2)  # {-1, 1}
    row = score(HINGE, encoded, f.reshape(-1, 1), 2)
    guess = (f > 0).astype(int)
    assert row["accuracy"] == sk.accuracy_score(labels, guess) == 4 / 6
    assert row["f1"] == pytest.approx(sk.f1_score(labels, guess))
    # AUC ranks: the margin gives what any increasing map of it to [0, 1] gives.
    assert row["roc_auc"] == sk.roc_auc_score(labels, (f + 1) / 2) == pytest.approx(8 / 9)
    assert {k: row[k] for k in ("log_loss", "brier", "ece")} == dict.fromkeys(
        ("log_loss", "brier", "ece"))
    assert unavailable(HINGE, encoded, f) == dict.fromkeys(("log_loss", "brier", "ece"),
                                                            NOT_A_PROBABILITY)
    assert score(HINGE, labels, f, 2) == row  # plain labels read the same as {-1, 1}


def test_multiclass_softmax_against_sklearn_and_brier_by_definition():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 120)
    logits = rng.normal(0, 1.5, (120, 3)) + 1.2 * np.eye(3)[labels]
    probs = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype(np.float32)
    row = score(CCE, np.eye(3)[labels], probs, 3)
    guess = probs.argmax(1)
    p64 = probs.astype(np.float64) / probs.astype(np.float64).sum(1, keepdims=True)
    assert row == pytest.approx({
        "accuracy": sk.accuracy_score(labels, guess),
        "balanced_accuracy": sk.balanced_accuracy_score(labels, guess),
        "macro_f1": sk.f1_score(labels, guess, average="macro"),
        "log_loss": sk.log_loss(labels, p64),
        "brier": np.mean(np.sum((p64 - np.eye(3)[labels]) ** 2, axis=1)),
        "ece": expected_calibration_error(p64.max(1), guess == labels),
    })
    assert score(CCE, labels, probs, 3) == row  # plain labels read the same as one-hot
    if "scale_by_half" in sk.brier_score_loss.__doc__:  # scikit-learn >= 1.7: multiclass
        assert row["brier"] == pytest.approx(
            sk.brier_score_loss(labels, p64, labels=[0, 1, 2], scale_by_half=False))


def test_multiclass_brier_and_log_loss_by_hand():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    truth = np.array([0, 1])  # class 2 never true: log loss still knows it exists
    assert multiclass_brier(truth, probs) == pytest.approx(
        ((0.3**2 + 0.2**2 + 0.1**2) + (0.1**2 + 0.7**2 + 0.6**2)) / 2)
    row = score(CCE, truth, probs, 3)
    assert row["log_loss"] == pytest.approx(-(np.log(0.7) + np.log(0.3)) / 2)
    assert row["accuracy"] == 0.5 and row["balanced_accuracy"] == 0.5  # class 2 guessed
    assert row["macro_f1"] == pytest.approx(sk.f1_score(truth, [0, 2], average="macro",
                                                        zero_division=0.0))


def test_linear_scores_give_no_probability_metrics():
    scores = np.array([[3.0, -1, 0.5], [-2, 4, 1], [0, 0.2, 2.5], [1, 2, -3]])
    row = score(CAT_HINGE, np.eye(3)[[0, 1, 2, 0]], scores, 3)
    assert row == {"accuracy": 0.75, "balanced_accuracy": pytest.approx((0.5 + 1 + 1) / 3),
                   "macro_f1": pytest.approx(sk.f1_score([0, 1, 2, 0], [0, 1, 2, 1],
                                                         average="macro")),
                   "log_loss": None, "brier": None, "ece": None}


def test_roc_auc_with_one_class_is_none_with_a_reason_and_no_warning(capfd):
    labels, p = np.zeros(4), np.array([0.2, 0.7, 0.1, 0.4])
    row = score(BCE, labels, p, 2)
    assert row["roc_auc"] is None and unavailable(BCE, labels, p) == {"roc_auc": ONE_CLASS}
    assert row["accuracy"] == 0.75 and row["f1"] == 0.0  # no true 1: F1 counts as 0
    assert row["log_loss"] == pytest.approx(sk.log_loss(labels, p, labels=[0, 1]))
    assert capfd.readouterr().err == ""


def test_constant_targets_leave_r2_undefined_and_divergence_leaves_everything():
    spec = get_loss("mae")
    row = score(spec, np.ones(3), np.array([1.0, 2.0, 1.0]), 0)
    assert row["r2"] is None and row["mae"] == pytest.approx(1 / 3)
    assert unavailable(spec, np.ones(3), np.zeros(3)) == {"r2": CONSTANT_TARGETS}
    pred = np.array([[0.2], [np.nan], [0.9]])
    assert score(BCE, np.array([0, 1, 1]), pred, 2) == dict.fromkeys(metric_names_for("binary"))
    assert set(unavailable(BCE, np.array([0, 1, 1]), pred).values()) == {NOT_FINITE}


@pytest.mark.parametrize("name", [spec.name for spec in CATALOGUE])
def test_every_loss_gets_a_full_row_on_its_tutorial_problem(name):
    spec = get_loss(name)
    problem = tutorial_problem_for(spec.kind)
    k = problem.n_classes
    y = encode_targets(spec, problem.y_test, k)
    pred = outputs(spec.head, np.random.default_rng(len(name)), len(y), k).astype(np.float32)
    row = score(spec, y, pred, k)
    assert tuple(row) == metric_names_for(spec.kind)
    gaps = {m for m, v in row.items() if v is None}
    assert gaps == set(unavailable(spec, y, pred))
    assert gaps == ({"log_loss", "brier", "ece"} if spec.head in (TANH, SCORES) else set())
    assert all(np.isfinite(v) for v in row.values() if v is not None)
    assert score(spec, problem.y_test, pred, k) == row  # plain labels or targets: one row


@pytest.mark.parametrize("spec", [get_loss("mse"), BCE, HINGE, CCE], ids=lambda s: s.name)
def test_a_perfect_model_is_better_on_every_metric_in_the_stated_direction(spec):
    rng = np.random.default_rng(2)
    k = {Kind.REGRESSION: 0, Kind.BINARY: 2, Kind.MULTICLASS: 3}[spec.kind]
    labels = rng.integers(0, max(k, 2), 60) if k else rng.normal(size=60)
    if spec.kind == Kind.REGRESSION:
        good, bad = labels, labels + rng.normal(size=60)
    elif spec.head is TANH:
        good, bad = 0.9 * (2 * labels - 1.0), rng.uniform(-1, 1, 60)
    elif spec.kind == Kind.BINARY:
        good, bad = 0.05 + 0.9 * labels, rng.uniform(0, 1, 60)
    else:
        good = 0.05 + 0.85 * np.eye(3)[labels]
        bad = rng.dirichlet(np.ones(3), 60)
    best, worse = score(spec, labels, good, k), score(spec, labels, bad, k)
    for name in best:
        if best[name] is None:
            continue
        assert best[name] != worse[name], name
        assert (best[name] > worse[name]) == higher_is_better(name), name


def test_metric_names_are_checked_per_kind():
    assert check_metric("binary", "roc_auc") == "roc_auc"
    with pytest.raises(UsageError, match="choose from accuracy") as error:
        check_metric("multiclass", "roc_auc")
    assert error.value.field == "metric"
    with pytest.raises(UsageError, match="unknown metric 'auc'"):
        higher_is_better("auc")
    assert set(METRICS) == {m for kind in Kind for m in metric_names_for(kind)}

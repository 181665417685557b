"""The loss catalogue and the problems: names, kinds, encodings (no Keras needed)."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem
from lossterm.losses import CATALOGUE, TUTORIAL_LOSSES, encode_targets, get_loss, losses_for_kind


@pytest.mark.parametrize("alias, name", [
    ("mse", "mean_squared_error"), ("mae", "mean_absolute_error"),
    ("msle", "mean_squared_logarithmic_error"), ("bce", "binary_crossentropy"),
    ("kld", "kl_divergence"), ("kullback_leibler_divergence", "kl_divergence"),
    ("MEAN_SQUARED_ERROR", "mean_squared_error"), ("log-cosh", "log_cosh"),
    ("logcosh", "log_cosh"), ("mape", "mean_absolute_percentage_error"),
])
def test_aliases_resolve_to_keras3_names(alias, name):
    assert get_loss(alias).name == name


def test_every_name_is_unique_across_the_catalogue():
    names = [n.lower() for spec in CATALOGUE for n in spec.names]
    assert len(names) == len(set(names))


def test_the_tutorials_nine_and_the_keras_builtins_are_listed():
    assert [s.name for s in TUTORIAL_LOSSES] == [
        "mean_squared_error", "mean_squared_logarithmic_error", "mean_absolute_error",
        "binary_crossentropy", "hinge", "squared_hinge", "categorical_crossentropy",
        "sparse_categorical_crossentropy", "kl_divergence"]
    extra = {"huber", "log_cosh", "mean_absolute_percentage_error", "poisson",
             "categorical_hinge", "binary_focal_crossentropy", "categorical_focal_crossentropy"}
    assert extra <= {s.name for s in CATALOGUE}


def test_unknown_loss_names_the_choices():
    with pytest.raises(UsageError, match=r"unknown loss 'cosine'.*mean_squared_error"):
        get_loss("cosine")


@pytest.mark.parametrize("name, kind, epochs, hidden, features", [
    ("regression", "regression", 100, 25, 20), ("circles", "binary", 200, 50, 2),
    ("binary", "binary", 200, 50, 2), ("blobs", "multiclass", 100, 50, 2),
    ("multiclass", "multiclass", 100, 50, 2),
])
def test_problems_are_the_tutorials(name, kind, epochs, hidden, features):
    p = get_problem(name)
    assert (p.kind, p.epochs, p.hidden_units, p.n_features) == (kind, epochs, hidden, features)
    assert len(p.X_train) == len(p.X_test) == 500


def test_regression_is_standardized_over_all_rows():
    p = get_problem("regression")
    X = np.concatenate([p.X_train, p.X_test])
    assert np.allclose(X.mean(axis=0), 0, atol=1e-5) and np.allclose(X.std(axis=0), 1, atol=1e-4)
    assert abs(p.y_all.mean()) < 1e-5 and abs(p.y_all.std() - 1) < 1e-4


def test_unknown_problem_names_the_choices():
    with pytest.raises(UsageError, match="unknown problem 'moons'; choose from regression"):
        get_problem("moons")


def test_target_encodings():
    y = np.array([0, 1, 2, 1])
    assert encode_targets(get_loss("cce"), y, 3).tolist() == np.eye(3)[y].tolist()
    assert encode_targets(get_loss("scce"), y, 3).tolist() == [0, 1, 2, 1]
    assert encode_targets(get_loss("hinge"), np.array([0, 1]), 2).ravel().tolist() == [-1, 1]
    assert encode_targets(get_loss("bce"), np.array([0, 1]), 2).shape == (2, 1)


def test_output_layers():
    assert get_loss("hinge").output_layer(2) == "1, tanh"
    assert get_loss("bce").output_layer(2) == "1, sigmoid"
    assert get_loss("kld").output_layer(3) == "3, softmax"
    assert get_loss("mse").output_layer(0) == "1, linear"
    assert {s.kind for s in losses_for_kind("binary")} == {"binary"}

"""Checks before training: losses that do not fit, data that breaks a loss."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem, make_problem
from lossterm.losses import get_loss
from lossterm.losses.checks import check


def test_a_loss_for_another_kind_names_the_kinds_that_fit():
    with pytest.raises(UsageError) as err:
        check(get_loss("bce"), get_problem("regression"))
    message = str(err.value)
    assert "binary_crossentropy fits binary problems" in message
    assert "regression is regression" in message and "mean_squared_error" in message


def test_msle_on_standardized_targets_warns_with_the_share_of_negatives():
    findings = check(get_loss("msle"), get_problem("regression"))
    (warning,) = findings.warnings
    assert "264 of 500 (53%) training targets are negative" in warning
    assert "clamps" in warning


def test_mse_on_the_same_data_has_no_warning():
    assert check(get_loss("mse"), get_problem("regression")).warnings == ()


def test_mape_with_targets_near_zero_warns():
    (warning,) = check(get_loss("mape"), get_problem("regression")).warnings
    assert "divides each error by |y|" in warning


def test_poisson_refuses_negative_targets():
    with pytest.raises(UsageError, match="poisson needs targets >= 0"):
        check(get_loss("poisson"), get_problem("regression"))


def test_poisson_takes_counts(counts_problem):
    assert check(get_loss("poisson"), counts_problem).warnings == ()


def test_kl_divergence_warns_on_targets_that_are_not_distributions():
    rows = np.array([[0.5, 0.7, 0.0], [0.2, 0.3, 0.5]] * 10)
    problem = make_problem("soft", "multiclass", np.zeros((20, 2)), rows, n_train=10,
                           epochs=1, hidden_units=4)
    (warning,) = check(get_loss("kld"), problem).warnings
    assert "not probability distributions" in warning


def test_kl_divergence_on_soft_labels_that_are_distributions_is_quiet():
    rows = np.array([[0.2, 0.3, 0.5]] * 20)
    problem = make_problem("soft_ok", "multiclass", np.zeros((20, 2)), rows, n_train=10,
                           epochs=1, hidden_units=4)
    findings = check(get_loss("kld"), problem)
    assert findings.warnings == () and findings.notes == ()


def test_kl_divergence_on_one_hot_notes_it_equals_cross_entropy():
    (note,) = check(get_loss("kld"), get_problem("blobs")).notes
    assert "equals categorical cross-entropy" in note


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_hinge_losses_explain_the_accuracy_threshold(loss):
    (note,) = check(get_loss(loss), get_problem("circles")).notes
    assert "f > 0" in note and "Keras 3 thresholds at 0.5" in note

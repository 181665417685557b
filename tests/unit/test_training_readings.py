"""How a run's figures are read, without training: accuracy per output kind (hinge reads the
sign), the regression metrics, and settings refused before training starts. Training itself:
tests/integration/test_training.py."""

import numpy as np
import pytest

from lossterm.training.fit import train
from lossterm.training.records import RunConfig


def test_hinge_accuracy_reads_the_sign_and_reports_the_keras_readings():
    from lossterm.losses import get_loss
    from lossterm.metrics.fair import metrics

    y = np.array([[-1.0], [1.0], [1.0], [-1.0], [1.0]])
    f = np.array([[-0.2], [0.3], [0.7], [0.6], [-0.9]])
    logs = metrics(get_loss("hinge"), y, f)
    assert logs["accuracy"] == pytest.approx(3 / 5)  # signs right: rows 0, 1, 2
    assert logs["keras3_accuracy"] == pytest.approx(1 / 5)  # only f > 0.5 with label 1
    assert logs["keras2_accuracy"] == pytest.approx(1 / 5)  # round(f) equals label: row 2


@pytest.mark.parametrize("field, value, message", [
    ("epochs", 0, "epochs must be at least 1"),
    ("batch_size", 0, "batch size must be at least 1"),
    ("learning_rate", -1.0, "learning rate must be positive"),
])
def test_bad_settings_are_usage_errors(field, value, message):
    from lossterm.core.errors import UsageError

    with pytest.raises(UsageError, match=message):
        train(RunConfig("blobs", "cce", **{field: value}))


def test_accuracy_reads_each_output_its_own_way():
    from lossterm.losses import get_loss
    from lossterm.metrics.fair import metrics

    p = np.array([[0.2], [0.6], [0.4]])
    assert metrics(get_loss("bce"), np.array([[0], [1], [1]]), p)["accuracy"] == pytest.approx(2 / 3)
    soft = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    assert metrics(get_loss("scce"), np.array([0, 1]), soft)["accuracy"] == 0.5
    assert metrics(get_loss("cce"), np.eye(3)[[0, 2]], soft)["accuracy"] == 1.0


def test_regression_metrics():
    from lossterm.losses import get_loss
    from lossterm.metrics.fair import metrics

    logs = metrics(get_loss("mse"), np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]]))
    assert logs == {"mse": 2.5, "rmse": pytest.approx(2.5 ** 0.5), "mae": 1.5}

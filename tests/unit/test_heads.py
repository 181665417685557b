"""One head reads classes for everyone: the metric, the decision regions and the
exported script all agree with ``head.classes`` on the same predictions (categorical
hinge training as well as cross-entropy: tests/integration/test_head_training.py)."""

import re

import numpy as np
import pytest

from lossterm.losses import (
    LINEAR,
    SCORES,
    SIGMOID,
    SOFTMAX,
    TANH,
    encode_targets,
    true_classes,
)
from lossterm.metrics.fair import metrics
from lossterm.training.fit import resolve
from lossterm.training.records import RunConfig
from tests.helpers.heads import predictions

# One loss per classification head, on a problem of its kind.
CLASSIFIERS = [("binary_crossentropy", "circles"), ("hinge", "circles"),
               ("categorical_crossentropy", "blobs"), ("sparse_categorical_crossentropy", "blobs"),
               ("categorical_hinge", "blobs")]


def test_each_head_reads_classes_its_own_way():
    assert SIGMOID.classes(np.array([[0.2], [0.5], [0.51]])).tolist() == [0, 0, 1]
    assert TANH.classes(np.array([[-0.1], [0.0], [0.3]])).tolist() == [0, 0, 1]
    rows = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    assert SOFTMAX.classes(rows).tolist() == [1, 0]
    assert SCORES.classes(np.array([[-3.0, -1.0, -2.0], [4.0, 7.0, 9.0]])).tolist() == [1, 2]
    with pytest.raises(ValueError, match="predicts values"):
        LINEAR.classes(np.zeros((2, 1)))


def score_expression(script: str) -> str:
    return re.search(r'print\("test (?:accuracy|MSE):", (.*)\)\n', script).group(1)


@pytest.mark.parametrize("loss, problem", CLASSIFIERS)
def test_metric_and_exported_script_agree_with_the_head(loss, problem, tmp_path):
    from lossterm.storage.export import export_script

    config = resolve(RunConfig(problem=problem, loss=loss))
    prob, spec = config.problem, config.loss
    y_test = encode_targets(spec, prob.y_test, prob.n_classes)
    pred = predictions(spec, np.random.default_rng(0), len(y_test), prob.n_classes)
    expected = float(np.mean(spec.head.classes(pred) == true_classes(spec.target_encoding,
                                                                     y_test)))
    assert 0.2 < expected < 0.8  # random outputs: some right, some wrong
    assert metrics(spec, y_test, pred)["accuracy"] == pytest.approx(expected)
    (script,) = export_script(config, tmp_path / "again.py")
    line = score_expression(script.read_text())
    assert eval(line, {"np": np, "pred": pred, "y_test": y_test}) == pytest.approx(expected)


def test_regression_script_and_metric_agree_on_mse(tmp_path):
    from lossterm.storage.export import export_script

    config = resolve(RunConfig(problem="regression", loss="huber"))
    prob, spec = config.problem, config.loss
    y_test = encode_targets(spec, prob.y_test, prob.n_classes)
    pred = y_test + np.random.default_rng(0).normal(0, 0.5, y_test.shape)
    (script,) = export_script(config, tmp_path / "again.py")
    line = score_expression(script.read_text())
    assert eval(line, {"np": np, "pred": pred, "y_test": y_test}) == pytest.approx(
        metrics(spec, y_test, pred)["mse"])


@pytest.mark.parametrize("loss, problem", CLASSIFIERS)
def test_decision_regions_are_the_heads_classes(loss, problem):
    from lossterm.runtime.backend import load_keras
    from lossterm.training.model import build_model
    from lossterm.training.regions import decision_grid

    job = resolve(RunConfig(problem=problem, loss=loss))
    prob, spec = job.problem, job.loss
    model = build_model(spec, prob, hidden_units=8, seed=3)
    xs, ys, classes = decision_grid(model, spec, prob, columns=16, rows=8)
    grid = np.stack([xs, ys], axis=1).astype(np.float32)
    out = load_keras().ops.convert_to_numpy(model(grid, training=False))
    assert classes.shape == (16 * 8,)
    assert classes.tolist() == spec.head.classes(out).tolist()
    assert set(classes.tolist()) <= set(range(max(prob.n_classes, 2)))


def test_the_exported_categorical_hinge_script_builds_a_linear_scores_head(tmp_path):
    from lossterm.storage.export import export_script

    config = resolve(RunConfig(problem="blobs", loss="categorical_hinge"))
    (script,) = export_script(config, tmp_path / "again.py")
    text = script.read_text()
    assert 'keras.layers.Dense(3, activation="linear"' in text
    assert "keras.losses.CategoricalHinge()" in text
    assert score_expression(text) == "float(np.mean((pred.argmax(-1)) == y_test.argmax(-1)))"

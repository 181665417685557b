"""Two-node forms without training: a multiclass loss on a binary problem keeps its loss, reads
classes by argmax and column one; what has no two-node form is one line. Training them:
tests/integration/test_two_node.py; the picker: tests/tui/test_tui_two_node.py."""

import numpy as np
import pytest
from sklearn import metrics as sk

from lossterm.core.errors import UsageError
from lossterm.losses import get_loss, losses_for_kind
from lossterm.losses.forms import fit_to
from lossterm.metrics.matrix import score
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig
from tests.helpers.loss_files import GOOD


def test_the_two_node_form_keeps_the_loss_and_reads_classes_by_argmax():
    spec = fit_to(get_loss("cce"), "binary")
    assert (spec.name, spec.kind, spec.keras_class) == ("categorical_crossentropy", "binary",
                                                        "CategoricalCrossentropy")
    assert spec.output_layer(2) == "2, softmax" and spec.target_encoding == "one-hot"
    assert "two-node form: 2 softmax units, argmax" in spec.summary
    assert list(spec.head.classes(np.array([[0.7, 0.3], [0.2, 0.8]]))) == [0, 1]
    hinge = fit_to(get_loss("categorical_hinge"), "binary")
    assert hinge.output_layer(2) == "2, linear"
    assert "two-node form: 2 linear score units, argmax" in hinge.summary
    assert fit_to(get_loss("bce"), "binary") is get_loss("bce")  # a binary loss as it is
    assert fit_to(get_loss("cce"), "multiclass") is get_loss("cce")


def test_loss_all_on_a_binary_problem_stays_the_binary_losses():
    plan = plan_runs(["circles"], ["all"], RunConfig(problem="", loss="", epochs=1))
    assert [job.loss.name for job in plan.runs] == [
        "binary_crossentropy", "hinge", "squared_hinge", "binary_focal_crossentropy",
        "binary_generalized_cross_entropy", "binary_symmetric_cross_entropy"]
    assert plan.skipped == []
    assert [s.name for s in losses_for_kind("binary")] == [j.loss.name for j in plan.runs]


def test_what_still_does_not_fit_is_one_line():
    base = RunConfig(problem="", loss="", epochs=1)
    for problem, loss, says in (
            ("circles", "mse", ("mean_squared_error fits regression problems, but circles "
                                "is binary")),
            ("blobs", "bce", ("binary_crossentropy fits binary problems, but blobs is "
                              "multiclass")),
            ("regression", "cce", "categorical_crossentropy fits multiclass problems")):
        with pytest.raises(UsageError, match=says) as err:
            plan_runs([problem], [loss], base)
        assert "\n" not in str(err.value)


def test_the_metric_matrix_reads_class_one_off_column_one():
    y = np.array([0, 1, 1, 0, 1])
    p1 = np.array([0.2, 0.9, 0.6, 0.4, 0.3])
    softmax = np.column_stack([1 - p1, p1])
    two = score(fit_to(get_loss("cce"), "binary"), y, softmax, 2)
    one = score(get_loss("bce"), y, p1.reshape(-1, 1), 2)
    assert two == pytest.approx(one)  # the same probabilities, the same figures
    assert two["roc_auc"] == pytest.approx(sk.roc_auc_score(y, p1))
    assert two["log_loss"] == pytest.approx(sk.log_loss(y, p1))
    scores = np.column_stack([np.zeros(5), [-1.0, 2.0, 0.5, -0.2, -0.5]])
    hinge = score(fit_to(get_loss("categorical_hinge"), "binary"), y, scores, 2)
    assert hinge["roc_auc"] == pytest.approx(sk.roc_auc_score(y, scores[:, 1]))
    assert hinge["accuracy"] == pytest.approx(0.8)
    assert hinge["log_loss"] is None and hinge["brier"] is None and hinge["ece"] is None


def test_an_own_multiclass_loss_has_no_two_node_form(tmp_path):
    from lossterm.losses.own import load_loss_file

    path = tmp_path / "losses.py"
    path.write_text(GOOD)
    spec = load_loss_file(f"{path}:smoothed")
    with pytest.raises(UsageError, match=r"smoothed is your own loss .* not used in two-node "
                                         "form on a binary problem"):
        plan_runs(["circles"], [spec], RunConfig(problem="", loss="", epochs=1))

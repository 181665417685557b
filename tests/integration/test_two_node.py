"""Multiclass losses on binary problems in their two-node form (issue 13's "two-node
outputs"): 2 softmax units (or 2 linear scores) trained by the multiclass loss, the class
read by argmax, compared beside the one-unit binary losses."""

import json

import numpy as np
import pytest
from sklearn import metrics as sk

from lossterm.analysis.study import Protocol, study_jobs
from lossterm.data.problems import get_problem
from lossterm.metrics.matrix import NOT_A_PROBABILITY
from lossterm.training.fit import run
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig
from tests.helpers.cli import reproduce

TWO_NODE = ("cce", "scce", "kl", "categorical_focal", "categorical_hinge")


@pytest.mark.parametrize("loss", TWO_NODE)
def test_each_multiclass_loss_trains_circles_in_two_node_form(loss):
    result = run("circles", loss, epochs=40, learning_rate=0.05)
    assert result.status == "done", result.message
    assert result.kind == "binary" and result.output_layer.startswith("2, ")
    assert result.records[-1].test_metric > 0.75  # chance is 0.5
    assert any("two-node form" in note for note in result.notes)


def test_decision_regions_of_a_two_node_run_read_both_classes_by_argmax():
    from lossterm.training.fit import train

    result = train(RunConfig(problem="circles", loss="scce", epochs=40, learning_rate=0.05),
                   grid=True)
    xs, ys, classes = result.regions
    assert len(classes) == len(xs) == 64 * 24 and set(classes) == {0, 1}
    radius = np.hypot(xs, ys)
    assert classes[radius < 0.3].mean() > 0.9  # the inner circle is class 1
    assert classes[radius > 1.2].mean() < 0.1  # the outer ring class 0


def test_a_study_of_bce_and_cce_scores_cce_from_its_softmax_column_one():
    from lossterm.training.model import build_model

    plan = plan_runs(["circles"], ["bce", "cce", "categorical_hinge"],
                     RunConfig(problem="", loss="", epochs=20))
    (study,) = study_jobs(plan.runs, Protocol(grid=(0.03, 0.3), tune_seeds=1, seeds=2))
    problem = get_problem("circles")
    cce = study.loss("categorical_crossentropy")
    run_, job = cce.final[0], plan.runs[1]
    model = build_model(job.loss, problem, hidden_units=job.layers, seed=0)
    model.set_weights(run_.weights)
    p1 = np.asarray(model.predict(problem.X_test, verbose=0))[:, 1]
    figures = cce.test_metrics[run_.seed]
    assert figures["roc_auc"] == pytest.approx(sk.roc_auc_score(problem.y_test, p1), abs=1e-6)
    assert figures["log_loss"] == pytest.approx(sk.log_loss(problem.y_test, p1), abs=1e-5)
    assert figures["accuracy"] == pytest.approx(np.mean((p1 > 0.5) == problem.y_test))
    assert figures["roc_auc"] > 0.8
    hinge = study.loss("categorical_hinge")
    assert hinge.not_applicable == dict.fromkeys(("log_loss", "brier", "ece"),
                                                 NOT_A_PROBABILITY)
    assert all(m["roc_auc"] is not None for m in hinge.test_metrics.values())
    assert study.kind == "binary" and study.verdict.line.startswith("on circles, ")


def test_headless_compares_bce_and_cce_on_circles(lossterm_cli):
    args = ("--headless", "--problem", "circles", "--loss", "bce", "--loss", "cce",
            "--epochs", "5", "--no-store", "--no-progress")
    text = lossterm_cli(*args)
    assert text.returncode == 0, text.stderr
    assert "binary_crossentropy" in text.stdout and "categorical_crossentropy" in text.stdout
    assert "2, softmax" in text.stdout and "two-node form" in text.stdout
    done = lossterm_cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    runs = {r["loss"]: r for r in json.loads(done.stdout)["runs"]}
    assert runs["binary_crossentropy"]["output_layer"] == "1, sigmoid"
    cce = runs["categorical_crossentropy"]
    assert (cce["kind"], cce["output_layer"], cce["target_encoding"]) == (
        "binary", "2, softmax", "one-hot")
    assert any("two-node form: 2 softmax units, argmax" in n for n in cce["notes"])


def test_a_loss_with_no_two_node_form_is_still_refused_in_one_line(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "circles", "--loss", "huber", "--no-store")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "huber fits regression problems" in done.stderr


@pytest.mark.parametrize("loss", ["cce", "categorical_hinge"])
def test_the_exported_script_reproduces_a_two_node_run(lossterm_cli, tmp_path, loss):

    lossterm_figure, script_figure = reproduce(
        lossterm_cli, tmp_path, "--problem", "circles", "--loss", loss, "--epochs", "10")
    assert script_figure == pytest.approx(lossterm_figure, rel=1e-4, abs=1e-6)
    script = (tmp_path / "again.py").read_text()
    assert "keras.layers.Dense(2, activation=" in script and "pred.argmax(-1)" in script

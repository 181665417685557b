"""Multiclass losses on binary problems in their two-node form (issue 13's "two-node
outputs"): 2 softmax units (or 2 linear scores) trained by the multiclass loss, the class
read by argmax, compared beside the one-unit binary losses."""

import asyncio
import json

import numpy as np
import pytest
from sklearn import metrics as sk

from lossterm.analysis.study import Protocol, run_study
from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem
from lossterm.losses import get_loss, losses_for_kind
from lossterm.losses.forms import fit_to
from lossterm.metrics.matrix import NOT_A_PROBABILITY, score
from lossterm.training.fit import run
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig

TWO_NODE = ("cce", "scce", "kl", "categorical_focal", "categorical_hinge")


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


def test_a_study_of_bce_and_cce_scores_cce_from_its_softmax_column_one():
    from lossterm.training.model import build_model

    plan = plan_runs(["circles"], ["bce", "cce", "categorical_hinge"],
                     RunConfig(problem="", loss="", epochs=20))
    (study,) = run_study(plan.runs, Protocol(grid=(0.03, 0.3), tune_seeds=1, seeds=2))
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


def test_the_picker_lets_cce_be_chosen_and_trained_on_circles():
    from canned import canned_loader, canned_trainer
    from test_tui_pilot import wait_until

    from lossterm.app.app import make_app

    app = make_app(trainer=canned_trainer, loader=canned_loader, problem="circles",
                   loss="bce", base=RunConfig(problem="", loss="", epochs=3))
    seen = {}

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            picker = app.query_one("#picker")
            await wait_until(pilot, lambda: picker.data_ready, timeout=60)
            losses = app.query_one("#losses")
            options = {o.id: o for o in losses.options}
            seen["prompt"] = str(options["categorical_crossentropy"].prompt)
            seen["disabled"] = options["categorical_crossentropy"].disabled
            seen["huber"] = options["huber"].disabled
            losses.focus()
            losses.highlighted = list(options).index("categorical_crossentropy")
            await pilot.pause()
            seen["details"] = str(picker.details_text())
            await pilot.press("e")
            await pilot.pause()
            seen["theory"] = getattr(app.screen, "form", None)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("t")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(main())
    assert not seen["disabled"] and seen["huber"]
    assert seen["prompt"].startswith("² categorical_crossentropy")  # the mark comes first
    assert "output  2, softmax" in seen["details"] and "✗" not in seen["details"]
    assert "two-node form" in seen["details"]
    assert seen["theory"].startswith("two-node form: 2 softmax units, argmax on circles")
    run_ = app.runs[1]
    assert (run_.config.problem, run_.config.loss) == ("circles", "categorical_crossentropy")
    assert run_.status == "done"


@pytest.mark.parametrize("loss", ["cce", "categorical_hinge"])
def test_the_exported_script_reproduces_a_two_node_run(lossterm_cli, tmp_path, loss):
    from test_export import _reproduce

    lossterm_figure, script_figure = _reproduce(
        lossterm_cli, tmp_path, "--problem", "circles", "--loss", loss, "--epochs", "10")
    assert script_figure == pytest.approx(lossterm_figure, rel=1e-4, abs=1e-6)
    script = (tmp_path / "again.py").read_text()
    assert "keras.layers.Dense(2, activation=" in script and "pred.argmax(-1)" in script


def test_an_own_multiclass_loss_has_no_two_node_form(tmp_path):
    from test_loss_file import GOOD

    from lossterm.losses.own import load_loss_file

    path = tmp_path / "losses.py"
    path.write_text(GOOD)
    spec = load_loss_file(f"{path}:smoothed")
    with pytest.raises(UsageError, match=r"smoothed is your own loss .* not used in two-node "
                                         "form on a binary problem"):
        plan_runs(["circles"], [spec], RunConfig(problem="", loss="", epochs=1))

"""Robustness curves: how labels flip, that each point of a sweep is a real study on noisy
training and validation labels with a clean test split, and what the command line says."""

import json
import threading

import numpy as np
import pytest

import lossterm
from lossterm.analysis.study import Protocol, study_jobs
from lossterm.analysis.study.noise import sweep_jobs
from lossterm.analysis.study.run import default_trainer
from lossterm.cli.main import main
from lossterm.data.perturb import Perturbation, perturb
from lossterm.data.problems import get_problem
from lossterm.data.split import validation_rows
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig
from lossterm.training.scheduler import expand_seeds, schedule

# --- flips ---------------------------------------------------------------------------------


# --- sweeps (small: few epochs, two rates, two seeds) ---------------------------------------

SMALL = {"tune_seeds": 1, "lr_grid": "0.03:0.3:2", "seeds": 2, "epochs": 8}


def test_each_point_trains_and_validates_on_noisy_labels_and_tests_on_clean_ones():
    clean = get_problem("iris")
    seen = []  # (phase, problem the phase trained on)

    def watching(jobs, phase):
        seen.append((phase.name, jobs[0].problem))
        return default_trainer(jobs, phase)

    result = lossterm.noise_sweep(clean, ["cce", "gce"], [0, 0.4], trainer=watching, **SMALL)
    assert result.tuned and result.rates == (0.0, 0.4)
    noisy = perturb(clean, Perturbation(label_noise=0.4))
    held = validation_rows(noisy, 0.2, 0)
    views = [view for phase, view in seen if view.name == "iris+noise0.4"]
    assert views and {phase for phase, _ in seen} >= {"tuning"}
    for view in views:  # the tuning view: its "test" rows are the (noisy) validation rows
        assert np.array_equal(view.y_test, noisy.y_train[held])
        assert not np.array_equal(view.y_test, clean.y_train[held])
        assert len(view.y_train) + len(view.y_test) == len(clean.y_train)
    point = result.point(0.4)
    assert point.flipped == round(0.4 * len(clean.y_train))
    assert point.study.rows == {"training": 84, "validation": 21, "test": 45}  # test: iris's own


def test_a_sweep_point_is_the_study_run_alone_with_that_noise():
    """The same numbers as ``--label-noise 0.3 --tune``: its chosen rates, checkpoints,
    validation and clean-test scores, seed by seed."""
    protocol = Protocol(grid=(0.03, 0.3), tune_seeds=1, seeds=2)
    base = RunConfig(problem="", loss="", epochs=8)
    clean = get_problem("iris")
    plan = plan_runs([clean], ["cce", "sce"], base)
    (result,) = sweep_jobs(plan.runs, [0, 0.3], protocol)
    alone_plan = plan_runs([perturb(clean, Perturbation(label_noise=0.3))], ["cce", "sce"], base)
    (alone,) = study_jobs(alone_plan.runs, protocol, data_seed=0)
    point = result.point(0.3).study
    assert point.problem == alone.problem == "iris+noise0.3"
    for a, b in zip(point.losses, alone.losses):
        assert (a.loss, a.chosen_learning_rate, a.validation_curve, a.checkpoints,
                a.validation, a.test) == (b.loss, b.chosen_learning_rate, b.validation_curve,
                                          b.checkpoints, b.validation, b.test)
    assert point.verdict.line == alone.verdict.line
    curve = {s.loss: s for s in result.series()}
    for s in alone.losses:
        assert curve[s.loss].points[1].mean == pytest.approx(np.mean(list(s.test.values())))
        assert curve[s.loss].points[1].n == 2


def test_an_untuned_point_is_the_untuned_comparison_alone_with_that_noise():
    clean = get_problem("circles")
    base = RunConfig(problem="", loss="", epochs=5)
    plan = plan_runs([clean], ["bce", "hinge"], base)
    (result,) = sweep_jobs(plan.runs, [0, 0.2], Protocol(), tune=False, seeds=2)
    assert not result.tuned and result.learning_rates == (0.01,)
    noisy = perturb(clean, Perturbation(label_noise=0.2))
    alone = schedule(expand_seeds(plan_runs([noisy], ["bce", "hinge"], base).runs, 2))
    by_seed = {(r.loss, r.seed): r.test_metric for r in alone}
    point = result.point(0.2)
    assert {(loss, seed): v for loss, scores in point.scores().items()
            for seed, v in scores.items()} == by_seed
    assert point.verdict_lines and "circles+noise0.2" in point.verdict_lines[0]


def test_the_stop_event_ends_the_sweep_with_the_points_done():
    stop = threading.Event()
    seen = []

    def after(so_far):
        seen.append(len(so_far.points))
        stop.set()

    started = []
    result = lossterm.noise_sweep("iris", ["cce", "gce"], [0, 0.2, 0.4], tune=False, seeds=2,
                                  epochs=3, stop=stop, on_point=after,
                                  on_start=lambda problem, rate: started.append((problem, rate)))
    assert result.stopped and seen == [1]
    assert started == [("iris", 0.0)]
    assert [p.rate for p in result.points] == [0.0]
    assert [len(s.points) for s in result.series()] == [1, 1]


# --- the command line -----------------------------------------------------------------------

ARGS = ("--headless", "--no-store", "--problem", "iris", "--loss", "cce", "--loss", "gce",
        "--noise-sweep", "0,0.4", "--seeds", "2", "--tune-seeds", "1", "--lr-grid",
        "0.03:0.3:2", "--epochs", "6")


def test_headless_sweep_json_series_agree_with_its_points(lossterm_cli, tmp_path):
    out = tmp_path / "sweep.json"
    done = lossterm_cli(*ARGS, "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    (sweep_,) = json.loads(out.read_text())["noise_sweeps"]
    assert (sweep_["problem"], sweep_["tuned"], sweep_["noise_kind"], sweep_["rates"]) == (
        "iris", True, "symmetric", [0.0, 0.4])
    protocol = sweep_["protocol"]
    assert protocol["validation"].startswith("carved from the noisy training rows")
    assert protocol["test"].startswith("clean") and protocol["seeds"] == [0, 1]
    assert [s["loss"] for s in sweep_["series"]] == ["categorical_crossentropy",
                                                     "categorical_generalized_cross_entropy"]
    for series in sweep_["series"]:
        assert series["rates"] == [0.0, 0.4] and series["n"] == [2, 2]
        assert len(series["mean"]) == len(series["sd"]) == len(series["ci"]) == 2
        for k, point in enumerate(sweep_["points"]):
            study = next(s for s in point["study"]["losses"] if s["loss"] == series["loss"])
            assert series["mean"][k] == pytest.approx(study["test"]["mean"])
            assert series["sd"][k] == pytest.approx(study["test"]["sd"])
            by_seed = point["test_by_seed"][series["loss"]]
            assert series["mean"][k] == pytest.approx(np.mean(list(by_seed.values())))
    assert [p["problem"] for p in sweep_["points"]] == ["iris", "iris+noise0.4"]
    assert sweep_["points"][1]["flipped"] == 42
    assert all(p["verdict"][0] == p["study"]["verdict"] for p in sweep_["points"])


def test_headless_sweep_text_and_markdown_say_how_each_point_was_run(capsys):
    assert main([*ARGS, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert main([*ARGS, "--format", "markdown", "--no-tune"]) == 0
    markdown = capsys.readouterr().out
    assert "each point is a fair study" in text and "noisy validation rows" in text
    # the protocol the points ran: every replicate chose its own rate, no final seeds apart
    assert "paired replicates: each replicate trains every rate" in text
    assert "final seeds at the chosen rate" not in text
    assert "each point is the untuned comparison (--no-tune)" in markdown
    for report in (text, markdown):
        assert "noise: symmetric — a share P of the training labels" in report
        assert "test rows clean (45, never perturbed)" in report
        assert "noise 0.4" in report and "categorical_generalized_cross_entropy" in report
        assert "symmetric label-noise rate" in report  # the plot's axis
        assert "at noise 0.4: " in report  # each point's verdict
    assert "┤" in text and "```text" in markdown  # the plot
    assert "learning rate each study chose" in text
    assert "verdict at noise 0: on iris, " in text


@pytest.mark.parametrize("argv,message", [
    (["--problem", "regression", "--noise-sweep", "0,0.2"],
     "--noise-sweep flips class labels; regression is regression (try --outliers)"),
    (["--problem", "iris", "--noise-sweep", "0,1.2"], "--noise-sweep rates must be in [0, 1)"),
    (["--problem", "iris", "--noise-sweep", "0.2"], "--noise-sweep needs two or more rates"),
    (["--problem", "iris", "--noise-sweep", "0,a"],
     "--noise-sweep takes rates separated by commas"),
    (["--problem", "iris", "--noise-sweep", "0,0.2,0.2"], "--noise-sweep lists a rate twice"),
    (["--problem", "iris", "--noise-sweep", "0,0.2", "--label-noise", "0.1"],
     "--label-noise sets one rate and --noise-sweep sets each point's; give one"),
    (["--problem", "iris", "--noise-sweep", "0,0.2", "--no-tune", "--metric", "macro_f1"],
     "--metric macro_f1 chooses in a study"),
    (["--problem", "iris", "--noise-sweep", "0,0.2", "--seeds", "1"],
     "a study needs --seeds of at least 2"),
    (["--problem", "iris", "--noise-sweep", "0,0.2", "--noise-kind", "pairs"],
     "argument --noise-kind: invalid choice"),
    (["--problem", "iris", "--noise-sweep", "0,0.2", "--export-code", "x.py"],
     "--export-code does not go with --noise-sweep"),
])
def test_bad_sweep_requests_are_one_line_and_exit_2(argv, message, capsys):
    assert main(["--headless", "--no-store", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lossterm: error: {message}") and err.count("\n") == 1


def test_a_sweep_on_several_targets_is_refused_in_one_line(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    rows = ["a,b,c,l1,l2"] + [f"{x[0]},{x[1]},{x[2]},{int(x[0] > 0)},{int(x[1] > 0)}"
                              for x in X]
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["--headless", "--no-store", "--data", str(path), "--target", "l1",
                 "--target", "l2", "--noise-sweep", "0,0.2"]) == 2
    err = capsys.readouterr().err
    assert err == ("lossterm: error: --noise-sweep flips the labels of one target column; "
                   "labels.csv has 2 (multilabel)\n")


def test_the_compare_view_of_an_untuned_sweep():
    """--no-tune points have no isolation plot or matrix: the view says only curves follow,
    and its table and robustness series come from the points' own runs."""
    from lossterm.app.compare import from_sweep

    sweep = lossterm.noise_sweep("iris", ["cce", "gce"], [0, 0.3], tune=False, seeds=3,
                                 epochs=5)
    view = from_sweep(sweep)
    lines = view.verdict.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["noise 0", "noise 0.3"]
    assert all("best" in line for line in lines)
    assert view.protocol[0].endswith("p's curves are noise 0.3's; rows ranked by the mean at "
                                     "noise 0.3, the highest rate")
    assert not view.isolation and not view.matrix
    header, *rows = view.rates_table
    assert header == ("#", "loss (by noise 0.3)", "noise 0", "noise 0.3") and len(rows) == 2
    for series in sweep.series():
        means = [p[1] for p in view.robustness[series.loss]]
        assert means == series.means

"""Fair studies: the test split never chooses, the statistics are the textbook's, the
verdict survives moving the grid, and the command line says what it did."""

import json
from dataclasses import replace

import numpy as np
import pytest

from lossterm.analysis.study import Protocol, study_jobs
from lossterm.analysis.study.run import default_trainer
from lossterm.cli.main import main
from lossterm.core.errors import LosstermError
from lossterm.data.problems import get_problem
from lossterm.data.split import tuning_view, validation_rows
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig

# --- Holm and the tied set, by hand ---------------------------------------------------------


# --- grid, checkpoint and selection ---------------------------------------------------------


# --- the split ------------------------------------------------------------------------------


# --- studies (small: few epochs, few rates) -------------------------------------------------


def small_study(problem, losses, *, epochs=30, grid=(0.003, 0.03, 0.3), seeds=3, tune_seeds=1,
                **protocol):
    plan = plan_runs([problem], losses, RunConfig(problem="", loss="", epochs=epochs))
    (study,) = study_jobs(plan.runs, Protocol(grid=grid, tune_seeds=tune_seeds, seeds=seeds,
                                             **protocol))
    return study


def selection(study):
    return {s.loss: (s.chosen_learning_rate, s.validation_curve, s.checkpoints, s.validation,
                     [(r.seed, r.chosen_learning_rate) for r in s.replicates])
            for s in study.losses}


def test_permuted_test_labels_change_nothing_that_was_chosen():
    """The test split never influences selection: the same study with the test labels
    permuted chooses the same rates and checkpoints, bit for bit (and only its test
    scores change, which shows the test split is read)."""
    circles = get_problem("circles")
    shuffled = replace(circles, y_test=np.random.default_rng(7).permutation(circles.y_test))
    assert not np.array_equal(shuffled.y_test, circles.y_test)
    a = small_study(circles, ["bce", "hinge"])
    b = small_study(shuffled, ["bce", "hinge"])
    assert selection(a) == selection(b)
    for sa, sb in zip(a.losses, b.losses):
        assert [r.history for r in sa.final] == [r.history for r in sb.final]
    assert [s.test for s in a.losses] != [s.test for s in b.losses]


def test_every_replicate_searches_the_grid_from_its_own_seed_and_its_choice_is_its_final_model():
    study = small_study("regression", ["mse", "mae"], epochs=20, seeds=2)
    assert study.metric == "mse" and not study.higher
    assert study.runs["tuning"] == 2 * 2 * 3  # losses x replicates x rates
    assert study.final_seeds == [0, 1] and study.tuning_seeds == [0, 1]
    for s in study.losses:
        assert [r.seed for r in s.replicates] == [0, 1]
        for rep in s.replicates:
            # the whole grid, from the replicate's own seed, and nothing else
            assert {(r.learning_rate, r.seed) for r in rep.runs} >= {
                (lr, rep.seed) for lr in (0.003, 0.03, 0.3)}
            scores = {p.learning_rate: p.score for p in rep.points}
            assert scores[rep.chosen_learning_rate] == min(v for v in scores.values() if v is not None)
            (final,) = rep.chosen_runs
            assert final in s.final and final.learning_rate == rep.chosen_learning_rate
            best = min(r.logs["val_mse"] for r in final.records)
            epoch = s.checkpoints[rep.seed]
            assert final.records[epoch - 1].logs["val_mse"] == best == s.validation[rep.seed]
            assert s.test[rep.seed] == s.test_metrics[rep.seed]["mse"]
        assert s.chosen_learning_rate in s.chosen_rates and sum(s.chosen_rates.values()) == 2
    assert study.rows == {"training": 400, "validation": 100, "test": 500}


def test_with_several_seeds_per_rate_a_replicate_scores_their_mean_and_reports_their_mean():
    study = small_study("circles", ["bce"], epochs=10, seeds=2, tune_seeds=2)
    (s,) = study.losses
    assert study.runs["tuning"] == 2 * 3 * 2
    for rep in s.replicates:
        assert rep.seeds == (rep.seed, rep.seed + 1000)
        finals = rep.chosen_runs
        assert len(finals) == 2 and {r.seed for r in finals} == set(rep.seeds)
        assert s.test[rep.seed] == pytest.approx(
            sum(s.run_tests[r.seed]["accuracy"] for r in finals) / 2)
        point = rep.points[rep.chosen]
        assert s.validation[rep.seed] == pytest.approx(sum(point.scores) / 2)


def test_a_best_rate_at_an_edge_extends_the_replicates_grid_once_and_says_so():
    # 0.001 and 0.002 are far too slow for 20 epochs: the best is the upper edge.
    study = small_study("regression", ["mse"], epochs=20, grid=(0.001, 0.002), seeds=2)
    (s,) = study.losses
    assert s.extended == "upper"
    for rep in s.replicates:
        assert rep.extended == "upper"
        assert [p.learning_rate for p in rep.points] == [0.001, 0.002, 0.004, 0.008]
    assert [lr for lr, _ in s.validation_curve] == [0.001, 0.002, 0.004, 0.008]
    assert study.runs["tuning (extended)"] == 2 * 2
    assert s.warning and ("in 2 of 2 replicates the best learning rate is at the upper edge of "
                          "the grid even after extending it once") in s.warning
    from lossterm.report.study import render_study, study_to_dict

    text = render_study([study], "text").replace("\n", " ")  # the report says so, and warns
    assert "extended once at an edge in replicates of mean_squared_error (upper, 2 of 2)" in text
    assert "even after extending it once" in text
    assert study_to_dict(study)["protocol"]["extended"] == {"mean_squared_error": "upper"}


def test_the_shared_protocol_tunes_once_and_trains_final_seeds_at_the_chosen_rate():
    """The earlier protocol, kept for the benchmarks: tuning seeds apart from the final
    seeds, every final run at the one chosen rate."""
    study = small_study("regression", ["mse", "mae"], epochs=20, seeds=2, tune_seeds=2,
                        selection="shared")
    assert study.runs["tuning"] == 2 * 3 * 2 and study.runs["final"] == 2 * 2
    assert set(study.tuning_seeds).isdisjoint(study.final_seeds)
    for s in study.losses:
        assert not s.replicates and [r.seed for r in s.final] == [0, 1]
        assert {r.learning_rate for r in s.final} == {s.chosen_learning_rate}
    from lossterm.report.study import render_study

    assert "the final seeds leave the selection out" in render_study([study], "text")


class Replay:
    """A real trainer that trains each phase once and replays its results: in order, or
    shuffled (each result still carrying its loss, rate and seed), or with one missing."""

    def __init__(self):
        self.trained = {}

    def __call__(self, jobs, phase, *, order="same"):
        key = (phase.name, tuple((j.loss.name, j.learning_rate, j.seed) for j in jobs))
        if key not in self.trained:
            self.trained[key] = default_trainer(jobs, phase)
        results = list(self.trained[key])
        if order == "shuffled":
            shuffled = [results[i] for i in np.random.default_rng(7).permutation(len(results))]
            assert list(map(id, shuffled)) != list(map(id, results))  # the order really moved
            return shuffled
        return results[:-1] if order == "one missing" else results


def outcome(study):
    """Everything a study found (the runs by identity), its timings aside."""
    return ([(s.loss, s.chosen_learning_rate, s.validation_curve, s.checkpoints, s.validation,
              s.test, s.test_metrics, s.extended, s.warning, [id(r) for r in s.tuning],
              [id(r) for r in s.final], [(r.seed, r.chosen_learning_rate) for r in s.replicates])
             for s in study.losses], study.runs, study.verdict.line)


@pytest.mark.parametrize("selection", ["replicate", "shared"])
def test_a_trainer_returning_results_in_any_order_gives_the_same_study(selection):
    """Results are matched to their candidates (loss, rate, seed, phase), never by position:
    the same runs returned shuffled give the same study, in every phase, the extension
    (which trains a subset: the grid is too slow, so every replicate extends it) included."""
    replay = Replay()
    plan = plan_runs(["regression"], ["mse", "mae"], RunConfig(problem="", loss="", epochs=20))
    protocol = Protocol(grid=(0.001, 0.002), seeds=2, selection=selection)

    def study(order):
        (found,) = study_jobs(plan.runs, protocol,
                             trainer=lambda jobs, phase: replay(jobs, phase, order=order))
        return found

    in_order, shuffled = study("same"), study("shuffled")
    assert "tuning (extended)" in in_order.runs
    assert outcome(shuffled) == outcome(in_order)
    for s in shuffled.losses:  # and each run is the one its candidate asked for
        assert all(r.loss == s.loss for r in s.tuning + s.final)
        for rep in s.replicates:
            assert [(r.learning_rate, r.seed) for r in rep.runs] == [
                (lr, seed) for lr in (0.001, 0.002, 0.004, 0.008) for seed in rep.seeds]
    with pytest.raises(LosstermError, match="the trainer returned no result for "
                                            "mean_absolute_error at learning rate"):
        study("one missing")


@pytest.mark.slow
def test_the_tied_set_does_not_move_with_the_grid():
    """A study's tied-for-best set is the same when the grid is shifted by half a decade
    (built-in problem, fixed seeds)."""
    grid = (0.01, 0.0316228, 0.1, 0.316228)  # half-decade steps, as the default grid's
    shifted = tuple(float(f"{lr * 10 ** 0.5:.6g}") for lr in grid)
    studies = [small_study("regression", ["mse", "mae", "huber"], epochs=60, grid=g, seeds=6)
               for g in (grid, shifted)]
    ties = [sorted(s.verdict.tied_for_best) for s in studies]
    assert ties[0] == ties[1] and "mean_absolute_error" not in ties[0]
    # the edge rule is what makes it so here: each grid's edge loss extends onto the other's
    assert [s.chosen_learning_rate for s in studies[0].losses] == \
        [s.chosen_learning_rate for s in studies[1].losses]


# --- when a request is a study --------------------------------------------------------------


def test_headless_tune_end_to_end(lossterm_cli, tmp_path):
    out, csvs = tmp_path / "study.json", tmp_path / "csv"
    done = lossterm_cli("--headless", "--tune", "--problem", "circles", "--loss", "bce",
                        "--loss", "hinge", "--epochs", "10", "--lr-grid", "0.01:1:3",
                        "--tune-seeds", "1", "--seeds", "2", "--no-store", "--format", "json",
                        "-o", str(out), "--export-csv", str(csvs))
    assert done.returncode == 0, done.stderr
    beside = json.loads((csvs / "circles.study.json").read_text())
    assert beside == json.loads(out.read_text())["studies"][0]["study"]
    assert len(list(csvs.glob("*.csv"))) == 4  # the final runs
    data = json.loads(out.read_text())
    (entry,) = data["studies"]
    study = entry["study"]
    assert entry["problem"] == "circles"
    assert set(study) >= {"protocol", "losses", "comparisons", "tied_for_best", "verdict"}
    protocol = study["protocol"]
    assert protocol["learning_rate_grid"] == [0.01, 0.1, 1.0]
    assert (protocol["tune_seeds"], protocol["validation_share"], protocol["checkpoint"],
            protocol["metric"]) == (1, 0.2, "best", "accuracy")
    assert protocol["selection_in"] == "replicate"
    assert protocol["runs"]["tuning"] == 2 * 2 * 3  # losses x replicates x rates
    for loss in study["losses"]:
        assert set(loss) >= {"loss", "chosen_learning_rate", "validation_curve",
                             "validation_score", "test", "metrics"}
        assert set(loss["test"]) >= {"mean", "sd", "ci"}
        assert [lr for lr, _ in loss["validation_curve"]][:3] == [0.01, 0.1, 1.0]
    (pair,) = study["comparisons"]
    assert set(pair) >= {"a", "b", "difference", "ci", "p", "p_holm", "share_a_better"}
    assert study["verdict"].startswith("on circles, ")
    assert "chosen on validation inside each of 2 paired replicates" in study["verdict"]
    assert len(data["runs"]) == 4 and {r["phase"] for r in data["runs"]} == {"final"}


def test_study_text_and_markdown_carry_the_protocol_block():
    from lossterm.report.study import render_study

    study = small_study("circles", ["bce", "squared_hinge"], epochs=10, grid=(0.01, 0.1),
                        seeds=2, checkpoint="last")
    text = render_study([study], "text")
    markdown = render_study([study], "markdown")
    for report in (text, markdown):
        assert "learning-rate grid: 0.01 to 0.1" in report
        assert "checkpoint: the last epoch; chosen on validation only" in report
        assert "400 training / 100 validation / 500 test rows" in report
        assert study.verdict.line in report.replace("\n", " ") or study.verdict.line in report
    assert "[0.1: " in text or "[0.01: " in text  # the chosen rate, marked
    assert "## Study of circles" in markdown and "**Verdict:**" in markdown


# --- own data with its own split ------------------------------------------------------------


SMALL_STUDY = ("--tune", "--loss", "mse", "--loss", "mae", "--epochs", "3", "--lr-grid",
               "0.01:0.1:2", "--tune-seeds", "1", "--seeds", "2", "--no-store", "--no-progress",
               "--format", "json")


def test_split_column_and_val_size_on_the_command_line(tmp_path):
    """--split-column's rows are the study's rows as they are; --val-size sets the share."""
    rng = np.random.default_rng(4)
    part = ["train"] * 30 + ["validation"] * 10 + ["test"] * 20
    lines = ["a,b,part,y"] + [f"{a:.4f},{b:.4f},{p},{a - b:.4f}"
                              for (a, b), p in zip(rng.normal(size=(60, 2)), rng.permutation(part))]
    data, report = tmp_path / "fixed.csv", tmp_path / "study.json"
    data.write_text("\n".join(lines) + "\n")
    assert main(["--headless", "--data", str(data), "--target", "y", "--split-column", "part",
                 *SMALL_STUDY, "-o", str(report)]) == 0
    protocol = json.loads(report.read_text())["studies"][0]["study"]["protocol"]
    assert protocol["rows"] == {"training": 30, "validation": 10, "test": 20}
    report.unlink()
    assert main(["--headless", "--problem", "regression", "--val-size", "0.3", *SMALL_STUDY,
                 "-o", str(report)]) == 0
    protocol = json.loads(report.read_text())["studies"][0]["study"]["protocol"]
    assert protocol["validation_share"] == 0.3
    assert protocol["rows"] == {"training": 350, "validation": 150, "test": 500}


def test_the_python_api_runs_a_study():
    import lossterm

    s = lossterm.study("regression", ["mse", "huber"], seeds=2, tune_seeds=1,
                       lr_grid="0.01:0.1:2", epochs=5)
    assert s.problem == "regression" and [x.loss for x in s.losses] == ["mean_squared_error",
                                                                       "huber"]
    assert s.verdict.line.startswith("on regression, ")


def test_tensorboard_holds_every_phase_read_back_with_event_processing(tmp_path, capsys):
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.plugins.hparams import metadata
    from tensorboard.util import tensor_util

    logdir, report = tmp_path / "board", tmp_path / "study.json"
    assert main(["--headless", "--tune", "--problem", "circles", "--loss", "bce", "--loss",
                 "squared_hinge", "--epochs", "6", "--lr-grid", "0.03:0.3:2", "--tune-seeds",
                 "1", "--seeds", "2", "--no-store", "--no-progress", "--format", "json",
                 "-o", str(report), "--tensorboard", str(logdir)]) == 0
    study = json.loads(report.read_text())["studies"][0]["study"]

    def read(path):
        acc = ea.EventAccumulator(str(path), size_guidance={ea.TENSORS: 0})
        acc.Reload()
        return acc

    def values(acc, tag):
        return [float(tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]

    bce = study["losses"][0]
    assert bce["loss"] == "binary_crossentropy"
    for seed in (0, 1):
        test = read(logdir / "circles" / "test" / "binary_crossentropy" / f"seed={seed}")
        by_seed = next(x for x in bce["by_seed"] if x["seed"] == seed)
        rate = by_seed["learning_rate"]  # the rate this replicate chose
        assert values(test, "test/accuracy") == pytest.approx([by_seed["metrics"]["accuracy"]])
        assert values(test, "test/roc_auc") == pytest.approx([by_seed["metrics"]["roc_auc"]])
        final = read(logdir / "circles" / "final" / "binary_crossentropy" / f"seed={seed}")
        content = final.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
        session = metadata.parse_session_start_info_plugin_data(content)
        assert session.hparams["learning_rate"].number_value == pytest.approx(rate)
        assert session.hparams["phase"].string_value == "final"
        assert values(final, "validation/accuracy") == pytest.approx([by_seed["validation"]])
    tuning = read(logdir / "circles" / "tuning" / "squared_hinge" / "lr=0.03" / "seed=1"
                  / "validation")
    assert len(values(tuning, "epoch_accuracy")) == 6
    assert "wrote TensorBoard logs" in capsys.readouterr().err


def test_a_matrix_metric_selects_on_validation_from_the_kept_weights():
    from lossterm.training.evaluate import scores_on

    study = small_study("circles", ["bce", "squared_hinge"], epochs=8, grid=(0.03, 0.3),
                        seeds=2, metric="roc_auc")
    assert study.metric == "roc_auc" and study.checkpoint_metric == "accuracy"
    circles = get_problem("circles")
    view = tuning_view(circles, validation_rows(circles, 0.2, 0))
    for s in study.losses:
        spec = s.final[0].loss
        for run in s.final:
            assert s.checkpoints[run.seed] == run.best_epoch
            on_validation = scores_on(_spec(spec), run.weights, view.X_test, view.y_test, 2)
            assert s.validation[run.seed] == pytest.approx(on_validation["roc_auc"])
            assert s.test[run.seed] == s.test_metrics[run.seed]["roc_auc"]
        assert all(p.score is not None for p in s.points)


def _spec(name):
    from lossterm.losses import get_loss

    return get_loss(name)


def test_a_squared_error_chosen_on_outlying_validation_rows_is_warned_of():
    """Outliers put into the training rows are in the validation rows too: the study says
    validation MSE is ruled by them, and says nothing when it selects on MAE."""
    import lossterm
    from lossterm.data.perturb import Perturbation, perturb

    noisy = perturb(get_problem("regression"), Perturbation(outliers=0.1))
    small = dict(seeds=2, tune_seeds=1, lr_grid=(0.001, 0.01), epochs=3)
    by_mse = lossterm.study(noisy, ["mse", "mae"], **small)
    by_mae = lossterm.study(noisy, ["mse", "mae"], metric="mae", **small)
    clean = lossterm.study("regression", ["mse", "mae"], **small)
    assert any("validation mse is ruled by them" in w for w in by_mse.warnings)
    assert not any("ruled by them" in w for w in by_mae.warnings + clean.warnings)


def test_the_progress_bar_says_which_phase_it_is_in(monkeypatch, capsys):
    """The headless study's progress bar (stderr) names each phase and counts its runs."""
    import re

    from lossterm import service
    from lossterm.cli.progress import StudyProgress
    from lossterm.options import Options

    monkeypatch.setenv("FORCE_COLOR", "1")  # draw as on a terminal, into the captured stderr
    options = Options(problems=("circles",), losses=("bce", "hinge"),
                      base=RunConfig(problem="", loss="", epochs=3),
                      protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=2))
    with StudyProgress(enabled=True) as progress:
        service.study_jobs(service.study_work(options), listener=progress)
    drawn = re.findall(r"(tuning|final) circles: (\d+)/8 runs", capsys.readouterr().err)
    assert ("tuning", "0") in drawn and ("tuning", "8") in drawn  # 2 losses x 2 x 2 rates
    assert drawn.index(("tuning", "0")) < drawn.index(("tuning", "8"))


def test_a_study_of_bit_identical_losses_says_identical_in_every_format():
    import lossterm
    from lossterm.report.study import render_study

    study = lossterm.study("blobs", ["cce", "scce"], seeds=3, lr_grid=(0.01, 0.1), epochs=3)
    assert study.verdict.pairs[0].identical
    assert study.verdict.line.endswith("sparse_categorical_crossentropy is identical to "
                                       "categorical_crossentropy on every seed — fewer than 5 "
                                       "seeds: the tests have little power")
    text = render_study([study], "text", width=220)
    assert "│ identical │ identical │" in text and "1.000" not in text
    assert "| identical | identical |" in render_study([study], "markdown")
    data = json.loads(render_study([study], "json"))["studies"][0]["study"]
    assert data["comparisons"][0]["test"] == "identical on every seed"
    assert data["comparisons"][0]["p"] is None
    for loss in data["losses"]:  # 3 seeds: a t-interval could leave [0, 1]; this one cannot
        low, high = loss["test"]["ci"]
        assert 0 <= low <= high <= 1 and "within [0, 1]" in loss["test"]["ci_method"]

"""Fair studies: the test split never chooses, the statistics are the textbook's, the
verdict survives moving the grid, and the command line says what it did."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from lossterm.analysis.stats import holm, tied_for_best
from lossterm.analysis.study import Protocol, default_grid, parse_lr_grid, run_study
from lossterm.analysis.study.protocol import extension
from lossterm.analysis.study.run import default_trainer
from lossterm.analysis.study.tuning import GridPoint, checkpoint_index, choose, edge
from lossterm.analysis.verdict import decide
from lossterm.cli.main import main
from lossterm.core.errors import LosstermError, UsageError
from lossterm.data.problems import get_problem
from lossterm.data.split import tuning_view, validation_rows
from lossterm.options import Options
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig

# --- Holm and the tied set, by hand ---------------------------------------------------------


def test_holm_by_hand():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_leaves_untestable_pairs_out_of_the_count():
    adjusted = holm([0.5, math.nan, 0.2])  # m = 2: 0.2*2 = 0.4, then max(0.4, 0.5*1) = 0.5
    assert adjusted[0] == pytest.approx(0.5) and adjusted[2] == pytest.approx(0.4)
    assert math.isnan(adjusted[1])
    assert holm([0.6, 0.7]) == [1.0, 1.0]
    assert holm([]) == []


def test_holm_is_never_below_the_raw_p_nor_above_bonferroni():
    p = np.random.default_rng(0).uniform(0, 0.2, size=12)
    adjusted = np.array(holm(p))
    assert np.all(adjusted >= p) and np.all(adjusted <= np.minimum(1, 12 * p) + 1e-15)


def test_tied_for_best_by_hand():
    against_best = {"b": 0.2, "c": 0.01, "d": math.nan, "e": 0.05}
    assert tied_for_best("a", against_best) == ["a", "b", "d", "e"]  # 0.05 is not below 0.05


def test_verdict_ranks_adjusts_and_ties_as_computed_by_hand():
    seeds = range(6)
    a = [0.90, 0.91, 0.89, 0.92, 0.90, 0.91]
    b = [0.90, 0.90, 0.89, 0.91, 0.91, 0.90]  # close to a
    c = [0.80, 0.82, 0.79, 0.81, 0.80, 0.83]  # far behind
    scores = {name: dict(zip(seeds, v)) for name, v in (("c", c), ("a", a), ("b", b))}
    v = decide("circles", scores, "accuracy", 6)
    assert v.ranking == ["a", "b", "c"]
    raw = {(x, y): stats.ttest_rel(list(scores[x].values()), list(scores[y].values())).pvalue
           for x, y in (("a", "b"), ("a", "c"), ("b", "c"))}
    by_hand = dict(zip(raw, holm(list(raw.values()))))
    for pair in v.pairs:
        assert pair.p == pytest.approx(raw[(pair.a, pair.b)])
        assert pair.p_holm == pytest.approx(by_hand[(pair.a, pair.b)])
    ab = next(p for p in v.pairs if p.b == "b")
    assert ab.difference == pytest.approx(np.mean(np.subtract(a, b)))
    assert ab.share_a_better == pytest.approx(3 / 6)  # a > b strictly on seeds 1, 3, 5
    assert v.tied_for_best == ["a", "b"]
    assert v.line.startswith("on circles, a and b tie for best (each at its own learning rate, "
                             "chosen on validation; 6 paired seeds; test accuracy; Holm-adjusted)")
    assert "c is 9.7 points of accuracy behind (p < 0.001)" in v.line


def test_lower_is_better_metrics_rank_ascending():
    scores = {"mse": {0: 0.1, 1: 0.1, 2: 0.1}, "mae": {0: 0.3, 1: 0.4, 2: 0.35}}
    v = decide("regression", scores, "mse", 3)
    assert v.ranking == ["mse", "mae"]
    assert v.pairs[0].share_a_better == 1.0 and v.pairs[0].difference < 0


# --- grid, checkpoint and selection ---------------------------------------------------------


def test_default_grid_is_nine_points_over_four_decades_around_the_usual_rate():
    grid = default_grid("sgd")
    assert len(grid) == 9 and grid[0] == 1e-4 and grid[-1] == 1.0 and grid[4] == 0.01
    assert default_grid("adam")[4] == 0.001
    assert np.allclose(np.diff(np.log10(grid)), 0.5)


def test_lr_grid_parses_and_extends_at_its_own_step():
    grid = parse_lr_grid("0.001:0.1:3")
    assert grid == (0.001, 0.01, 0.1)
    assert extension(grid, "lower", 2) == (1e-5, 1e-4)
    assert extension(grid, "upper", 2) == (1.0, 10.0)


@pytest.mark.parametrize("text", ["1:0:3", "0:1:3", "1e-3:1:1", "a:b:c", "1:2", "1:2:3:4"])
def test_bad_lr_grids_are_refused_naming_the_field(text):
    with pytest.raises(UsageError) as error:
        parse_lr_grid(text)
    assert error.value.field == "lr_grid"


def test_checkpoint_is_the_first_best_epoch_or_the_last():
    assert checkpoint_index([0.5, 0.8, 0.8, 0.7], "best", True) == 1
    assert checkpoint_index([0.5, 0.2, 0.2, 0.3], "best", False) == 1
    assert checkpoint_index([0.5, 0.8, 0.8, 0.7], "last", True) == 3


def test_a_rate_where_a_run_diverged_ranks_last_and_ties_go_to_the_centre():
    points = [GridPoint(0.001, [0.8, 0.8]), GridPoint(0.01, [0.9, 0.9]),
              GridPoint(0.1, [0.9, 0.9]), GridPoint(1.0, [0.99, None])]
    assert points[3].score is None and points[3].failed == 1
    assert choose(points, centre=0.01, higher=True) == 1
    assert choose(points, centre=0.1, higher=True) == 2
    assert choose([GridPoint(1.0, [None])], 1.0, True) is None
    assert edge(points, 0) == "lower" and edge(points, 3) == "upper" and edge(points, 1) is None


# --- the split ------------------------------------------------------------------------------


def test_validation_comes_out_of_the_training_rows_stratified_and_seeded():
    circles = get_problem("circles")
    held = validation_rows(circles, 0.2, seed=0)
    assert len(held) == 100 and np.array_equal(held, validation_rows(circles, 0.2, seed=0))
    assert not np.array_equal(held, validation_rows(circles, 0.2, seed=1))
    share = circles.y_train.mean()
    assert circles.y_train[held].mean() == pytest.approx(share, abs=0.01)
    view = tuning_view(circles, held)
    assert len(view.y_train) == 400 and len(view.y_test) == 100
    assert np.array_equal(view.X_test, circles.X_train[held])
    rows = {tuple(r) for r in view.X_train} | {tuple(r) for r in view.X_test}
    assert not rows & {tuple(r) for r in circles.X_test}  # the test rows are nowhere in it
    assert view.name == "circles" and view.kind == circles.kind


def test_a_validation_share_that_leaves_nothing_is_refused():
    with pytest.raises(UsageError):
        Protocol(validation_share=1.5)
    with pytest.raises(UsageError):
        validation_rows(get_problem("circles"), 0.999, seed=0)


# --- studies (small: few epochs, few rates) -------------------------------------------------


def small_study(problem, losses, *, epochs=30, grid=(0.003, 0.03, 0.3), seeds=3, tune_seeds=1,
                **protocol):
    plan = plan_runs([problem], losses, RunConfig(problem="", loss="", epochs=epochs))
    (study,) = run_study(plan.runs, Protocol(grid=grid, tune_seeds=tune_seeds, seeds=seeds,
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
        (found,) = run_study(plan.runs, protocol,
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


def options(*argv):
    from lossterm.cli.main import build_parser

    return Options.from_args(build_parser().parse_args(["--headless", *argv]))


def planned(opts):
    from lossterm.service import load_problems

    return plan_runs(load_problems(opts), opts.losses, opts.base).runs


def test_which_requests_are_studies():
    assert not options().wants_study(planned(options()))  # the tutorial's nine, as ever
    two = ("--problem", "circles", "--loss", "bce", "--loss", "hinge")
    assert options(*two, "--seeds", "5").wants_study(planned(options(*two)))
    assert not options(*two, "--seeds", "5", "--no-tune").wants_study(planned(options(*two)))
    assert not options(*two).wants_study(planned(options(*two)))  # one seed: no study
    one = ("--problem", "circles", "--loss", "bce")
    assert options(*one, "--tune").wants_study(planned(options(*one)))
    assert options(*one, "--tune").protocol.seeds == 10
    assert options(*two, "--seeds", "4").protocol.seeds == 4


@pytest.mark.parametrize("argv,message", [
    (["--lr-grid", "1:0:3"], "--lr-grid needs 0 < LOW < HIGH"),
    (["--val-size", "1.5"], "--val-size must be between 0 and 1"),
    (["--tune-seeds", "0"], "--tune-seeds must be at least 1"),
    (["--tune", "--no-tune"], "--tune and --no-tune contradict each other"),
    (["--split-column", "part"], "--split-column goes with --data"),
    (["--tune", "--seeds", "1", "--problem", "circles"], "a study needs --seeds of at least 2"),
    (["--tune", "--metric", "mse", "--problem", "circles"], "--metric 'mse' is not a binary"),
    (["--tune", "--metric", "log_loss", "--problem", "circles"],
     "--metric log_loss needs probabilities, and hinge's tanh output gives none"),
])
def test_bad_study_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(["--headless", "--no-store", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lossterm: error: {message}") and err.count("\n") == 1


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


def test_split_column_fixes_train_validation_and_test(tmp_path):
    from lossterm.data.own import DataOptions, load_csv, load_csv_split

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] - X[:, 1]
    part = ["train"] * 30 + ["validation"] * 10 + ["test"] * 20
    order = rng.permutation(60)
    lines = ["a,b,part,y"] + [f"{X[i, 0]:.4f},{X[i, 1]:.4f},{part[k]},{y[i]:.4f}"
                              for k, i in enumerate(order)]
    path = tmp_path / "fixed.csv"
    path.write_text("\n".join(lines) + "\n")
    opts = DataOptions(path=str(path), target="y", split_column="part")
    problem, held = load_csv_split(opts)
    assert problem.feature_names == ("a", "b")  # the split column is no feature
    assert len(problem.y_train) == 40 and len(problem.y_test) == 20
    assert list(held) == list(range(30, 40))
    # standardized with the train rows' statistics only
    assert problem.X_train[:30].mean(axis=0) == pytest.approx([0, 0], abs=1e-5)
    assert len(load_csv(opts).y_train) == 40  # without a study, validation rows train
    path.write_text("\n".join(lines[:1] + [line.replace("validation", "dev") for line in lines[1:]]))
    with pytest.raises(UsageError, match="'dev'; each row must say train, validation or test"):
        load_csv_split(opts)


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
    from lossterm.data.split import tuning_view, validation_rows
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


def test_a_tie_that_is_behind_on_every_seed_is_said_to_be_one():
    seeds = range(10)
    best = [0.001] * 10
    wild = [0.01, 0.02, 0.01, 30.0, 0.02, 0.01, 25.0, 0.03, 0.01, 0.02]  # heavy tail
    v = decide("regression", {"mse": dict(zip(seeds, best)), "msle": dict(zip(seeds, wild))},
               "mse", 10)
    assert v.tied_for_best == ["mse", "msle"]  # the t-test cannot tell: p > 0.05
    assert "msle ties only for its spread: it is behind on all 10 seeds (p = " in v.line


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
        service.run_study(service.study_work(options), listener=progress)
    drawn = re.findall(r"(tuning|final) circles: (\d+)/8 runs", capsys.readouterr().err)
    assert ("tuning", "0") in drawn and ("tuning", "8") in drawn  # 2 losses x 2 x 2 rates
    assert drawn.index(("tuning", "0")) < drawn.index(("tuning", "8"))

"""The rules of a fair study, without training it: Holm's adjustment and the tied set by hand,
the verdict's ranking, the learning-rate grid and its extension, the checkpoint, the
validation split and the split column, and the usage errors. Studies that train:
tests/integration/test_study.py."""

import math

import numpy as np
import pytest
from scipy import stats

from lossterm.analysis.stats import holm, tied_for_best
from lossterm.analysis.study import Protocol, default_grid, parse_lr_grid
from lossterm.analysis.study.protocol import extension
from lossterm.analysis.study.tuning import GridPoint, checkpoint_index, choose, edge
from lossterm.analysis.verdict import decide
from lossterm.cli.main import main
from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem
from lossterm.data.split import tuning_view, validation_rows
from lossterm.options import Options
from lossterm.training.plan import plan_runs

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


def test_a_tie_that_is_behind_on_every_seed_is_said_to_be_one():
    seeds = range(10)
    best = [0.001] * 10
    wild = [0.01, 0.02, 0.01, 30.0, 0.02, 0.01, 25.0, 0.03, 0.01, 0.02]  # heavy tail
    v = decide("regression", {"mse": dict(zip(seeds, best)), "msle": dict(zip(seeds, wild))},
               "mse", 10)
    assert v.tied_for_best == ["mse", "msle"]  # the t-test cannot tell: p > 0.05
    assert "msle ties only for its spread: it is behind on all 10 seeds (p = " in v.line

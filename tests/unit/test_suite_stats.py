"""The suite verdict's statistics on fixed score matrices, each against an implementation
that is not lossterm's: Friedman against scipy, the Holm-adjusted Wilcoxon pairs against
scikit-posthocs, and the IQM, its stratified bootstrap interval and the probability of
improvement against rliable's method, written out here from its paper and code (rliable
itself cannot be imported beside pandas 3: it pins arch < 8, and arch 7 fails to import
with pandas 3; arch 8 drops the ``random_state`` argument rliable passes)."""

import math

import numpy as np
import pytest
import scikit_posthocs
from scipy import stats

from lossterm.analysis.study import LossStudy, ProblemStudy, Protocol
from lossterm.analysis.suite import ScoreMatrix, Suite, SuitePair, cliques, friedman, rank_matrix
from lossterm.analysis.suite_scores import iqm_interval, normalise
from lossterm.analysis.suites import judge, matrix_of, suites_of
from lossterm.analysis.verdict import Verdict
from lossterm.report.suite import cd_diagram, suite_json, suite_lines, suites_json

LOSSES = ["a", "b", "c", "d", "e"]


def _matrix(problems=8, runs=5, seed=11, metrics=None, ties=True) -> ScoreMatrix:
    """A fixed suite: loss j's replicates centred on 0.80 + 0.01 j, spread 0.02; with
    ``ties``, d is b's copy on problem 0 (a tied rank and a zero difference) and every
    loss scores the same on problem 1 (a row of ties)."""
    rs = np.random.RandomState(seed)
    metrics = metrics or ["accuracy"] * problems
    figures = []
    for p, metric in enumerate(metrics):
        row = [rs.normal(0.80 + 0.01 * j + 0.004 * (p % 3) * (j % 2), 0.02, runs)
               for j in range(len(LOSSES))]
        if metric == "mse":  # lower is better: turn the figures round
            row = [1.0 - r for r in row]
        if ties and p == 0:
            row[3] = row[1].copy()
        if ties and p == 1:
            row = [np.full(runs, 0.9) for _ in LOSSES]
        figures.append(row)
    return ScoreMatrix([f"p{i}" for i in range(problems)], list(LOSSES), figures,
                       [m != "mse" for m in metrics], list(metrics))


SAME = _matrix()
MIXED = _matrix(metrics=["accuracy", "mse", "accuracy", "mse", "accuracy", "accuracy",
                         "mse", "accuracy"])


def _oriented_means(m: ScoreMatrix) -> np.ndarray:
    """problems x losses mean figures, higher = better, written here again."""
    out = np.array([[np.mean(f) for f in row] for row in m.figures])
    return np.where(np.array(m.higher)[:, None], out, -out)


def _minmax(m: ScoreMatrix) -> list[list[np.ndarray]]:
    """Per problem, min–max over every replicate of every loss; 1 = best (written again)."""
    out = []
    for row, up in zip(m.figures, m.higher):
        low = min(float(np.min(f)) for f in row)
        high = max(float(np.max(f)) for f in row)
        if high == low:
            out.append([np.full(len(f), 0.5) for f in row])
        else:
            out.append([(f - low) / (high - low) if up else (high - f) / (high - low)
                        for f in row])
    return out

# --- ranks and Friedman -------------------------------------------------------------------


def test_ranks_share_the_average_of_tied_places_and_follow_each_problems_direction():
    means = np.array([[0.9, 0.8, 0.8, 0.7],      # accuracy: higher is better
                      [0.1, 0.3, 0.2, 0.2],      # mse: lower is better
                      [0.5, math.nan, 0.6, 0.4]])  # a loss with no figure ranks last
    ranks = rank_matrix(means, [True, False, True])
    assert ranks.tolist() == [[1, 2.5, 2.5, 4], [1, 4, 2.5, 2.5], [2, 4, 1, 3]]


@pytest.mark.parametrize("matrix", [SAME, MIXED], ids=["one metric, ties", "two directions"])
def test_friedman_equals_scipys_friedmanchisquare(matrix):
    fr = friedman(rank_matrix(matrix.means(), matrix.higher))
    reference = stats.friedmanchisquare(*_oriented_means(matrix).T)
    assert fr.chi2 == pytest.approx(reference.statistic, abs=1e-6)
    assert fr.p == pytest.approx(reference.pvalue, abs=1e-6)
    assert (fr.n, fr.k, fr.df) == (8, 5, 4)


def test_the_tie_correction_is_applied_and_moves_the_statistic():
    ranks = rank_matrix(SAME.means(), SAME.higher)
    n, k = ranks.shape
    uncorrected = 12 * n / (k * (k + 1)) * (np.sum(ranks.mean(axis=0) ** 2) - k * (k + 1) ** 2 / 4)
    assert friedman(ranks).chi2 > uncorrected + 0.1  # Demšar's formula, without ties' term


def test_iman_davenport_is_demsars_formula_on_scipys_chi_square():
    chi2 = stats.friedmanchisquare(*_oriented_means(MIXED).T).statistic
    n, k = 8, 5
    f = (n - 1) * chi2 / (n * (k - 1) - chi2)
    fr = friedman(rank_matrix(MIXED.means(), MIXED.higher))
    assert fr.f == pytest.approx(f, abs=1e-6)
    assert fr.f_df == (k - 1, (k - 1) * (n - 1))
    assert fr.f_p == pytest.approx(stats.f.sf(f, k - 1, (k - 1) * (n - 1)), abs=1e-6)

# --- the pairs ------------------------------------------------------------------------------


def _posthoc_reference(scores: np.ndarray):
    return scikit_posthocs.posthoc_wilcoxon([scores[:, j] for j in range(scores.shape[1])],
                                            p_adjust="holm")


def test_pairs_are_scikit_posthocs_holm_adjusted_wilcoxon_on_the_mean_figures():
    suite = judge(SAME, reps=200)
    assert suite.scale == "mean test figure"
    reference = _posthoc_reference(_oriented_means(SAME))
    assert len(suite.pairs) == 10
    for p in suite.pairs:
        i, j = LOSSES.index(p.a) + 1, LOSSES.index(p.b) + 1  # scikit-posthocs counts from 1
        assert p.p_holm == pytest.approx(reference.loc[i, j], abs=1e-6), (p.a, p.b)
    assert [p.p for p in suite.pairs] != [p.p_holm for p in suite.pairs]  # adjusted


def test_with_two_metrics_the_pairs_read_normalised_means_as_scikit_posthocs_does():
    suite = judge(MIXED, reps=200)
    assert suite.scale == "normalised mean"
    scores = np.array([[np.mean(f) for f in row] for row in _minmax(MIXED)])
    reference = _posthoc_reference(scores)
    for p in suite.pairs:
        i, j = LOSSES.index(p.a) + 1, LOSSES.index(p.b) + 1
        assert p.p_holm == pytest.approx(reference.loc[i, j], abs=1e-6), (p.a, p.b)


def test_the_better_ranked_loss_is_a_and_wins_count_from_its_side():
    suite = judge(SAME, reps=200)
    order = suite.ranking
    means = _oriented_means(SAME)
    for p in suite.pairs:
        assert order.index(p.a) < order.index(p.b)
        d = means[:, LOSSES.index(p.a)] - means[:, LOSSES.index(p.b)]
        assert (p.wins, p.losses, p.ties) == ((d > 0).sum(), (d < 0).sum(), (d == 0).sum())


def test_cliques_are_maximal_runs_no_holm_test_separates():
    def pair(a, b, p):
        return SuitePair(a, b, 0, 0, 0, 0.0, p, p)

    pairs = [pair("a", "b", 0.5), pair("a", "c", 0.01), pair("a", "d", 0.01),
             pair("b", "c", 0.3), pair("b", "d", 0.02), pair("c", "d", 0.4)]
    assert cliques(["a", "b", "c", "d"], pairs, 0.05) == [["a", "b"], ["b", "c"], ["c", "d"]]
    apart = [pair(x.a, x.b, 0.001) for x in pairs]
    assert cliques(["a", "b", "c", "d"], apart, 0.05) == []

# --- IQM, its interval, P(A > B): rliable's method, written out here -----------------------


def _trimmed_mean(values: np.ndarray) -> float:
    """rliable's aggregate_iqm: scipy's trim_mean at 25% (cut int(0.25 n) at each end)."""
    v = np.sort(np.ravel(values))
    cut = int(0.25 * v.size)
    return float(v[cut:v.size - cut].mean())


def _rliable_interval_estimates(score_dict: dict, reps: int, seed: int) -> dict:
    """rliable.library.get_interval_estimates(..., method='percentile', task_bootstrap=False)
    with np.random.seed(seed) before it: per key in order, a StratifiedBootstrap that draws
    ``np.random.choice(runs, (runs, tasks))`` from NumPy's global state per resample and
    takes scores[indices, task]; arch's percentile interval at 2.5 and 97.5."""
    np.random.seed(seed)
    out = {}
    for key, scores in score_dict.items():
        runs, tasks = scores.shape
        resampled = []
        for _ in range(reps):
            index = np.random.choice(runs, (runs, tasks), replace=True)
            resampled.append(_trimmed_mean(scores[index, np.arange(tasks)[None, :]]))
        low, high = np.percentile(np.array(resampled), [2.5, 97.5])
        out[key] = (_trimmed_mean(scores), low, high)
    return out


@pytest.mark.parametrize("matrix", [SAME, MIXED], ids=["one metric", "two directions"])
def test_iqm_and_its_interval_follow_rliables_stratified_bootstrap_draw_for_draw(matrix):
    suite = judge(matrix, reps=1500, seed=3)
    normal = _minmax(matrix)
    score_dict = {loss: np.stack([row[j] for row in normal], axis=1)  # runs x problems
                  for j, loss in enumerate(matrix.losses)}
    reference = _rliable_interval_estimates(score_dict, reps=1500, seed=3)
    for loss, (value, low, high) in reference.items():
        iv = suite.iqm[loss]
        assert (iv.value, iv.low, iv.high) == (pytest.approx(value, abs=1e-6),
                                               pytest.approx(low, abs=1e-6),
                                               pytest.approx(high, abs=1e-6)), loss
    assert suite.iqm["a"].low < suite.iqm["a"].value < suite.iqm["a"].high


def test_the_bootstrap_seed_is_the_callers():
    one, two = judge(SAME, reps=300, pair_reps=50, seed=1), judge(SAME, reps=300, pair_reps=50, seed=2)
    assert one.iqm["a"].value == two.iqm["a"].value
    assert (one.iqm["a"].low, one.iqm["a"].high) != (two.iqm["a"].low, two.iqm["a"].high)
    assert judge(SAME, reps=300, pair_reps=50, seed=1).iqm == one.iqm


def test_replicates_are_redrawn_within_each_problem_even_with_unequal_counts():
    # problem 1: replicates 0 and 1; problem 2: three at 0.5. Within each problem, the IQM of
    # a resample (middle 3 of 5) is 1/3, 1/2 or 2/3 with chances 1/4, 1/2, 1/4; drawn from the
    # pooled five it could be 0 or 1 as well.
    iv = iqm_interval([np.array([0.0, 1.0]), np.full(3, 0.5)], reps=4000,
                      rng=np.random.RandomState(0))
    assert iv.value == pytest.approx(0.5)
    assert (iv.low, iv.high) == (pytest.approx(1 / 3), pytest.approx(2 / 3))


def test_normalised_scores_put_the_best_figure_at_one_whatever_the_direction():
    up = normalise([np.array([0.7, 0.9]), np.array([0.8, math.nan])], higher=True)
    down = normalise([np.array([0.7, 0.9]), np.array([0.8, math.nan])], higher=False)
    assert [a.tolist() for a in up] == [pytest.approx([0, 1]), pytest.approx([0.5, 0])]
    assert [a.tolist() for a in down] == [pytest.approx([1, 0]), pytest.approx([0.5, 0])]


def test_probability_of_improvement_is_rliables_mann_whitney_average():
    suite = judge(MIXED, reps=200)
    normal = _minmax(MIXED)
    for (a, b), p in suite.p_improve.items():
        i, j = LOSSES.index(a), LOSSES.index(b)
        per_task = []
        for row in normal:  # rliable.metrics.probability_of_improvement
            x, y = row[i], row[j]
            if np.array_equal(x, y):
                per_task.append(0.5)
            else:
                u = stats.mannwhitneyu(x, y, alternative="greater").statistic
                per_task.append(u / (len(x) * len(y)))
        assert p == pytest.approx(np.mean(per_task), abs=1e-6), (a, b)
    assert suite.p_improve[("a", "e")] == pytest.approx(1 - suite.p_improve[("e", "a")])

def _rliable_improvement(x: np.ndarray, y: np.ndarray) -> float:
    """rliable.metrics.probability_of_improvement (runs x tasks each): per task, the
    Mann–Whitney U of x over y divided by runs_x · runs_y, averaged over tasks (rliable's
    0.5 for a task where x and y are the same array is what U gives there too; one call
    over the tasks' axis keeps the reference's 1 000s of resamples quick)."""
    u = stats.mannwhitneyu(x, y, alternative="greater", axis=0).statistic
    return float(np.mean(u / (x.shape[0] * y.shape[0])))


def _rliable_improvement_intervals(pairs: dict, reps: int, seed: int) -> dict:
    """rliable's get_interval_estimates({pair: [x, y]}, probability_of_improvement) after
    np.random.seed(seed): StratifiedIndependentBootstrap draws, per resample, x's indices
    then y's, each ``np.random.choice(runs, (runs, tasks))``."""
    np.random.seed(seed)
    out = {}
    for key, (x, y) in pairs.items():
        task = np.arange(x.shape[1])[None, :]
        resampled = []
        for _ in range(reps):
            ix = np.random.choice(x.shape[0], x.shape, replace=True)
            iy = np.random.choice(y.shape[0], y.shape, replace=True)
            resampled.append(_rliable_improvement(x[ix, task], y[iy, task]))
        low, high = np.percentile(np.array(resampled), [2.5, 97.5])
        out[key] = (_rliable_improvement(x, y), low, high)
    return out


def _uneven() -> ScoreMatrix:
    """SAME with loss a holding 3 replicates per problem, the others 5."""
    figures = [[f[:3] if j == 0 else f for j, f in enumerate(row)] for row in SAME.figures]
    return ScoreMatrix(SAME.problems, SAME.losses, figures, SAME.higher, SAME.metrics)


@pytest.mark.parametrize("matrix", [MIXED, _uneven()], ids=["two directions", "uneven runs"])
def test_the_improvement_intervals_follow_rliables_independent_bootstrap(matrix):
    suite = judge(matrix, reps=60, pair_reps=60, seed=5)
    normal = _minmax(matrix)
    runs = {loss: np.stack([row[j] for row in normal], axis=1)
            for j, loss in enumerate(matrix.losses)}
    reference = _rliable_improvement_intervals(
        {(p.a, p.b): (runs[p.a], runs[p.b]) for p in suite.pairs}, reps=60, seed=5)
    assert list(suite.p_improve_ci) == list(reference)
    for key, (value, low, high) in reference.items():
        iv = suite.p_improve_ci[key]
        assert (iv.value, iv.low, iv.high) == (pytest.approx(value, abs=1e-6),
                                               pytest.approx(low, abs=1e-6),
                                               pytest.approx(high, abs=1e-6)), key
    data = {(e["a"], e["b"]): e["ci"] for e in suite_json(suite)["p_improve"]}
    a, b = next(iter(reference))
    assert data[(b, a)] == pytest.approx([1 - data[(a, b)][1], 1 - data[(a, b)][0]])

# --- the verdict and its reports ---------------------------------------------------------


def test_the_verdict_line_carries_its_protocol_and_what_few_problems_cannot_show():
    four = ScoreMatrix(SAME.problems[:4], SAME.losses, SAME.figures[:4], SAME.higher[:4],
                       SAME.metrics[:4])
    line = judge(four, reps=200).verdict
    assert line.startswith("over 4 problems (p0, p1, p2, p3), ")
    assert "no Wilcoxon p can fall below 0.125, so no pair can be told apart" in line
    for words in ("ranked on its mean test accuracy per problem", "5 losses shared by all 4",
                  "Friedman test", "Wilcoxon signed-rank over problems, Holm-adjusted",
                  "α = 0.05", "Friedman χ²(4) = "):
        assert words in line, words


def test_losses_tied_on_every_problem_leave_nothing_to_test_and_say_so():
    figures = [[np.full(3, 0.9), np.full(3, 0.9)] for _ in range(3)]
    m = ScoreMatrix(["q0", "q1", "q2"], ["a", "b"], figures, [True] * 3, ["accuracy"] * 3)
    suite = judge(m, reps=100)
    assert math.isnan(suite.friedman.chi2) and suite_json(suite)["friedman"]["chi2"] is None
    assert "every loss ties on every problem: nothing for the Friedman test to test" in \
        suite.verdict
    assert "nan" not in " ".join(suite_lines(suite)) + suite.verdict
    assert suite.pairs[0].p_holm == 1.0 and suite.p_improve[("a", "b")] == 0.5


def test_a_pair_told_apart_is_named_with_its_adjusted_p():
    rs = np.random.RandomState(0)  # b beats a by 0.1 on each of 12 problems
    figures = [[rs.normal(0.7, 0.01, 3), rs.normal(0.8, 0.01, 3)] for _ in range(12)]
    m = ScoreMatrix([f"q{i}" for i in range(12)], ["a", "b"], figures, [True] * 12,
                    ["accuracy"] * 12)
    suite = judge(m, reps=200)
    (pair,) = suite.pairs
    assert (pair.a, pair.b, pair.wins) == ("b", "a", 12)
    assert pair.p_holm < 0.001
    assert suite.tied_for_best == ["b"] and suite.cliques == []
    assert "told apart: b over a (p < 0.001)" in suite.verdict
    assert "puts b ahead of every other loss" in suite.verdict or \
        "put b ahead of every other loss" in suite.verdict


def test_the_json_object_has_the_issues_keys_and_only_numbers_or_null():
    data = suite_json(judge(SAME, reps=200))
    assert set(data) >= {"problems", "ranks", "friedman", "pairs", "iqm", "p_improve",
                         "verdict"}
    assert data["problems"] == SAME.problems
    assert data["ranks"]["average"] == pytest.approx(
        dict(zip(LOSSES, rank_matrix(SAME.means(), SAME.higher).mean(axis=0))))
    assert data["friedman"]["chi2"] == pytest.approx(
        stats.friedmanchisquare(*_oriented_means(SAME).T).statistic)
    assert len(data["p_improve"]) == 20 and len(data["pairs"]) == 10
    assert suites_json([]) == {}


def test_the_cd_diagram_puts_each_loss_at_its_average_rank():
    suite = judge(SAME, reps=200)
    lines = cd_diagram(suite, width=41)  # 10 columns per rank on 5 losses
    assert lines[1].startswith("├") and lines[1].count("┼") == 3
    for line, (loss, rank) in zip(lines[2:], suite.average_ranks.items()):
        assert line.index("●") == round((rank - 1) * 10) and line.endswith(f"  {loss}")
    bars = lines[2 + len(LOSSES):]
    assert len(bars) == len(suite.cliques)
    for bar, clique in zip(bars, suite.cliques):
        assert bar.index("━") == round((suite.average_ranks[clique[0]] - 1) * 10)

# --- which problems and losses form a suite -----------------------------------------------


def _study(problem: str, kind: str, tests: dict[str, list[float]]) -> ProblemStudy:
    losses = [LossStudy(loss, [], None, test=dict(enumerate(values)))
              for loss, values in tests.items()]
    return ProblemStudy(problem, kind, "accuracy", True, Protocol(), "adam", (0.01, 0.1),
                        {}, [], [], losses, Verdict([], [], [], ""), {}, {}, 1)


def test_one_suite_per_kind_over_the_losses_every_problem_has():
    studies = [_study("iris", "multiclass", {"cce": [0.9, 0.8], "hinge": [0.7, 0.6],
                                             "gce": [0.5, 0.6]}),
               _study("circles", "binary", {"bce": [0.9, 0.9], "hinge2": [0.8, 0.7]}),
               _study("wine", "multiclass", {"cce": [0.7, 0.8], "hinge": [0.9, 0.9]}),
               _study("blobs", "multiclass", {"cce": [0.7, 0.8], "hinge": [0.6, 0.9],
                                              "gce": [0.6, 0.6]})]
    (suite,) = suites_of(studies, reps=100)  # circles is the only binary problem: no suite
    assert suite.kind == "multiclass" and suite.matrix.problems == ["iris", "wine", "blobs"]
    assert suite.matrix.losses == ["cce", "hinge"]
    assert suite.left_out == {"gce": ["iris", "blobs"]}
    assert "(1 loss without test figures on every problem left out)" in suite.verdict
    matrix, _ = matrix_of(studies[2:])
    assert matrix.means().ravel().tolist() == pytest.approx([0.75, 0.9, 0.75, 0.75])
    assert suites_of(studies[:1]) == [] and suites_of(studies[:2]) == []


def test_the_json_suite_is_the_kind_with_most_problems():
    def suite(n: int) -> Suite:
        m = ScoreMatrix(SAME.problems[:n], SAME.losses, SAME.figures[:n], SAME.higher[:n],
                        SAME.metrics[:n])
        return judge(m, kind=f"k{n}", reps=100)

    data = suites_json([suite(2), suite(3)])
    assert data["suite"]["kind"] == "k3" and [s["kind"] for s in data["other_suites"]] == ["k2"]

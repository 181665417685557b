"""Sweeps over seeds: paired seeds, the same numbers as single runs, the reports."""

import json

import pytest

import lossterm
from lossterm.analysis.arms import arms, compare
from lossterm.core.errors import UsageError
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig
from lossterm.training.scheduler import expand_seeds, schedule


@pytest.fixture(scope="module")
def circles_sweep():
    configs = expand_seeds(plan_runs(["circles"], ["bce", "hinge"],
                                     RunConfig("", "", seed=4, epochs=6)).runs, 3)
    return configs, schedule(configs, jobs=2)


def test_seed_i_is_the_same_for_every_loss(circles_sweep):
    configs, results = circles_sweep
    by_loss = {}
    for r in results:
        by_loss.setdefault(r.loss, []).append(r.seed)
    assert by_loss == {"binary_crossentropy": [4, 5, 6], "hinge": [4, 5, 6]}
    assert [(r.loss, r.seed) for r in results] == [(c.loss.name, c.seed) for c in configs]


def test_a_sweep_run_equals_the_same_run_alone(circles_sweep):
    """A member of a population of three is the same run as a population of one: the
    same start and shuffles, so the first epoch agrees to 1e-5 and later ones differ
    only by float32 rounding (batched matmuls round differently for other sizes)."""
    import numpy as np

    _, results = circles_sweep
    for r in results:
        alone = lossterm.run(r.problem, r.loss, seed=r.seed, epochs=6)
        assert alone.history.keys() == r.history.keys()
        for key, values in alone.history.items():
            assert values[0] == pytest.approx(r.history[key][0], abs=1e-5), (r.loss, r.seed, key)
            np.testing.assert_allclose(values, r.history[key], atol=1e-4, err_msg=key)


def test_different_seeds_give_different_runs(circles_sweep):
    _, results = circles_sweep
    assert len({tuple(r.history["loss"]) for r in results}) == len(results)


def test_one_thread_and_two_give_the_same_results():
    configs = expand_seeds(plan_runs(["blobs"], ["cce", "kld"],
                                     RunConfig("", "", epochs=3)).runs, 2)
    one, two = schedule(configs, jobs=1), schedule(configs, jobs=2)
    assert [r.history for r in one] == [r.history for r in two]


def test_comparison_ranks_and_tests_the_best(circles_sweep):
    _, results = circles_sweep
    (comparison,) = compare(arms(results))
    assert comparison.problem == "circles" and comparison.higher_is_better
    assert [a.loss for a in comparison.ranking] == comparison.verdict.ranking
    assert len(comparison.verdict.pairs) == 1
    line = comparison.verdict.line  # the one verdict engine's line, the protocol in it
    assert line.startswith("on circles, ") and "not tuned; 3 paired seeds" in line
    # few seeds: a tie says how large a gap they could see, anything else that they are few
    assert ("at 3 replicates (80% power)" in line
            or "fewer than 5 seeds: the tests have little power" in line)


def test_a_sweep_refuses_bad_runs_before_training():
    with pytest.raises(UsageError, match="poisson needs targets"):
        schedule([RunConfig("blobs", "cce", epochs=1), RunConfig("regression", "poisson")])


def test_headless_seeds_report_in_json_text_and_markdown(lossterm_cli):
    # bce against hinge on circles: a difference that is significant after 5 epochs
    # (categorical hinge, the former example, now trains as well as cross-entropy).
    args = ("--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge",
            "--epochs", "5", "--seeds", "5", "--no-tune")
    data = json.loads(lossterm_cli(*args, "--format", "json").stdout)
    assert len(data["runs"]) == 10
    (comparison,) = data["comparisons"]
    assert comparison["best"] == "binary_crossentropy"
    assert comparison["tied_for_best"] == ["binary_crossentropy"]
    (pair,) = comparison["comparisons"]
    assert (pair["a"], pair["b"], pair["n"]) == ("binary_crossentropy", "hinge", 5)
    assert pair["p_holm"] < 0.05 and pair["ci"][0] <= pair["difference"] <= pair["ci"][1]
    assert comparison["verdict"].startswith("on circles, binary_crossentropy is best (every "
                                            "loss at learning rate 0.01, not tuned; ")
    assert "; hinge is " in comparison["verdict"]
    summary = data["summaries"][0]
    assert summary["seeds"] == [0, 1, 2, 3, 4] and summary["diverged"] == 0
    assert len(summary["curves"]["val_accuracy"]["mean"]) == 5
    assert len(summary["curves"]["val_accuracy"]["std"]) == 5
    assert summary["test"]["ci95"][0] <= summary["test"]["mean"] <= summary["test"]["ci95"][1]

    text = lossterm_cli(*args).stdout
    assert "Test 95% CI" in text and "verdict: on circles, binary_crossentropy is best" in text
    assert "circles: every pair (paired t-test over seeds, Holm-adjusted)" in text
    markdown = lossterm_cli(*args, "--format", "markdown").stdout
    assert "| problem | rank | loss | metric | seeds | diverged |" in markdown
    assert "- **verdict:** on circles, binary_crossentropy is best" in markdown
    assert "| a | b | a − b | 95% CI | p | p (Holm) | a better on |" in markdown


def test_one_seed_reports_say_differences_may_be_noise(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "circles", "--epochs", "2")
    assert "one seed per loss: differences may be noise" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["--seeds", "0"], "seeds must be at least 1"),
    (["--jobs", "0"], "jobs must be at least 1"),
])
def test_bad_sweep_options(lossterm_cli, args, message):
    done = lossterm_cli("--headless", *args)
    assert done.returncode == 2 and message in done.stderr


def test_summary_says_how_many_seeds_the_statistics_use():
    from lossterm.report.summary import ranked_arms, summary_row
    from lossterm.training.records import RunResult

    def result(seed, status):
        r = lossterm.run("blobs", "cce", seed=seed, epochs=1)
        r.status = status
        return r

    results: list[RunResult] = [result(0, "done"), result(1, "done"), result(2, "stopped")]
    (rank, arm), = ranked_arms(results)[0]
    assert summary_row(rank, arm)[4] == "2/3"


def test_untuned_comparisons_adjust_every_pair_together_with_holm():
    """The best is chosen on the test means, so the family is every pair, not just the
    best's k - 1: its p-values against the others are read from the all-pairs Holm."""
    from lossterm.analysis.stats import holm, paired_test

    configs = expand_seeds(plan_runs(["regression"], ["mse", "mae", "huber"],
                                     RunConfig("", "", epochs=8)).runs, 5)
    (comparison,) = compare(arms(schedule(configs)))
    ranked = [arm.by_seed() for arm in comparison.ranking]
    seeds = sorted(ranked[0])
    raw = [paired_test([ranked[j][s] for s in seeds], [ranked[i][s] for s in seeds]).p
           for i in range(3) for j in range(i + 1, 3)]  # lower MSE is better
    adjusted = holm(raw)  # pairs (0, 1), (0, 2), (1, 2)
    best = [p for p in comparison.verdict.pairs if p.a == comparison.ranking[0].loss]
    assert [p.p_holm for p in best] == pytest.approx(adjusted[:2])
    assert [p.p_holm for p in comparison.verdict.pairs] == pytest.approx(adjusted)
    assert "Holm-adjusted" in comparison.verdict.line

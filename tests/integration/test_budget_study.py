"""A real study's budget section agrees with the study's own validation figures: its trials
are the rates each replicate trained, scored as the isolation view and the replicate's
choice score them, and its curves, leaders and line follow from those trials by the
estimator written out here a second way (grouped by distinct score: the empirical CDF F,
E[max of n] = sum over distinct u of u (F(u)^n - F(u-)^n))."""

import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from tests.helpers.guard import DEADLOCK_GUARD

COMMAND = ("--headless", "--problem", "iris", "--loss", "cce", "--loss", "gce", "--seeds", "2",
           "--epochs", "3", "--format", "json", "--no-store")


def expected_max(scores: list[float], n: int) -> float:
    """The expected best of n draws with replacement, from the empirical CDF."""
    distinct = sorted(set(scores))
    cdf = [sum(s <= u for s in scores) / len(scores) for u in distinct]
    below = [0.0, *cdf[:-1]]
    return sum(u * (f ** n - b ** n) for u, f, b in zip(distinct, cdf, below))


@pytest.fixture(scope="module")
def iris_study():
    """The brief's short study, run once as a user would: two replicates, 3 epochs."""
    done = subprocess.run([sys.executable, "-m", "lossterm", *COMMAND], capture_output=True,
                          text=True, timeout=DEADLOCK_GUARD, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    (study,) = json.loads(done.stdout)["studies"]
    return study["study"]


def test_the_budget_trials_are_the_study_validation_scores(iris_study):
    budget = iris_study["budget"]
    assert iris_study["protocol"]["higher_is_better"] and iris_study["protocol"]["tune_seeds"] == 1
    grid = iris_study["protocol"]["learning_rate_grid"]
    for loss in iris_study["losses"]:
        reps = budget["trial_scores"][loss["loss"]]
        assert [r["replicate"] for r in reps] == [0, 1]
        by_rate = defaultdict(list)
        for rep in reps:
            rates = [lr for lr, _ in rep["trials"]]
            assert rates[:len(grid)] == grid  # the whole grid, then any extension
            for lr, score in rep["trials"]:
                by_rate[lr].append(score)
        # the isolation view pools the replicates' scores at each rate: their mean
        assert [[lr, pytest.approx(sum(v) / len(v), abs=1e-12)] for lr, v in by_rate.items()
                ] == loss["validation_curve"]
        # each replicate's chosen model is its best trial, at its chosen rate
        for rep, seed in zip(reps, loss["by_seed"]):
            trials = dict(map(tuple, rep["trials"]))
            assert max(trials.values()) == seed["validation"]
            assert trials[seed["learning_rate"]] == seed["validation"]
    assert budget["trials"] == max(len(r["trials"]) for reps in budget["trial_scores"].values()
                                   for r in reps)
    assert budget["failed_trials"] == {loss["loss"]: 0 for loss in iris_study["losses"]}


def test_the_budget_curves_leaders_and_line_follow_from_the_trials(iris_study):
    budget = iris_study["budget"]
    n_all = budget["trials"]
    curves = {}
    for loss, reps in budget["trial_scores"].items():
        per_rep = [[expected_max([s for _, s in r["trials"]], n) for n in range(1, n_all + 1)]
                   for r in reps]
        curves[loss] = [sum(c[n] for c in per_rep) / len(per_rep) for n in range(n_all)]
        assert budget["curves"][loss] == pytest.approx(curves[loss], abs=1e-12)
        assert all(a < b for a, b in zip(curves[loss], curves[loss][1:]))  # rises with n
        # one trial: the mean of each replicate's trials; never above its best trial
        assert curves[loss][0] == pytest.approx(
            sum(sum(s for _, s in r["trials"]) / len(r["trials"]) for r in reps) / len(reps))
        best = [max(s for _, s in r["trials"]) for r in reps]
        assert curves[loss][-1] <= sum(best) / len(best)
    leaders = {str(n): [max(curves, key=lambda loss: curves[loss][n - 1])]
               for n in range(1, n_all + 1)}
    assert budget["leader_by_budget"] == leaders
    changes = leaders["1"] != leaders[str(n_all)] or leaders["3"] != leaders[str(n_all)]
    assert budget["winner_changes"] is changes and budget["small_budgets"] == [1, 3]
    words = "changes" if changes else "does not change"
    assert budget["line"].endswith(f"the winner {words} between small and full budgets")
    full = curves[leaders[str(n_all)][0]][-1]
    assert f"at all {n_all} {leaders[str(n_all)][0]} leads ({full:.3f}" in budget["line"]

"""Budget curves (Dodge et al. 2019): the estimator against brute force, its limits, ties,
trials with no score, the lower-is-better direction, and a study's leaders by budget.

The reference enumerates every one of the N^n ordered draws with replacement (each equally
likely) and averages their best: the definition itself, so exact up to floating-point
summation; 1e-12 is far above the rounding of sums of at most 5^5 terms of order 1, and far
below any error a wrong weight would make (the smallest weight here is 1/5^5 = 3.2e-4).
"""

import itertools
import json

import numpy as np
import pytest

from lossterm.analysis.budget import (
    budget_json,
    budget_of,
    expected_best,
    expected_best_curve,
    replicate_trials,
)
from lossterm.analysis.study import LossStudy, ProblemStudy, Protocol
from lossterm.analysis.study.replicate import Replicate
from lossterm.analysis.study.tuning import GridPoint
from lossterm.analysis.verdict import Verdict
from lossterm.report.study import study_markdown, study_text
from lossterm.report.study_data import study_to_dict

TOL = 1e-12


def brute_force(scores, n, higher=True):
    """The mean over all N^n ordered draws of the best scored trial, over the draws where
    some trial has a score (None: no score)."""
    best = max if higher else min
    outcomes = [best(v for v in draw if v is not None)
                for draw in itertools.product(scores, repeat=n)
                if any(v is not None for v in draw)]
    return sum(outcomes) / len(outcomes)


CASES = [
    [0.3, 0.9, 0.5],
    [0.7, 0.1, 0.4, 0.4, 0.95],  # a tie in the middle
    [2.0, 2.0, 2.0, 1.0],  # a tie at the top
    [0.1, 0.9],
    [5.5],
]


@pytest.mark.parametrize("scores", CASES)
@pytest.mark.parametrize("higher", [True, False])
def test_the_estimator_is_the_mean_best_over_every_draw_with_replacement(scores, higher):
    for n in range(1, 6 if len(scores) <= 4 else 5):
        expected = brute_force(scores, n, higher)
        assert expected_best(scores, n, higher)[0] == pytest.approx(expected, abs=TOL)
    curve = expected_best_curve(scores, 4, higher)
    assert curve == pytest.approx([brute_force(scores, n, higher) for n in range(1, 5)], abs=TOL)


def test_random_scores_against_brute_force_in_both_directions():
    rng = np.random.default_rng(23)
    for _ in range(20):
        scores = list(rng.choice([0.1, 0.25, 0.5, 0.8, 1.0], size=int(rng.integers(2, 6))))
        n = int(rng.integers(1, 5))
        for higher in (True, False):
            assert expected_best(scores, n, higher)[0] == pytest.approx(
                brute_force(scores, n, higher), abs=TOL)


def test_one_trial_is_the_mean_and_many_trials_the_best():
    scores = [0.62, 0.91, 0.15, 0.77, 0.40, 0.88]
    assert expected_best(scores, 1)[0] == pytest.approx(np.mean(scores), abs=TOL)
    assert expected_best(scores, 1, higher=False)[0] == pytest.approx(np.mean(scores), abs=TOL)
    # (5/6)^400 ~ 1e-32: every weight but the best trial's has vanished
    assert expected_best(scores, 400)[0] == pytest.approx(0.91, abs=TOL)
    assert expected_best(scores, 400, higher=False)[0] == pytest.approx(0.15, abs=TOL)
    # at the full budget N the estimate is still short of the best trial
    assert expected_best(scores, len(scores))[0] < 0.91 - 0.01


def test_the_curve_rises_for_higher_is_better_and_falls_for_lower():
    rng = np.random.default_rng(5)
    scores = list(rng.normal(size=9))
    up = expected_best_curve(scores, 30, higher=True)
    down = expected_best_curve(scores, 30, higher=False)
    assert np.all(np.diff(up) > 0) and np.all(np.diff(down) < 0)
    assert up[0] == pytest.approx(down[0], abs=TOL)  # both start at the mean
    # the lower direction is the higher one of the negated scores
    assert down == pytest.approx(-expected_best_curve([-s for s in scores], 30), abs=TOL)


def test_ties_do_not_depend_on_order_and_equal_scores_give_a_flat_curve():
    assert expected_best_curve([0.5] * 4, 6) == pytest.approx([0.5] * 6, abs=TOL)
    a = expected_best_curve([0.2, 0.8, 0.8, 0.4], 5)
    b = expected_best_curve([0.8, 0.4, 0.2, 0.8], 5)
    assert a == pytest.approx(b, abs=TOL)


def test_a_trial_with_no_score_ranks_last_and_the_value_is_conditional_on_a_score():
    scores = [0.6, None, 0.9, None]
    for n in range(1, 6):
        for higher in (True, False):
            assert expected_best(scores, n, higher)[0] == pytest.approx(
                brute_force(scores, n, higher), abs=TOL)
    # one draw: the mean of the scored trials, whatever failed beside them
    assert expected_best(scores, 1)[0] == pytest.approx(0.75, abs=TOL)
    assert expected_best([0.3, float("nan"), 0.5], 2)[0] == pytest.approx(
        brute_force([0.3, None, 0.5], 2), abs=TOL)
    assert np.isnan(expected_best([None, None], [1, 2])).all()


def test_a_budget_below_one_trial_is_refused():
    with pytest.raises(ValueError, match="at least one trial"):
        expected_best([0.1, 0.2], 0)

# --- a study's curves and leaders -----------------------------------------------------------


def _replicate(seed, scores, rates=None):
    rates = rates or [10.0 ** (k - 3) for k in range(len(scores))]
    rep = Replicate(seed, (seed,))
    rep.points = [GridPoint(lr, [s]) for lr, s in zip(rates, scores)]
    rep.chosen = 0
    return rep


def _study(losses: dict[str, list[list[float | None]]], metric="accuracy", higher=True):
    studies = [LossStudy(name, [], None,
                         replicates=[_replicate(i, s) for i, s in enumerate(reps)])
               for name, reps in losses.items()]
    return ProblemStudy("iris", "multiclass", metric, higher, Protocol(), "sgd",
                        (0.001, 0.01, 0.1, 1.0),
                        {"training": 84, "validation": 21, "test": 45}, [0, 1], [0, 1], studies,
                        Verdict([], [], [], ""), {}, {}, 3)


STEADY = [0.8, 0.8, 0.8, 0.8]  # every rate fine
LUCKY = [0.1, 0.1, 0.95, 0.95]  # half the rates work, and better


def test_the_winner_changes_when_a_loss_needs_more_trials_to_find_its_rate():
    budget = budget_of(_study({"steady": [STEADY, STEADY], "lucky": [LUCKY, LUCKY]}))
    assert budget.trials == 4 and budget.small_budgets == [1, 3]
    assert budget.curves["steady"] == pytest.approx([0.8] * 4, abs=TOL)
    # E[max of n] = 0.1 + 0.85 (1 - (1/2)^n)
    assert budget.curves["lucky"] == pytest.approx(
        [0.1 + 0.85 * (1 - 0.5 ** n) for n in range(1, 5)], abs=TOL)
    assert budget.leaders == {1: ["steady"], 2: ["steady"], 3: ["lucky"], 4: ["lucky"]}
    assert budget.winner_changes
    assert budget.line.endswith("the winner changes between small and full budgets")
    assert "at 1 trial steady leads (0.800 vs lucky 0.525)" in budget.line
    assert "at all 4 lucky leads (0.897 vs steady 0.800)" in budget.line


def test_the_winner_holds_when_one_loss_leads_at_every_budget():
    better = [0.2, 0.85, 0.9, 0.95]
    budget = budget_of(_study({"a": [better, better], "b": [LUCKY, LUCKY]}))
    assert not budget.winner_changes and set(map(tuple, budget.leaders.values())) == {("a",)}
    assert budget.line.endswith("the winner does not change between small and full budgets")


def test_lower_is_better_leads_with_the_smallest_expected_error():
    low_mean = [[1.0, 1.0, 1.0, 1.0]]
    spread = [[0.1, 0.1, 5.0, 5.0]]  # mean 2.55, best 0.1
    budget = budget_of(_study({"steady": low_mean, "spread": spread}, "mse", higher=False))
    assert budget.curves["spread"][0] == pytest.approx(2.55, abs=TOL)
    assert budget.curves["spread"][-1] == pytest.approx(5.0 - 4.9 * (1 - 0.5 ** 4), abs=TOL)
    assert budget.leaders[1] == ["steady"] and budget.leaders[4] == ["spread"]
    assert budget.winner_changes and "validation MSE" in budget.line


def test_a_loss_curve_is_the_mean_of_its_replicates_curves_not_one_pool():
    reps = [[0.2, 0.4, 0.6], [0.9, 0.9, 0.3]]
    budget = budget_of(_study({"a": reps, "b": [[0.5] * 3] * 2}))
    mean = np.mean([expected_best_curve(r, 3) for r in reps], axis=0)
    assert budget.curves["a"] == pytest.approx(list(mean), abs=TOL)
    pooled = expected_best_curve(reps[0] + reps[1], 3)
    assert abs(budget.curves["a"][2] - pooled[2]) > 0.01  # the two readings differ here


def test_replicates_with_more_trials_set_the_full_budget_and_failures_are_counted():
    study = _study({"a": [[0.5, 0.7, None], [0.6, 0.8]], "b": [[0.4, 0.4, 0.4, 0.9], [0.5]]})
    budget = budget_of(study)
    assert budget.trials == 4 and budget.failed == {"a": 1, "b": 0}
    assert budget.replicates == {"a": 2, "b": 2}
    a = (expected_best_curve([0.5, 0.7, None], 4) + expected_best_curve([0.6, 0.8], 4)) / 2
    assert budget.curves["a"] == pytest.approx(list(a), abs=TOL)
    assert replicate_trials(study.losses[0])[0][2] == (0.1, None)
    assert budget.line.endswith("; trials with no score (a run did not train to the end; ranked last): a 1 of 5")
    assert "no score" not in budget_of(_study({"a": [LUCKY], "b": [STEADY]})).line


def test_a_replicate_with_no_scored_trial_is_left_out_of_its_loss_mean():
    budget = budget_of(_study({"a": [[0.5, 0.7], [None, None]], "b": [[0.6, 0.6], [0.6, 0.6]]}))
    assert budget.replicates == {"a": 1, "b": 2} and budget.failed == {"a": 2, "b": 0}
    assert budget.curves["a"] == pytest.approx(list(expected_best_curve([0.5, 0.7], 2)),
                                               abs=TOL)
    everything_failed = budget_of(_study({"a": [[None, None]], "b": [[0.6, 0.6]]}))
    assert everything_failed.curves["a"] == [None, None]
    assert everything_failed.leaders == {1: ["b"], 2: ["b"]}


def test_identical_losses_tie_at_every_budget_and_the_line_says_so():
    budget = budget_of(_study({"a": [LUCKY], "b": [list(LUCKY)]}))
    assert all(names == ["a", "b"] for names in budget.leaders.values())
    assert not budget.winner_changes and "a and b tie (0.525)" in budget.line
    three = budget_of(_study({"a": [LUCKY], "b": [LUCKY], "c": [LUCKY], "d": [STEADY]}))
    assert "at 1 trial d leads (0.800 vs a 0.525)" in three.line
    assert "at all 4 a, b and c tie (0.897 vs d 0.800)" in three.line


def test_one_loss_or_one_trial_has_no_budget_to_compare():
    assert budget_of(_study({"a": [LUCKY]})) is None
    assert budget_of(_study({"a": [[0.5]], "b": [[0.7]]})) is None


def test_every_report_form_carries_the_budget():
    study = _study({"steady": [STEADY, STEADY], "lucky": [LUCKY, LUCKY]})
    budget = budget_of(study)
    data = json.loads(json.dumps(study_to_dict(study)))["budget"]
    assert data == json.loads(json.dumps(budget_json(budget)))
    assert data["trials"] == 4 and data["winner_changes"] is True
    assert data["leader_by_budget"]["1"] == ["steady"] and data["line"] == budget.line
    assert data["trial_scores"]["lucky"][1] == {
        "replicate": 1, "trials": [[0.001, 0.1], [0.01, 0.1], [0.1, 0.95], [1.0, 0.95]]}
    assert f"budget: {budget.line}" in study_text([study], width=2000)
    assert f"**Budget:** {budget.line}" in study_markdown([study])


def test_the_shared_protocol_is_one_search_of_the_loss_points():
    shared = LossStudy("a", [GridPoint(0.01, [0.4, 0.6]), GridPoint(0.1, [0.9, None])], 0)
    other = LossStudy("b", [GridPoint(0.01, [0.5, 0.5]), GridPoint(0.1, [0.7, 0.7])], 1)
    study = _study({})
    study.losses = [shared, other]
    budget = budget_of(study)
    assert budget.scores["a"] == [[(0.01, 0.5), (0.1, None)]] and budget.seeds["a"] == [None]
    assert budget.curves["a"] == pytest.approx([0.5, 0.5], abs=TOL)  # the failed rate never wins
    assert budget.curves["b"] == pytest.approx([0.6, 0.65], abs=TOL)

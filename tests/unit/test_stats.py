"""Statistics against scipy on known samples, and the verdicts a person quotes."""

import math
import re

import numpy as np
import pytest
from scipy import stats

from lossterm.analysis.stats import (
    SIGN_TEST,
    curve_stats,
    detectable_difference,
    interval_words,
    paired_test,
    summarize,
    two_modes,
)
from lossterm.analysis.verdict import decide, p_value, p_words

A = [0.852, 0.846, 0.858, 0.840, 0.850, 0.844, 0.856, 0.848, 0.842, 0.854]
B = [0.780, 0.776, 0.790, 0.770, 0.784, 0.772, 0.788, 0.778, 0.769, 0.781]


def test_summary_ci_is_scipys_t_interval():
    s = summarize(A)
    low, high = stats.t.interval(0.95, df=len(A) - 1, loc=np.mean(A), scale=stats.sem(A))
    assert s.n == 10 and s.mean == pytest.approx(np.mean(A))
    assert s.std == pytest.approx(np.std(A, ddof=1))
    assert (s.ci_low, s.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_summary_by_hand_on_a_tiny_sample():
    s = summarize([1.0, 2.0, 3.0])  # mean 2, sd 1, t(0.975, 2) = 4.302653
    assert s.mean == 2 and s.std == 1
    assert s.ci_high - s.mean == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


@pytest.mark.parametrize("values", [
    [1.0, 0.98, 1.0], [1.0, 0.9], [0.332, 0.9, 1.0], [0.0, 0.02], [0.97, 1.0],
    [1.0] * 9 + [0.9], [0.02, 0.0, 0.01, 0.0, 0.0, 0.03, 0.0, 0.0, 0.0, 0.01],
    [0.85, 0.504, 0.86], [1.0, 1.0, 1.0],
])
def test_a_share_interval_never_leaves_zero_to_one(values):
    """At 2, 3 and 10 seeds, near either bound: the t-interval clipped to [0, 1], which
    holds every true mean the t-interval holds (coverage unchanged)."""
    for metric in ("accuracy", "roc_auc", "hamming_loss", "macro_f1"):
        s = summarize(values, metric)
        assert 0.0 <= s.ci_low <= s.mean <= s.ci_high <= 1.0, (metric, s)
        t = summarize(values)  # the plain t-interval
        assert (s.ci_low, s.ci_high) == (max(0.0, t.ci_low), min(1.0, t.ci_high))


def test_an_unbounded_metric_keeps_its_t_interval():
    low, high = stats.t.interval(0.95, df=2, loc=np.mean([0.5, 1.5, 1.2]),
                                 scale=stats.sem([0.5, 1.5, 1.2]))
    for metric in ("mse", "r2", "log_loss", "brier", None):
        s = summarize([0.5, 1.5, 1.2], metric)
        assert (s.ci_low, s.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert summarize([-0.2, 0.4, 0.1], "r2").ci_low < -0.2  # R² has no floor at 0


def test_summaries_say_how_the_interval_was_made():
    assert interval_words("accuracy") == "95% t-interval, within [0, 1] (a share)"
    assert interval_words("mse") == "95% t-interval"


def test_one_value_has_no_spread():
    s = summarize([0.8])
    assert s.mean == 0.8 and math.isnan(s.std) and math.isnan(s.ci_low)


def test_paired_test_is_scipys_ttest_rel():
    t = paired_test(A, B)
    assert t.p == pytest.approx(stats.ttest_rel(A, B).pvalue)
    d = np.subtract(A, B)
    low, high = stats.t.interval(0.95, df=9, loc=d.mean(), scale=stats.sem(d))
    assert t.mean_diff == pytest.approx(d.mean())
    assert (t.ci_low, t.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert not t.identical


def test_identical_runs_are_recognised():
    t = paired_test(A, A)
    assert t.identical and t.mean_diff == 0 and t.p == 1.0


def test_a_constant_difference_gets_an_exact_sign_test_never_p_zero():
    t = paired_test(np.add(B, 0.01), B)  # equal to float rounding on every seed
    assert t.mean_diff == pytest.approx(0.01) and not t.identical and t.method == SIGN_TEST
    assert t.p == pytest.approx(2 * 0.5 ** 10)  # 10 of 10 on one side
    assert paired_test(B[:5], np.add(B[:5], 0.01)).p == pytest.approx(0.0625)


def test_the_detectable_difference_has_80_percent_power():
    """d · sd with d solving the noncentral-t power equation; at 10 pairs d is about 1.0
    (a simulation of 200,000 paired t-tests at d = 0.996 rejected 80.0% of the time)."""
    assert detectable_difference(1.0, 10) == pytest.approx(0.996, abs=1e-3)
    assert detectable_difference(0.02, 10) == pytest.approx(0.02 * 0.996, abs=1e-4)
    for n in (2, 3, 5, 20):
        d = detectable_difference(1.0, n)
        df, nc = n - 1, d * math.sqrt(n)
        critical = stats.t.ppf(0.975, df)
        power = stats.nct.sf(critical, df, nc) + stats.nct.sf(critical, df, -nc)
        assert power == pytest.approx(0.8, abs=1e-6), n
    assert math.isnan(detectable_difference(1.0, 1))


@pytest.mark.parametrize("values, groups", [
    ([0.85, 0.86, 0.504], ((0.504,), (0.85, 0.86))),  # one of three seeds collapsed
    ([0.85, 0.504, 0.86, 0.85, 0.84, 0.504, 0.85, 0.852, 0.848, 0.85], (2, 8)),
    ([0.01, 0.02, 0.01, 30.0, 0.02, 0.01, 25.0, 0.03, 0.01, 0.02], (8, 2)),  # MSE blew up
    ([0.80, 0.81, 0.83], None),  # one group: the gap is no wider than the spread
    ([0.850, 0.850, 0.852], None),  # ties a step apart
    ([0.85, 0.504], None),  # two figures say nothing of groups
    (A, None),
])
def test_two_modes_by_the_stated_rule(values, groups):
    modes = two_modes(values)
    if groups is None:
        assert modes is None
    elif isinstance(groups[0], tuple):
        assert (modes.low, modes.high) == groups
    else:
        assert (len(modes.low), len(modes.high)) == groups


def test_two_modes_rarely_flags_one_normal_group():
    rng = np.random.default_rng(0)
    flagged = sum(two_modes(rng.normal(0.85, 0.02, 10)) is not None for _ in range(2000))
    assert flagged <= 2


def _scores(**figures):
    return {loss: dict(enumerate(values)) for loss, values in figures.items()}


def test_verdict_for_a_clear_difference():
    v = decide("circles", _scores(binary_crossentropy=A, hinge=B), "accuracy")
    assert v.line.startswith("on circles, binary_crossentropy is best (each at its own "
                             "learning rate, chosen on validation; 10 paired seeds; ")
    assert v.line.endswith("; hinge is 7.0 points of accuracy behind (p < 0.001)")


def test_verdict_for_a_null_case():
    noise = [0.003, -0.002, 0.001, -0.004, 0.002, 0.000, -0.001, 0.004, -0.003, 0.001]
    v = decide("circles", _scores(hinge=np.add(A, noise), squared_hinge=A), "accuracy")
    assert v.tied_for_best == ["hinge", "squared_hinge"] and v.pairs[0].p > 0.05
    assert v.line.startswith("on circles, both tie for best: hinge and squared_hinge (")


def test_verdict_for_mse_says_lower_is_better():
    mae = [0.10, 0.11, 0.09, 0.10, 0.12, 0.10, 0.11, 0.09, 0.10, 0.11]
    mse = np.add(mae, [0.004, 0.003, 0.005, 0.002, 0.004, 0.003, 0.004, 0.002, 0.005, 0.002])
    v = decide("regression", _scores(mean_squared_error=mse, mean_absolute_error=mae), "mse")
    assert v.ranking == ["mean_absolute_error", "mean_squared_error"]
    assert v.line.endswith("; mean_squared_error is 0.0034 MSE behind (p < 0.001)")


def test_too_few_seeds_say_the_tests_have_little_power():
    v = decide("circles", _scores(bce=[0.85, 0.86, 0.84], hinge=[0.70, 0.705, 0.69]), "accuracy")
    assert "; hinge is 15.2 points of accuracy behind (p < 0.001)" in v.line
    assert v.line.endswith(" — fewer than 5 seeds: the tests have little power")
    tie = decide("circles", _scores(bce=[0.85, 0.86, 0.84], hinge=[0.86, 0.84, 0.845]),
                 "accuracy")  # a tie says how little, with a number
    assert tie.line.endswith(" at 3 replicates (80% power)") and "fewer than" not in tie.line


def test_bit_identical_losses_are_said_to_be_identical():
    v = decide("blobs", _scores(categorical_crossentropy=A, sparse_categorical_crossentropy=A),
               "accuracy")
    assert v.pairs[0].identical and v.tied_for_best == ["categorical_crossentropy",
                                                        "sparse_categorical_crossentropy"]
    assert v.line.endswith("; sparse_categorical_crossentropy is identical to "
                           "categorical_crossentropy on every seed")
    assert "p = " not in v.line and "nan" not in v.line


def test_a_tie_states_the_gap_the_study_could_have_detected():
    noise = [0.003, -0.002, 0.001, -0.004, 0.002, 0.000, -0.001, 0.004, -0.003, 0.001]
    v = decide("circles", _scores(hinge=np.add(A, noise), squared_hinge=A), "accuracy")
    gap = detectable_difference(np.std(noise, ddof=1), 10)
    assert v.pairs[0].detectable == pytest.approx(gap)
    assert v.line.endswith(f"; squared_hinge tied: the study could detect a gap of about "
                           f"{100 * gap:.1f} points of accuracy at 10 replicates (80% power)")
    three = decide("circles", _scores(a=np.add(A, 0.001), b=np.add(A, noise),
                                      c=np.add(A, 2 * np.array(noise[::-1]))), "accuracy")
    assert three.ranking[0] == "a" and len(three.tied_for_best) == 3
    assert re.search(r"; tied: the study could detect gaps of about \d\.\d–\d\.\d points of "
                     r"accuracy at 10 replicates \(80% power\)$", three.line)


def test_a_constant_difference_is_judged_by_a_sign_test_in_the_line():
    behind = decide("blobs", _scores(a=A, b=np.subtract(A, 0.004)), "accuracy")
    assert behind.line.endswith("; b is 0.4 points of accuracy behind on every seed, by the "
                                "same amount each time (exact sign test, p = 0.002)")
    few = decide("blobs", _scores(a=A[:5], b=np.subtract(A[:5], 0.004)), "accuracy")
    assert few.tied_for_best == ["a", "b"]
    assert "exact sign test over 5 gives p = 0.062: too few to claim it" in few.line


def test_a_loss_whose_seeds_collapsed_is_flagged():
    collapsed = [0.85, 0.504, 0.86, 0.85, 0.84, 0.504, 0.85, 0.852, 0.848, 0.85]
    v = decide("circles", _scores(bce=A, hinge=collapsed), "accuracy")
    assert list(v.modes) == ["hinge"]
    assert v.notes == ["hinge: bimodal — its 10 replicates fall in two groups, 2 at about "
                       "0.504 and 8 at about 0.850 (some seeds collapsed?); its mean "
                       "describes neither"]


def test_one_p_value_format_for_every_report():
    assert [p_value(p) for p in (0.0004, 0.0061, 0.043, 0.61, 1.0, math.nan)] == [
        "< 0.001", "0.006", "0.043", "0.610", "1.000", "—"]
    assert p_words(0.0004) == "p < 0.001" and p_words(0.043) == "p = 0.043"


def test_curve_stats_over_runs_of_different_lengths():
    means, stds, counts = curve_stats([[1.0, 2.0, 3.0], [3.0, 4.0]])
    assert means == [2.0, 3.0, 3.0] and stds == [1.0, 1.0, 0.0] and counts == [2, 2, 1]

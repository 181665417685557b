"""Statistics against scipy on known samples, and the verdicts a person quotes."""

import math

import numpy as np
import pytest
from scipy import stats

from lossterm.engine.stats import curve_stats, paired_test, summarize
from lossterm.engine.verdict import decide, p_value, p_words

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


def test_a_constant_difference_is_certain():
    t = paired_test(np.add(B, 0.01), B)
    assert t.mean_diff == pytest.approx(0.01) and t.p == 0.0 and not t.identical


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
    v = decide("circles", _scores(bce=A[:3], hinge=B[:3]), "accuracy")
    assert v.line.endswith(" — fewer than 5 seeds: the tests have little power")


def test_one_p_value_format_for_every_report():
    assert [p_value(p) for p in (0.0004, 0.0061, 0.043, 0.61, 1.0, math.nan)] == [
        "< 0.001", "0.006", "0.043", "0.610", "1.000", "—"]
    assert p_words(0.0004) == "p < 0.001" and p_words(0.043) == "p = 0.043"


def test_curve_stats_over_runs_of_different_lengths():
    means, stds, counts = curve_stats([[1.0, 2.0, 3.0], [3.0, 4.0]])
    assert means == [2.0, 3.0, 3.0] and stds == [1.0, 1.0, 0.0] and counts == [2, 2, 1]

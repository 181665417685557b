"""Statistics against scipy on known samples, and the verdicts a person quotes."""

import math

import numpy as np
import pytest
from scipy import stats

from lossterm.engine.compare import verdict
from lossterm.engine.stats import PairedTest, curve_stats, paired_test, summarize

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


def test_verdict_for_a_clear_difference():
    text = verdict("binary_crossentropy", "hinge", "circles", "accuracy", paired_test(A, B))
    assert text.startswith("binary_crossentropy beats hinge on circles by 7.0 points of test "
                           "accuracy (95% CI ")
    assert text.endswith("p < 0.001, 10 paired seeds)")


def test_verdict_for_a_null_case():
    noise = [0.003, -0.002, 0.001, -0.004, 0.002, 0.000, -0.001, 0.004, -0.003, 0.001]
    t = paired_test(np.add(A, noise), A)
    text = verdict("hinge", "squared_hinge", "circles", "accuracy", t)
    assert text.startswith("no significant difference between hinge and squared_hinge on "
                           "circles: hinge ahead by 0.0 points of test accuracy (95% CI -0.2 to 0.2, ")
    assert f"p = {t.p:.3f}" in text and t.p > 0.05


def test_verdict_for_mse_says_lower_is_better():
    t = PairedTest(10, 0.0034, 0.0016, 0.0052, 0.002, False)
    text = verdict("mean_absolute_error", "mean_squared_error", "regression", "mse", t)
    assert text == ("mean_absolute_error beats mean_squared_error on regression by 0.0034 test "
                    "MSE (95% CI 0.0016–0.0052, p = 0.002, 10 paired seeds; lower is better)")


def test_too_few_seeds_gives_no_p_value():
    text = verdict("bce", "hinge", "circles", "accuracy", paired_test(A[:3], B[:3]))
    assert "too few paired seeds for a test (3; at least 5 needed" in text
    assert "p =" not in text and "p <" not in text


def test_curve_stats_over_runs_of_different_lengths():
    means, stds, counts = curve_stats([[1.0, 2.0, 3.0], [3.0, 4.0]])
    assert means == [2.0, 3.0, 3.0] and stds == [1.0, 1.0, 0.0] and counts == [2, 2, 1]

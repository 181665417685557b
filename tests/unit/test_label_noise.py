"""Label noise for robustness curves, without training: how labels flip (symmetric, asymmetric,
nested across rates) and which rates are warned of as unlearnable. The sweeps themselves
train: tests/integration/test_noise_sweep.py; the `R` key: tests/tui/test_tui_noise_sweep.py."""

import numpy as np
import pytest

from lossterm.analysis.study.noise import noise_warnings
from lossterm.data.perturb import Perturbation, perturb, unlearnable_warning
from lossterm.data.problems import get_problem

# --- flips ---------------------------------------------------------------------------------


def test_symmetric_noise_never_keeps_the_class_and_flips_an_exact_count():
    clean = get_problem("digits")
    n = len(clean.y_train)
    noisy = perturb(clean, Perturbation(label_noise=0.3, seed=4))
    changed = noisy.y_train != clean.y_train
    assert changed.sum() == round(0.3 * n)  # every flipped row changed class
    assert noisy.name == "digits+noise0.3"
    moved_to = noisy.y_train[changed] - clean.y_train[changed]
    assert set(np.unique(moved_to % 10)) == set(range(1, 10))  # every other class is drawn
    assert np.array_equal(noisy.y_test, clean.y_test) and np.array_equal(noisy.X_test,
                                                                         clean.X_test)
    assert np.array_equal(noisy.X_train, clean.X_train)


def test_asymmetric_noise_moves_each_flipped_class_to_the_next():
    clean = get_problem("digits")
    noisy = perturb(clean, Perturbation(label_noise=0.2, noise_kind="asymmetric"))
    changed = noisy.y_train != clean.y_train
    assert changed.sum() == round(0.2 * len(clean.y_train))
    assert np.array_equal(noisy.y_train[changed], (clean.y_train[changed] + 1) % 10)
    assert noisy.name == "digits+asym-noise0.2"
    assert "to the next class" in noisy.warnings[-1]
    assert np.array_equal(noisy.y_test, clean.y_test)


def test_on_two_classes_both_kinds_swap_the_same_rows():
    clean = get_problem("circles")
    sym = perturb(clean, Perturbation(label_noise=0.25, seed=2))
    asym = perturb(clean, Perturbation(label_noise=0.25, seed=2, noise_kind="asymmetric"))
    assert np.array_equal(sym.y_train, asym.y_train)
    assert np.sum(sym.y_train != clean.y_train) == 125


@pytest.mark.parametrize("kind", ["symmetric", "asymmetric"])
def test_a_lower_rate_flips_a_subset_of_a_higher_rates_rows_the_same_way(kind):
    clean = get_problem("wine")
    low, high = (perturb(clean, Perturbation(label_noise=r, seed=1, noise_kind=kind))
                 for r in (0.2, 0.4))
    flipped_low = low.y_train != clean.y_train
    assert np.all(high.y_train[flipped_low] == low.y_train[flipped_low])
    assert np.sum(high.y_train != clean.y_train) > flipped_low.sum()


def test_unlearnable_rates_are_warned_of_not_refused():
    assert unlearnable_warning(0.5, "symmetric", 2)  # binary: 0.5 is a coin
    assert unlearnable_warning(0.49, "symmetric", 2) is None
    assert unlearnable_warning(0.6, "symmetric", 10) is None  # 0.4 right vs 0.067 each wrong
    assert unlearnable_warning(0.9, "symmetric", 10)  # (K - 1)/K
    assert unlearnable_warning(0.5, "asymmetric", 10)  # i and i+1 equally frequent
    lines = noise_warnings(get_problem("iris"), [0, 0.4, 0.7], "symmetric")
    assert len(lines) == 1 and lines[0].startswith("label noise 0.7 (symmetric, 3 classes)")


# --- sweeps (small: few epochs, two rates, two seeds) ---------------------------------------


# --- the command line -----------------------------------------------------------------------

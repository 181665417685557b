"""The noise-robust losses: references = Keras forms, the papers' formulas by hand,
parameters parsed and applied, stacked (member-axis) inputs (their real training:
tests/integration/test_robust_loss_training.py)."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem
from lossterm.losses import get_loss

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROBUST = ["categorical_generalized_cross_entropy", "symmetric_cross_entropy", "nce_rce",
          "mae_prob", "binary_generalized_cross_entropy", "binary_symmetric_cross_entropy"]
LOG_FLOOR = -math.log(1e-4)  # 9.2103: the reverse cross-entropy's log 0 of a one-hot label


def keras_value(spec, y, p) -> float:
    import keras

    return float(keras.ops.convert_to_numpy(spec.make_keras_loss(dtype="float64")(y, p)))


def draw_inputs(spec, rng, n, k):
    """Labels as the record encodes them and outputs its head can give."""
    if spec.kind == "binary":
        return rng.choice([0.0, 1.0], (n, 1)), 1 / (1 + np.exp(-rng.normal(0, 3, (n, 1))))
    logits = rng.normal(0, 3, (n, k))
    labels = rng.integers(0, k, n)
    y = labels if spec.target_encoding == "integer" else np.eye(k)[labels]
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def with_random_settings(name, draw):
    """The record with each of its parameters drawn from its allowed range."""
    spec = get_loss(name)
    values = {}
    for p in spec.parameters:
        high = p.high if math.isfinite(p.high) else 10.0
        values[p.name] = draw(st.floats(p.low + 0.01, high - 0.01))
    settings_text = ",".join(f"{k}={v!r}" for k, v in values.items())
    return get_loss(f"{name}:{settings_text}") if values else spec


@pytest.mark.parametrize("name", ROBUST)
def test_reference_equals_its_keras_form_at_any_setting(name):
    @SETTINGS
    @given(st.data(), st.integers(1, 9), st.integers(2, 6), st.integers(0, 2**32 - 1))
    def check(data, n, k, seed):
        spec = with_random_settings(name, data.draw)
        y, p = draw_inputs(spec, np.random.default_rng(seed), n, k)
        assert spec.reference.function(y, p) == pytest.approx(keras_value(spec, y, p),
                                                              rel=1e-6, abs=1e-6)

    check()


@SETTINGS
@given(st.floats(0.05, 0.95), st.integers(1, 9), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_gce_is_keras_own_form_wherever_the_clip_does_not_bite(q, n, k, seed):
    """lossterm's GCE is Keras's CategoricalGeneralizedCrossEntropy with p clipped at 1e-7
    first: the same number whenever every true-class probability is at least 1e-7."""
    import keras

    spec = get_loss(f"gce:q={q!r}")
    y, p = draw_inputs(spec, np.random.default_rng(seed), n, k)
    p[np.arange(n), y] = np.maximum(p[np.arange(n), y], 1e-7)
    theirs = keras.losses.CategoricalGeneralizedCrossEntropy(q=q, dtype="float64")
    assert keras_value(spec, y, p) == pytest.approx(float(theirs(y, p)), rel=1e-6, abs=1e-6)


def test_gce_clips_where_keras_form_does_not():
    import keras

    y, p = np.array([0]), np.array([[0.0, 1.0]])
    ours = keras_value(get_loss("gce"), y, p)
    assert ours == pytest.approx((1 - 1e-7**0.7) / 0.7)
    theirs = keras.losses.CategoricalGeneralizedCrossEntropy(q=0.7, dtype="float64")
    assert float(theirs(y, p)) == pytest.approx(1 / 0.7)


P = np.array([[0.7, 0.2, 0.1]])  # the true class is 0
ONE_HOT = np.array([[1.0, 0.0, 0.0]])


@pytest.mark.parametrize("name, y, p, by_hand", [
    # Zhang & Sabuncu: (1 - p_y^q) / q, q = 0.7
    ("gce", np.array([0]), np.array([[0.8, 0.2]]), (1 - 0.8**0.7) / 0.7),  # 0.206589
    ("gce:q=0.5", np.array([1]), np.array([[0.8, 0.2]]), (1 - 0.2**0.5) / 0.5),  # 1.105573
    # Wang et al.: 0.1·(-log 0.7) + 1.0·(-(0.2 + 0.1)·log 1e-4) = 0.035667 + 2.763102
    ("sce", ONE_HOT, P, 2.7987696059867275),
    # Ma et al.: log 0.7 / (log 0.7 + log 0.2 + log 0.1) + 0.3·9.2103 = 0.083556 + 2.763102
    ("nce_rce", ONE_HOT, P, 2.846658022123285),
    ("mae_prob", ONE_HOT, P, 2 - 2 * 0.7),
    ("binary_gce", np.array([[1.0]]), np.array([[0.8]]), (1 - 0.8**0.7) / 0.7),
    ("binary_gce", np.array([[0.0]]), np.array([[0.8]]), 0.9655266866592107),  # p_t = 0.2
    # 0.1·(-log 0.8) + 1.0·(0.2·9.2103)
    ("binary_sce", np.array([[1.0]]), np.array([[0.8]]), 1.8643824295266573),
])
def test_the_papers_formulas_by_hand(name, y, p, by_hand):
    spec = get_loss(name)
    assert spec.reference.function(y, p) == pytest.approx(by_hand, abs=1e-9)
    assert keras_value(spec, y, p) == pytest.approx(by_hand, abs=1e-9)


def test_the_reverse_term_is_9_21_times_the_missing_probability():
    """On one-hot labels, -Σ p·log clip(y, 1e-4) = -log(1e-4)·(1 - p_y), whatever the split
    of the rest among the wrong classes."""
    rce_only = get_loss("sce:alpha=0,beta=1").reference.function
    for p in ([[0.7, 0.2, 0.1]], [[0.7, 0.0, 0.3]], [[0.25, 0.25, 0.5]]):
        assert rce_only(ONE_HOT, np.array(p)) == pytest.approx(LOG_FLOOR * (1 - p[0][0]))
    assert pytest.approx(9.2103, abs=1e-4) == LOG_FLOOR


def test_gce_spans_cross_entropy_and_mae():
    """q → 0 gives -log p_y; q near 1 gives 1 - p_y (half of mae_prob's 2 - 2·p_y)."""
    y, p = np.array([0, 1]), np.array([[0.6, 0.4], [0.1, 0.9]])
    near_ce = get_loss("gce:q=1e-6").reference.function(y, p)
    assert near_ce == pytest.approx(np.mean(-np.log([0.6, 0.9])), rel=1e-5)
    near_mae = get_loss("gce:q=0.999999").reference.function(y, p)
    mae = get_loss("mae_prob").reference.function(np.eye(2)[y], p)
    assert near_mae == pytest.approx(mae / 2, rel=1e-5)


def test_nce_lies_in_0_1():
    nce_only = get_loss("nce_rce:alpha=1,beta=0").reference.function
    rng = np.random.default_rng(0)
    y, p = draw_inputs(get_loss("nce_rce"), rng, 200, 5)
    values = [nce_only(y[i:i + 1], p[i:i + 1]) for i in range(200)]
    assert min(values) > 0 and max(values) <= 1


# --- parameters ---------------------------------------------------------------------------


def test_gce_default_is_the_papers_q_not_keras_default():
    import keras

    y, p = np.array([0, 2, 1]), np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    gce, gce_half = get_loss("gce"), get_loss("gce:q=0.5")
    assert gce.arguments == {"q": 0.7} and gce_half.arguments == {"q": 0.5}
    assert gce.reference.function(y, p) != pytest.approx(gce_half.reference.function(y, p))
    keras_default = keras.losses.CategoricalGeneralizedCrossEntropy(dtype="float64")
    assert keras_default.q == 0.5
    assert keras_value(gce_half, y, p) == pytest.approx(float(keras_default(y, p)), abs=1e-12)
    assert gce_half.reference.function(y, p) == pytest.approx(float(keras_default(y, p)))
    assert gce.make_keras_loss().q == 0.7


def test_settings_show_in_the_name_and_resolve_again():
    spec = get_loss("sce:beta=0.5, alpha=0.2")
    assert spec.name == "symmetric_cross_entropy:alpha=0.2,beta=0.5"  # in the record's order
    assert spec.short_name == "sce:alpha=0.2,beta=0.5"
    assert spec.arguments == {"alpha": 0.2, "beta": 0.5}
    again = get_loss(spec.name)
    assert again.name == spec.name and again.arguments == spec.arguments
    assert get_loss("gce:q=0.7") is get_loss("gce")  # the default is no setting
    assert get_loss("GCE:q=.5").arguments == {"q": 0.5}
    assert get_loss("gce:q=5e-1").arguments == {"q": 0.5}


@pytest.mark.parametrize("name, message", [
    ("gce:q=1", "'gce:q=1': q must be in (0, 1), not 1"),
    ("gce:q=0", "q must be in (0, 1), not 0"),
    ("gce:q=abc", "q must be a number such as 0.7, not 'abc'"),
    ("gce:q=nan", "q must be a number such as 0.7, not 'nan'"),
    ("gce:q=1_0", "not '1_0'"),
    ("gce:q=__import__('os')", "q must be a number"),
    ("gce:k=2", ("unknown parameter 'k'; categorical_generalized_cross_entropy takes q "
                 "(default 0.7)")),
    ("sce:alpha=-1", "alpha must be >= 0, not -1"),
    ("mae_prob:scale=2", "unknown parameter 'scale'; mae_prob takes no parameters"),
    ("bce:q=0.5", "binary_crossentropy takes no parameters"),
    ("gce:", "give parameters after ':' as name=value"),
    ("gce:q", "q must be a number"),
])
def test_bad_settings_are_one_line_usage_errors(name, message):
    with pytest.raises(UsageError) as caught:
        get_loss(name)
    assert message in str(caught.value) and "\n" not in str(caught.value)


# --- the population engine's stacked tensors ------------------------------------------------


@pytest.mark.parametrize("name", ROBUST)
def test_call_reduces_the_last_axis_only(name):
    """The population engines call ``loss.call(y, pred)`` on (P, n, units) tensors and
    expect (P, n): member p's row n must be that sample's own loss."""
    import keras

    spec, rng = get_loss(name), np.random.default_rng(1)
    members = [draw_inputs(spec, rng, 5, 4) for _ in range(3)]
    y = np.stack([m[0] for m in members]).astype("float32")
    p = np.stack([m[1] for m in members]).astype("float32")
    values = keras.ops.convert_to_numpy(spec.make_keras_loss().call(y, p))
    assert values.shape == (3, 5)
    for member in range(3):
        for row in range(5):
            one = spec.reference.function(y[member, row:row + 1], p[member, row:row + 1])
            assert values[member, row] == pytest.approx(one, rel=1e-4, abs=1e-5)


# --- checks ----------------------------------------------------------------------------------


def test_checks_of_the_data():
    from lossterm.data.problems import make_problem
    from lossterm.losses.checks import check

    notes = check(get_loss("gce"), get_problem("digits")).notes
    assert any("10 classes" in n and "learning rate" in n for n in notes)
    assert check(get_loss("gce"), get_problem("blobs")).notes == ()
    blobs = get_problem("blobs")
    soft = np.full((len(blobs.y_all), 3), 1 / 3)
    X = np.concatenate([blobs.X_train, blobs.X_test])
    soft_problem = make_problem("soft", "multiclass", (X - X.mean(0)) / X.std(0), soft,
                                n_train=500, epochs=2, hidden_units=4)
    with pytest.raises(UsageError, match="integer class labels"):
        check(get_loss("gce"), soft_problem)
    (warning,) = check(get_loss("sce"), soft_problem).warnings
    assert "assumes one-hot labels" in warning


# --- training --------------------------------------------------------------------------------

"""Reference implementations = Keras's loss objects = scikit-learn, on random valid inputs;
and every documented difference tested as a difference."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from lossterm.losses import CATALOGUE, get_loss
from lossterm.losses.reference import EPS, cce_textbook

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def numpy_loss(name):
    return get_loss(name).reference.function


def keras_value(name, y, p) -> float:
    import keras

    loss = get_loss(name).make_keras_loss(dtype="float64")
    return float(keras.ops.convert_to_numpy(loss(y, p)))


@st.composite
def valid_inputs(draw, name: str):
    """Targets and predictions a loss is meant for, float64."""
    spec = get_loss(name)
    n = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if spec.kind == "regression":
        if name == "poisson":
            return rng.poisson(3, (n, 1)).astype(float), rng.uniform(0.05, 8, (n, 1))
        scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
        return rng.normal(0, scale, (n, 1)), rng.normal(0, scale, (n, 1))
    if spec.kind == "binary":
        if spec.target_encoding == "{-1,1}":
            return rng.choice([-1.0, 1.0], (n, 1)), np.tanh(rng.normal(0, 2, (n, 1)))
        return rng.choice([0.0, 1.0], (n, 1)), rng.uniform(1e-4, 1 - 1e-4, (n, 1))
    k = draw(st.integers(2, 5))
    logits = rng.normal(0, 2, (n, k))
    labels = rng.integers(0, k, n)
    y = labels if spec.target_encoding == "integer" else np.eye(k)[labels]
    if not spec.head.probabilities:  # categorical hinge: raw scores of either sign
        return y, logits
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


@pytest.mark.parametrize("name", [s.name for s in CATALOGUE])
def test_reference_equals_keras(name):
    @SETTINGS
    @given(valid_inputs(name))
    def check(data):
        y, p = data
        assert numpy_loss(name)(y, p) == pytest.approx(keras_value(name, y, p),
                                                                rel=1e-6, abs=1e-6)

    check()


def test_every_entry_has_a_formula_and_a_reduction():
    for spec in CATALOGUE:
        ref = spec.reference
        assert ref.formula and ref.reduction and (ref.epsilon in (None, EPS))


SKLEARN_SAME = {
    "mean_squared_error": lambda y, p: skm.mean_squared_error(y, p),
    "mean_absolute_error": lambda y, p: skm.mean_absolute_error(y, p),
    "hinge": lambda y, f: skm.hinge_loss(y.ravel(), f.ravel()),
    "binary_crossentropy": lambda y, p: skm.log_loss(y.ravel(), p.ravel(), labels=[0, 1]),
    "categorical_crossentropy": lambda y, p: skm.log_loss(y.argmax(1), p,
                                                          labels=list(range(p.shape[1]))),
    "sparse_categorical_crossentropy": lambda y, p: skm.log_loss(y, p,
                                                                 labels=list(range(p.shape[1]))),
}


@pytest.mark.parametrize("name", list(SKLEARN_SAME))
def test_reference_equals_sklearn(name):
    @SETTINGS
    @given(valid_inputs(name))
    def check(data):
        y, p = data
        classes = y if y.ndim == 1 else (y.argmax(1) if y.shape[1] > 1 else y.ravel())
        assume(len(np.unique(classes)) > 1)  # see the single-class difference below
        if name == "categorical_crossentropy" or name == "sparse_categorical_crossentropy":
            p = p / p.sum(axis=1, keepdims=True)  # rows that sum to 1: see the article test
        assert numpy_loss(name)(y, p) == pytest.approx(SKLEARN_SAME[name](y, p),
                                                                rel=1e-6, abs=1e-9)

    check()


@SETTINGS
@given(valid_inputs("mean_squared_logarithmic_error"))
def test_msle_equals_sklearn_on_non_negative_values(data):
    y, p = np.abs(data[0]), np.abs(data[1]) + EPS
    assert numpy_loss("mean_squared_logarithmic_error")(y, p) == pytest.approx(
        skm.mean_squared_log_error(y, p), rel=1e-6, abs=1e-12)


def test_msle_difference_keras_clamps_negatives_sklearn_refuses():
    y, p = np.array([-2.0, 1.0]), np.array([-1.0, 1.0])
    assert numpy_loss("mean_squared_logarithmic_error")(y, p) == pytest.approx(0.0,
                                                                                        abs=1e-12)
    with pytest.raises(ValueError):
        skm.mean_squared_log_error(y, p)


@SETTINGS
@given(valid_inputs("mean_absolute_percentage_error"))
def test_mape_is_100_times_sklearns_fraction(data):
    y, p = data
    y = np.where(np.abs(y) < 1e-3, 1.0, y)  # away from the two different floors
    assert numpy_loss("mean_absolute_percentage_error")(y, p) == pytest.approx(
        100 * skm.mean_absolute_percentage_error(y, p), rel=1e-6)


@SETTINGS
@given(valid_inputs("poisson"))
def test_poisson_is_half_sklearns_deviance_up_to_a_term_in_y(data):
    y, p = data
    y_log_y = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)
    constant = float(np.mean(y_log_y - y))
    half_deviance = skm.mean_poisson_deviance(y.ravel(), p.ravel()) / 2
    assert numpy_loss("poisson")(y, p) == pytest.approx(half_deviance - constant,
                                                                 rel=1e-5, abs=1e-5)


def test_bce_differs_from_sklearn_only_within_1e7_of_0_or_1():
    y, p = np.array([1.0, 0.0]), np.array([1e-12, 0.5])
    keras_like = numpy_loss("binary_crossentropy")(y, p)
    sklearn = skm.log_loss(y, p, labels=[0, 1])
    assert keras_like == pytest.approx((-math.log(EPS) - math.log(0.5)) / 2)
    assert sklearn == pytest.approx((-math.log(1e-12) - math.log(0.5)) / 2)


def test_hinge_converts_0_1_labels_as_keras_does():
    f = np.array([0.3, -0.8, 0.9])
    assert numpy_loss("hinge")(np.array([1, 0, 1]), f) == pytest.approx(
        numpy_loss("hinge")(np.array([1, -1, 1]), f))
    assert keras_value("hinge", np.array([[1.0], [0.0], [1.0]]), f.reshape(-1, 1)) == pytest.approx(
        numpy_loss("hinge")(np.array([1, -1, 1]), f))


def test_categorical_hinge_differs_from_sklearn_when_wrong_scores_are_negative():
    y, scores = np.array([[1.0, 0.0, 0.0]]), np.array([[0.5, -0.2, -0.4]])
    ref = numpy_loss("categorical_hinge")(y, scores)
    assert ref == pytest.approx(0.5)  # max((1 - y)·ŷ) is 0 here, not -0.2
    sklearn = skm.hinge_loss([0], scores, labels=[0, 1, 2])
    assert sklearn == pytest.approx(0.3)
    positive = np.array([[0.5, 0.3, 0.2]])
    assert numpy_loss("categorical_hinge")(y, positive) == pytest.approx(
        skm.hinge_loss([0], positive, labels=[0, 1, 2]))


def test_kl_clips_targets_and_predictions_to_eps():
    y, p = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    expected = math.log(1 / EPS) + EPS * math.log(EPS / 1.0)
    assert numpy_loss("kl_divergence")(y, p) == pytest.approx(expected)
    assert keras_value("kl_divergence", y, p) == pytest.approx(expected)


def test_the_articles_example_renormalisation_and_the_textbook_formula():
    """The article's commenter: 0.2284 by hand, 0.2602 from scikit-learn of the time.

    Keras renormalises the row that sums to 1.1 (0.2602); scikit-learn 1.9 no longer
    does and warns (0.2284, the plain formula's figure)."""
    actual = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    predicted = [[0.9, 0.05, 0.05], [0.1, 0.8, 0.2], [0.1, 0.2, 0.7]]  # row 2 sums to 1.1
    assert cce_textbook(actual, predicted) == pytest.approx(0.22839300363692153, abs=1e-6)
    reference = numpy_loss("categorical_crossentropy")(actual, predicted)
    assert reference == pytest.approx(0.2601630635716978, abs=1e-6)
    assert keras_value("categorical_crossentropy", np.array(actual),
                       np.array(predicted)) == pytest.approx(reference, abs=1e-9)
    with pytest.warns(UserWarning, match="do not sum to one"):
        sklearn = skm.log_loss([0, 1, 2], predicted)
    assert sklearn == pytest.approx(0.22839300363692153, abs=1e-9)


def test_sklearn_hinge_encodes_a_lone_class_as_minus_one():
    f = np.array([-0.25])
    assert numpy_loss("hinge")(np.array([1.0]), f) == pytest.approx(1.25)
    assert skm.hinge_loss([1], f) == pytest.approx(0.75)

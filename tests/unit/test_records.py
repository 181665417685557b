"""Every loss is one complete record: head, encoding, reference, texts, rules, family.

A record that lacks a piece fails here rather than in whichever screen or
report first asks for it.
"""

import numpy as np
import pytest

from lossterm.core.types import Encoding, Kind
from lossterm.losses import CATALOGUE, HEADS, SCORES, SOFTPLUS, get_loss
from lossterm.losses.reference import EPS
from lossterm.losses.theory import explain, shape
from tests.helpers.heads import outputs

NAMES = [spec.name for spec in CATALOGUE]


def keras_value(spec, y, p) -> float:
    import keras

    loss = spec.make_keras_loss(dtype="float64")
    return float(keras.ops.convert_to_numpy(loss(y, p)))


def targets(spec, rng, n: int, k: int) -> np.ndarray:
    """Targets as the record's encoding spells them."""
    if spec.kind == Kind.REGRESSION:
        return rng.poisson(3, (n, 1)).astype(float) if spec.head is SOFTPLUS else rng.normal(
            0, 2, (n, 1))
    labels = rng.integers(0, k, n)
    return {Encoding.AS_IS: labels.reshape(-1, 1).astype(float),
            Encoding.PLUS_MINUS_ONE: 2.0 * labels.reshape(-1, 1) - 1,
            Encoding.ONE_HOT: np.eye(k)[labels],
            Encoding.INTEGER: labels}[spec.target_encoding]


@pytest.mark.parametrize("name", NAMES)
def test_reference_agrees_with_keras_on_what_the_head_outputs(name):
    spec = get_loss(name)
    rng = np.random.default_rng(len(name))
    k = 2 if spec.kind == Kind.BINARY else 4
    y, p = targets(spec, rng, 16, k), outputs(spec.head, rng, 16, k)
    assert spec.reference.function(y, p) == pytest.approx(keras_value(spec, y, p), rel=1e-6,
                                                          abs=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_every_record_is_complete(name):
    spec = get_loss(name)
    assert spec.head in HEADS and isinstance(spec.target_encoding, Encoding)
    assert isinstance(spec.kind, Kind)
    assert callable(spec.reference.function)
    assert spec.reference.formula and spec.reference.reduction
    assert spec.reference.epsilon in (None, EPS)
    assert bool(spec.reference.sklearn_difference) <= bool(spec.reference.sklearn)
    assert spec.title
    for text in (spec.summary, spec.why, spec.pitfalls, spec.head_reason):
        assert len(text.split()) >= 5, text
    assert isinstance(spec.rules, tuple) and all(callable(rule) for rule in spec.rules)
    assert spec.family and all(get_loss(n).kind == spec.kind for n in spec.family)
    assert spec.head_reason.split(":")[0].split(",")[0] in (spec.head.key, spec.head.activation)


def test_heads_fit_their_kinds():
    for spec in CATALOGUE:
        if spec.kind == Kind.REGRESSION:
            assert not spec.head.decision and spec.output_units(3) == 1
        elif spec.kind == Kind.BINARY:
            assert spec.output_units(2) == 1 and spec.decision in ("p > 0.5", "f > 0")
        else:
            assert spec.output_units(3) == 3 and spec.decision == "argmax"


def test_categorical_hinge_has_linear_scores_not_probabilities():
    spec = get_loss("categorical_hinge")
    assert spec.head is SCORES and spec.output_layer(3) == "3, linear"
    assert not spec.head.probabilities
    assert [s.name for s in CATALOGUE if s.head is SCORES] == ["categorical_hinge"]
    assert "linear scores" in explain("categorical_hinge")


def test_probabilities_are_what_sigmoid_and_softmax_give():
    assert {h.key for h in HEADS if h.probabilities} == {"sigmoid", "softmax"}


def test_the_multiclass_shapes_share_one_margin_axis():
    """At margin 0 (true score = the others), cross-entropy gives log 3 and the hinge 1;
    at margin 1 the hinge is exactly 0, which a softmax output could never reach."""
    x, cce = shape("categorical_crossentropy", points=7)
    _, hinge = shape("categorical_hinge", points=7)
    assert x.tolist() == [-3, -2, -1, 0, 1, 2, 3]
    assert cce[3] == pytest.approx(np.log(3)) and hinge[3] == pytest.approx(1.0)
    assert hinge.tolist() == pytest.approx([4, 3, 2, 1, 0, 0, 0])
    assert np.all(np.diff(cce) < 0)

"""The compare screen's view: built from a real (small) study and from multi-seed runs."""

import pytest

import lossterm
from lossterm.app.compare import from_runs, from_study
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig
from lossterm.training.scheduler import expand_seeds, schedule


@pytest.fixture(scope="module")
def small_study():
    return lossterm.study("circles", ["bce", "hinge"], seeds=3, tune_seeds=1,
                          lr_grid="0.01:0.1:2", epochs=12)


def test_a_study_view_ranks_the_losses_as_the_verdict_does(small_study):
    view = from_study(small_study)
    assert [r.loss for r in view.rows] == small_study.verdict.ranking
    assert view.tied == small_study.verdict.tied_for_best
    assert view.rows[0].p_holm is None and view.rows[0].tied
    assert view.verdict == small_study.verdict.line
    for row in view.rows:
        study = small_study.loss(row.loss)
        assert row.learning_rate == study.chosen_learning_rate
        assert row.mean == pytest.approx(sum(study.test.values()) / len(study.test))


def test_a_study_view_says_its_protocol_and_keeps_the_isolation_curve(small_study):
    view = from_study(small_study)
    assert view.tuned and view.curve_split == "validation"
    assert "chosen on validation" in view.verdict
    assert any("paired replicates, each trains" in line for line in view.protocol)
    assert any("read once" in line for line in view.protocol)
    for loss, points in view.isolation.items():
        rates = [lr for lr, _ in points]
        assert 0.01 in rates and 0.1 in rates  # the grid's points, extension or not
        assert view.chosen[loss] in rates
    assert set(view.matrix) == {"binary_crossentropy", "hinge"}
    assert view.matrix["hinge"]["log_loss"] is None  # a tanh head gives no probability
    assert "not a probability" in view.not_applicable["log_loss"]


def test_multi_seed_runs_get_a_verdict_that_says_they_were_not_tuned():
    jobs = expand_seeds(plan_runs(["circles"], ["bce", "hinge"],
                                  RunConfig("", "", epochs=5)).runs, 3)
    view = from_runs("circles", schedule(jobs))
    assert not view.tuned
    assert "not tuned" in view.verdict and "learning rate 0.01" in view.verdict
    assert "press S" in view.protocol[1]
    assert {r.loss for r in view.rows} == {"binary_crossentropy", "hinge"}
    assert all(band.low[e] <= band.mean[e] <= band.high[e]
               for band in view.curves.values() for e in range(5))


def test_one_loss_is_no_comparison():
    results = schedule([RunConfig("circles", "bce", epochs=2, seed=s) for s in range(2)])
    assert from_runs("circles", results) is None

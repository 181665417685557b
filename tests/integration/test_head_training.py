"""Categorical hinge on its linear-scores head trains as well as cross-entropy (the head's
readings without training: tests/unit/test_heads.py)."""

import statistics

import pytest

from lossterm.training.records import RunConfig

# One loss per classification head, on a problem of its kind.


@pytest.mark.slow
def test_categorical_hinge_on_scores_trains_like_cross_entropy():
    """Blobs, seeds 0-4, the tutorial's settings: with a softmax output categorical hinge
    stalled near 0.55 on most seeds; on linear scores it must match cross-entropy."""
    from lossterm.training.scheduler import schedule

    seeds = range(5)
    configs = [RunConfig(problem="blobs", loss=loss, seed=s)
               for loss in ("categorical_crossentropy", "categorical_hinge") for s in seeds]
    results = schedule(configs, jobs=1)
    cce = [r.test_metric for r in results[:5]]
    hinge = [r.test_metric for r in results[5:]]
    print(f"\ncategorical_crossentropy {cce}\ncategorical_hinge {hinge}")
    assert all(r.status == "done" for r in results)
    assert min(hinge) > 0.75
    assert abs(statistics.mean(hinge) - statistics.mean(cce)) <= 0.03

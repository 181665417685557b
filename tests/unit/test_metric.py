"""The metric registry: one record per metric, and every module reads it."""

import pytest

from lossterm.core.errors import UsageError
from lossterm.core.metric import (
    METRICS,
    checkpoint_metric,
    default_metric,
    epoch_metric_names,
    get_metric,
    higher_is_better,
    is_share,
    metric_names_for,
    metric_title,
)
from lossterm.core.types import Kind
from lossterm.losses import CATALOGUE
from lossterm.metrics.fair import metric_names


def test_every_matrix_metric_has_a_direction_and_a_share_flag():
    lower = {"mse", "rmse", "mae", "median_absolute_error", "hamming_loss", "log_loss",
             "brier", "ece"}
    assert {m for m in METRICS if not higher_is_better(m)} == lower
    shares = {"accuracy", "balanced_accuracy", "f1", "macro_f1", "micro_f1",
              "subset_accuracy", "hamming_loss", "roc_auc", "ece"}
    assert {m for m in METRICS if is_share(m)} == shares  # not R², not multiclass Brier


def test_per_epoch_figures_beyond_the_matrix_are_known_too():
    assert not higher_is_better("loss") and higher_is_better("keras2_accuracy")
    assert higher_is_better("mse[a]") is False and metric_title("mse[a]") == "MSE[a]"
    assert "loss" not in METRICS  # --metric's choices stay the matrix's
    with pytest.raises(UsageError, match="unknown metric 'auc'; choose from mse, "):
        get_metric("auc")


def test_the_default_metric_leads_each_kinds_epoch_logs_and_is_in_its_matrix():
    for kind in Kind:
        assert epoch_metric_names(kind)[0] == default_metric(kind)
        assert default_metric(kind) in metric_names_for(kind)
        assert checkpoint_metric(kind, "no such") == default_metric(kind)
    assert checkpoint_metric("regression", "mae") == "mae"
    assert checkpoint_metric("binary", "roc_auc") == "accuracy"  # not in the epoch logs


def test_every_loss_reads_its_metric_and_epoch_names_from_the_registry():
    for spec in CATALOGUE:
        assert spec.metric == default_metric(spec.kind)
        names = metric_names(spec)
        assert names[:len(epoch_metric_names(spec.kind))] == epoch_metric_names(spec.kind)
        assert all(get_metric(n) for n in names)


def test_a_share_is_written_in_points_and_an_error_in_its_own_unit():
    assert get_metric("accuracy").amount(-0.0183) == "1.8 points of accuracy"
    assert get_metric("mse").amount(0.00341) == "0.00341 MSE"
    assert get_metric("accuracy").text(0.84567) == "0.846"
    assert get_metric("mse").text(0.0123456) == "0.01235"
    assert get_metric("mse").text(float("nan")) == "—"


def test_a_checkpoint_reads_its_direction_from_the_registry():
    from lossterm.losses import get_loss
    from lossterm.training.population.core import Checkpoint

    hinge = get_loss("hinge")  # a tanh head: its logs hold Keras 2's and 3's accuracy
    assert Checkpoint.of("best", "keras2_accuracy", hinge).higher
    assert not Checkpoint.of("best", "loss", hinge).higher
    assert Checkpoint.of("best", None, hinge).key == "val_accuracy"

"""The engine trains real Keras models: every loss, callbacks, stop, divergence, seeds."""

import csv
import math
import threading

import numpy as np
import pytest

import lossterm
from lossterm.data.problems import tutorial_problem_for
from lossterm.losses import CATALOGUE
from lossterm.training.fit import train
from lossterm.training.listener import RunListener
from lossterm.training.records import RunConfig


def _problem_for(spec, counts_problem):
    # Poisson cannot take standardized targets and MAPE diverges on them (the checks
    # say so); both train on positive counts.
    if spec.name in ("poisson", "mean_absolute_percentage_error"):
        return counts_problem
    return tutorial_problem_for(spec.kind)


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.name)
def test_every_catalogue_entry_trains_to_finite_figures(spec, counts_problem):
    result = lossterm.run(_problem_for(spec, counts_problem), spec.name, epochs=3)
    assert result.status == "done", result.message
    assert result.epochs_run == 3
    history = result.history
    for key in ("loss", "val_loss", spec.metric, "val_" + spec.metric):
        assert len(history[key]) == 3 and all(math.isfinite(v) for v in history[key])
    if spec.metric == "accuracy":
        assert 0.0 <= result.test_metric <= 1.0


def test_a_run_learns_something():
    result = lossterm.run("blobs", "cce", epochs=10)
    assert result.history["val_accuracy"][-1] > 0.7  # three classes: chance is a third
    assert result.history["loss"][-1] < result.history["loss"][0]


def test_same_seed_same_history_other_seed_other_history():
    first = lossterm.run("circles", "hinge", seed=5, epochs=4).history
    again = lossterm.run("circles", "hinge", seed=5, epochs=4).history
    other = lossterm.run("circles", "hinge", seed=6, epochs=4).history
    assert first == again
    assert first["loss"] != other["loss"]


def test_records_match_the_keras_style_history():
    result = lossterm.run("regression", "mae", epochs=3)
    record = result.records[-1]
    assert record.epoch == 3 and record.seconds > 0
    assert record.test_metric == result.history["val_mse"][-1]
    assert record.train_loss == result.history["loss"][-1]
    assert set(result.history) >= {"loss", "val_loss", "mse", "val_mse", "rmse", "mae"}


def test_a_trained_hinge_run_is_far_more_accurate_than_keras3_says():
    result = lossterm.run("circles", "hinge", epochs=60)
    history = result.history
    assert result.test_metric > 0.75
    assert history["val_keras3_accuracy"][-1] < 0.55


def test_keras_callbacks_work(tmp_path):
    import keras

    log = tmp_path / "log.csv"
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, round(logs["val_accuracy"], 6)))

        def on_train_end(self, logs=None):
            seen.append("end")

    result = lossterm.run("blobs", "scce", epochs=4,
                          callbacks=[keras.callbacks.CSVLogger(str(log)), Spy()])
    assert seen[0] == "begin" and seen[-1] == "end"
    assert [s[0] for s in seen[1:-1]] == [0, 1, 2, 3]
    assert seen[-2][1] == round(result.test_metric, 6)
    with log.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(rows[0])


def test_early_stopping_honours_model_stop_training():
    import keras

    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    result = lossterm.run("regression", "mse", epochs=50, callbacks=[stopper])
    # Epoch 1 sets the baseline; epoch 2 cannot improve on it by 10, so it stops there.
    assert result.status == "done"
    assert result.epochs_run == 2
    assert "callback stopped training after epoch 2" in result.message


def test_the_stop_event_ends_the_run_at_the_next_epoch():
    stop = threading.Event()

    class AfterSecond(RunListener):
        def epoch_ended(self, index, record):
            if record.epoch == 2:
                stop.set()

    result = lossterm.run("circles", "bce", epochs=50, stop=stop, listener=AfterSecond())
    assert result.status == "stopped"
    assert result.epochs_run == 2


def test_a_diverging_run_is_marked_with_its_epoch():
    result = train(RunConfig("regression", "mse", epochs=20, learning_rate=50.0))
    assert result.status == "diverged"
    assert "at epoch" in result.message
    assert all(math.isfinite(r.train_loss) for r in result.records)
    assert result.epochs_run < 20


def test_overrides_change_the_model_and_loop():
    result = train(RunConfig("blobs", "cce", epochs=2, hidden_units=7, batch_size=100,
                             learning_rate=0.05))
    assert result.status == "done" and result.epochs_run == 2


def test_training_does_not_depend_on_what_ran_before():
    alone = lossterm.run("blobs", "kld", seed=3, epochs=3).history
    lossterm.run("circles", "bce", seed=9, epochs=2)
    after = lossterm.run("blobs", "kld", seed=3, epochs=3).history
    assert np.allclose(alone["val_loss"], after["val_loss"], rtol=0, atol=0)


def test_a_run_ending_astronomically_wrong_counts_as_diverged():
    """MAPE on diabetes' standardised targets (many near zero) trains to the end with every
    value finite, but a test MSE of some 1e10 against a variance of 1: not a result."""
    result = train(RunConfig("diabetes", "mape"))
    assert result.status == "diverged"
    assert "times the target's variance" in result.message
    fine = train(RunConfig("diabetes", "mse", epochs=5))
    assert fine.status == "done"

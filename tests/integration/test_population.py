"""Population training: the same start, steps and numbers as single runs, members independent."""

import threading

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.data.problems import get_problem
from lossterm.losses import get_loss
from lossterm.training.fit import train
from lossterm.training.listener import RunListener
from lossterm.training.model import build_model
from lossterm.training.population import (
    OPTIMIZERS,
    Member,
    Population,
    evaluate_weights,
    train_members,
)
from lossterm.training.population.core import Layout, start_weights
from lossterm.training.records import DIVERGED, DONE, STOPPED, RunConfig


def histories(outcome):
    return [dict(r.logs) for r in outcome.records]


@pytest.mark.parametrize("problem,loss", [("circles", "hinge"), ("blobs", "scce"),
                                          ("regression", "mse")])
def test_start_weights_equal_build_models(problem, loss):
    p, spec = get_problem(problem), get_loss(loss)
    stacks = start_weights(Layout.of(spec, p, None), [3, 11])
    for row, seed in enumerate((3, 11)):
        expected = build_model(spec, p, hidden_units=p.hidden_units, seed=seed).get_weights()
        assert len(expected) == len(stacks)
        for stack, w in zip(stacks, expected):
            np.testing.assert_array_equal(stack[row], w)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_hand_step_equals_the_keras_optimizer(name):
    """Three members with their own rates, three steps on the same gradients as Keras's."""
    from lossterm.runtime.backend import load_keras

    keras = load_keras()
    rule, rng = OPTIMIZERS[name], np.random.default_rng(0)
    hp = rule.hyper()
    rates = np.array([0.001, 0.03, 0.5], np.float32)
    shapes = [(4, 3), (3,)]
    start = [rng.normal(size=(3, *s)).astype(np.float32) for s in shapes]
    grads = [[rng.normal(size=(3, *s)).astype(np.float32) for s in shapes] for _ in range(3)]

    weights, slots = [keras.ops.convert_to_tensor(w) for w in start], rule.init(start)
    lrs = [rates.reshape(-1, *[1] * len(s)) for s in shapes]
    for step, g in enumerate(grads):
        weights, slots = rule.apply(weights, [keras.ops.convert_to_tensor(x) for x in g],
                                    slots, lrs, step, hp)
    for p, lr in enumerate(rates):
        variables = [keras.Variable(w[p]) for w in start]
        optimizer = rule.keras(float(lr))
        for g in grads:
            optimizer.apply([x[p] for x in g], variables)
        for mine, theirs in zip(weights, variables):
            np.testing.assert_allclose(keras.ops.convert_to_numpy(mine)[p], theirs.numpy(),
                                       rtol=0, atol=1e-6)


@pytest.mark.parametrize("problem,loss,epochs", [
    ("regression", "mse", 15), ("circles", "bce", 15), ("circles", "hinge", 15),
    ("blobs", "cce", 15), ("blobs", "scce", 5)])
def test_a_population_of_one_gives_a_single_runs_numbers(problem, loss, epochs):
    config = RunConfig(problem=problem, loss=loss, seed=5, learning_rate=0.02, epochs=epochs)
    single = train(config)
    (outcome,) = train_members(get_problem(problem), get_loss(loss), [Member(5, 0.02)],
                                  epochs=epochs)
    assert outcome.status == DONE and len(outcome.records) == epochs
    first, alone = outcome.records[0].logs, single.records[0].logs
    assert first.keys() == alone.keys()
    for key in alone:
        assert first[key] == pytest.approx(alone[key], abs=1e-5), key
    last, alone_last = outcome.records[-1], single.records[-1]
    assert abs(last.test_loss - alone_last.test_loss) < 1e-4
    assert abs(last.test_metric - alone_last.test_metric) <= 1e-3  # MSE, or one test point


def test_a_member_of_a_mixed_population_equals_it_alone():
    """Bit for bit: a lone member runs beside a copy of itself, so every member takes
    the same kernels whatever else shares its population."""
    problem, spec = get_problem("circles"), get_loss("bce")
    members = [Member(seed, lr) for seed, lr in zip(range(10), np.geomspace(1e-3, 1e-1, 10))]
    population = Population(problem, spec)
    together = population.run(members, epochs=12)
    for index in (0, 6, 9):
        (alone,) = population.run([members[index]], epochs=12)
        assert histories(alone) == histories(together[index])
        for mine, theirs in zip(alone.weights, together[index].weights):
            np.testing.assert_array_equal(mine, theirs)
    assert len({o.records[-1].train_loss for o in together}) == 10


def test_a_diverging_member_is_dropped_and_the_others_are_unchanged():
    problem, spec = get_problem("regression"), get_loss("mse")
    members = [Member(0, 0.01), Member(1, 1e3), Member(2, 0.05)]
    population = Population(problem, spec)
    with_it = population.run(members, epochs=8)
    without = population.run([members[0], members[2]], epochs=8)
    assert with_it[1].status == DIVERGED and with_it[1].records == []
    assert with_it[1].message.startswith("loss became ") and "at epoch 1" in with_it[1].message
    assert with_it[1].weights is None
    for kept, alone in zip((with_it[0], with_it[2]), without):
        assert kept.status == DONE and histories(kept) == histories(alone)
    last_one = population.run([members[1], members[2]], epochs=8)  # one left after epoch 1
    assert last_one[0].status == DIVERGED and histories(last_one[1]) == histories(without[1])
    bad = [Member(seed, 1e3) for seed in (3, 4, 5)]  # most rows go: the program shrinks
    few = population.run([members[0], *bad, members[2]], epochs=8)
    assert [o.status for o in few] == [DONE, DIVERGED, DIVERGED, DIVERGED, DONE]
    assert [histories(o) for o in (few[0], few[4])] == [histories(o) for o in without]


def test_stop_ends_the_population_at_an_epoch_boundary_and_callbacks_see_every_record():
    stop, seen = threading.Event(), []

    class Watching(RunListener):
        def epoch_ended(self, index, record):
            seen.append((index, record))
            if record.epoch == 3 and index == 1:
                stop.set()

    outcomes = train_members(get_problem("blobs"), get_loss("cce"),
                                [Member(0, 0.01), Member(1, 0.02)], epochs=50,
                                stop=stop, listener=Watching())
    for index, outcome in enumerate(outcomes):
        assert outcome.status == STOPPED and outcome.message == "stopped before epoch 4"
        assert [r.epoch for r in outcome.records] == [1, 2, 3]
        assert [r for i, r in seen if i == index] == outcome.records


def test_a_population_is_traced_once_per_size_and_reruns_from_its_seeded_start():
    population = Population(get_problem("circles"), get_loss("hinge"))
    first = population.run([Member(1, 0.01), Member(2, 0.1)], epochs=3)
    population.run([Member(7, 0.01)] * 5, epochs=2)
    again = population.run([Member(1, 0.01), Member(2, 0.1)], epochs=3)
    population.run([Member(3, 0.01)], epochs=1)  # one member runs as two rows
    assert population.engine.traces == 2
    assert [histories(o) for o in first] == [histories(o) for o in again]
    keras_order = [w.shape for w in first[0].weights]
    assert keras_order == [(2, 50), (50,), (50, 1), (1,)]


def test_more_hidden_layers_and_other_optimizers_train():
    problem, spec = get_problem("blobs"), get_loss("cce")
    for optimizer in ("adam", "rmsprop"):
        (outcome,) = train_members(problem, spec, [Member(0, 0.01)], epochs=10,
                                      hidden_units=(16, 8), optimizer=optimizer)
        assert [w.shape for w in outcome.weights] == [(2, 16), (16,), (16, 8), (8,), (8, 3), (3,)]
        assert outcome.records[-1].test_metric > 0.7  # three blobs, well separated mostly


def test_checkpoint_best_keeps_the_weights_of_the_best_validation_epoch():
    problem, spec = get_problem("regression"), get_loss("mse")
    members = [Member(4, 0.1), Member(4, 0.08), Member(0, 0.05)]
    population = Population(problem, spec)
    best = population.run(members, epochs=8, checkpoint="best")
    last = population.run(members, epochs=8)
    for b, ending in zip(best, last):
        assert [r.logs for r in b.records] == [r.logs for r in ending.records]
        figures = [r.logs["val_mse"] for r in b.records]
        assert b.best_epoch == 1 + figures.index(min(figures))  # the earliest of ties
        again = evaluate_weights(problem, spec, b.weights, problem.X_test, problem.y_test)
        chosen = b.records[b.best_epoch - 1].logs
        assert again["mse"] == pytest.approx(chosen["val_mse"], abs=1e-6)
        assert again["loss"] == pytest.approx(chosen["val_loss"], abs=1e-6)
        assert b.status == ending.status == DONE and ending.best_epoch == 8
        at_end = evaluate_weights(problem, spec, ending.weights, problem.X_test, problem.y_test)
        assert at_end["mse"] == pytest.approx(ending.records[-1].logs["val_mse"], abs=1e-6)
    assert any(b.best_epoch < 8 for b in best)  # else the test shows nothing


def test_evaluate_reproduces_an_epochs_validation_logs():
    for problem_name, loss in (("circles", "hinge"), ("blobs", "scce"), ("circles", "bce")):
        problem, spec = get_problem(problem_name), get_loss(loss)
        (outcome,) = train_members(problem, spec, [Member(3, 0.05)], epochs=4,
                                      checkpoint="best", checkpoint_metric="loss")
        logs = outcome.records[outcome.best_epoch - 1].logs
        again = evaluate_weights(problem, spec, outcome.weights, problem.X_test, problem.y_test)
        assert again.keys() == {k[4:] for k in logs if k.startswith("val_")}
        for key, value in again.items():
            assert value == pytest.approx(logs["val_" + key], abs=1e-6), (loss, key)
        (last,) = train_members(problem, spec, [Member(3, 0.05)], epochs=4)
        on_train = evaluate_weights(problem, spec, last.weights, problem.X_train, problem.y_train)
        for key, value in on_train.items():
            assert value == pytest.approx(last.records[-1].logs[key], abs=1e-6), (loss, key)


def test_a_diverged_member_keeps_its_best_finite_weights():
    problem, spec = get_problem("regression"), get_loss("mse")
    epochs, lr = 6, None
    for candidate in (0.15, 0.3, 0.5, 1.0):  # a rate that gives finite epochs, then diverges
        (outcome,) = train_members(problem, spec, [Member(4, candidate)], epochs=epochs,
                                      checkpoint="best")
        if outcome.status == DIVERGED and outcome.records:
            lr = candidate
            break
    assert lr is not None, "no rate diverged after a finite epoch"
    figures = [r.logs["val_mse"] for r in outcome.records]
    assert outcome.best_epoch == 1 + figures.index(min(figures))
    again = evaluate_weights(problem, spec, outcome.weights, problem.X_test, problem.y_test)
    assert again["mse"] == pytest.approx(min(figures), rel=1e-6)
    (plain,) = train_members(problem, spec, [Member(4, lr)], epochs=epochs)
    assert plain.status == DIVERGED and plain.weights is None and plain.best_epoch is None


def test_unknown_checkpoints_are_usage_errors():
    problem, spec = get_problem("circles"), get_loss("bce")
    with pytest.raises(UsageError, match="checkpoint"):
        train_members(problem, spec, [Member(0, 0.01)], epochs=1, checkpoint="first")
    with pytest.raises(UsageError, match="val_mse"):
        train_members(problem, spec, [Member(0, 0.01)], epochs=1, checkpoint="best",
                         checkpoint_metric="mse")


def test_stopped_before_the_first_epoch_members_keep_their_start():
    stop = threading.Event()
    stop.set()
    for checkpoint in ("last", "best"):
        (outcome,) = train_members(get_problem("circles"), get_loss("bce"), [Member(0, 0.01)],
                                      epochs=5, stop=stop, checkpoint=checkpoint)
        assert outcome.status == STOPPED and outcome.records == []
        assert outcome.best_epoch is None

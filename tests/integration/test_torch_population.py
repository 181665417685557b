"""PyTorch's population engine, in its own process (Keras's backend is fixed per process):
what only it has (traced steps, its plain-torch optimizer operations, every loss traced or
not). Divergence, stop, records and the agreement with TensorFlow are held on every
backend alike by ``test_population_conformance.py``.

One subprocess trains everything below with ``KERAS_BACKEND=torch`` and prints
what it found as JSON; each test asserts one property of it. CI installs
PyTorch's CPU build through the ``test`` extra, so these run there.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = r"""
import json, threading
import numpy as np
from lossterm.runtime.backend import load_keras
keras = load_keras()
assert keras.backend.backend() == "torch"
import torch
from lossterm.losses import CATALOGUE, get_loss
from lossterm.training.population import OPTIMIZERS, Member, Population, train_members
from lossterm.training.population.torch import TORCH_OPS
from lossterm.data.problems import get_problem
from lossterm.training.records import RunConfig
from lossterm.training.fit import resolve
from tests.helpers.oracles import Session

out = {}

def histories(o):
    return [dict(r.logs) for r in o.records]

# 1. each hand rule, in the engine's plain torch operations, against Keras's optimizer
rng = np.random.default_rng(0)
rates = np.array([0.001, 0.03, 0.5], np.float32)
shapes = [(4, 3), (3,)]
out["optimizers"] = {}
for name, rule in OPTIMIZERS.items():
    start = [rng.normal(size=(3, *s)).astype(np.float32) for s in shapes]
    grads = [[rng.normal(size=(3, *s)).astype(np.float32) for s in shapes] for _ in range(3)]
    weights = [torch.tensor(w) for w in start]
    slots = tuple([torch.zeros_like(w) for w in weights] for _ in range(rule.slots))
    lrs = [torch.tensor(rates).reshape(-1, *[1] * len(s)) for s in shapes]
    for step, g in enumerate(grads):
        weights, slots = rule.apply(weights, [torch.tensor(x) for x in g], slots, lrs,
                                    torch.tensor(float(step)), rule.hyper(), TORCH_OPS)
    worst = 0.0
    for p, lr in enumerate(rates):
        variables = [keras.Variable(w[p]) for w in start]
        optimizer = rule.keras(float(lr))
        for g in grads:
            optimizer.apply([torch.tensor(x[p]) for x in g], variables)
        for mine, theirs in zip(weights, variables):
            worst = max(worst, float(np.abs(mine[p].numpy() - keras.ops.convert_to_numpy(theirs)).max()))
    out["optimizers"][name] = worst

# 2. a member of a mixed population against the same run alone: the same start and
#    shuffles; float32 rounding may differ in the last bit (PyTorch's vectorized
#    kernels round a tensor's tail elements apart from its body)
problem, spec = get_problem("circles"), get_loss("bce")
members = [Member(seed, float(lr)) for seed, lr in zip(range(10), np.geomspace(1e-3, 1e-1, 10))]
population = Population(problem, spec)
together = population.run(members, epochs=30)
out["alone"] = []
for i in (0, 6, 9):
    (alone,) = population.run([members[i]], epochs=30)
    first, theirs = alone.records[0].logs, together[i].records[0].logs
    out["alone"].append({
        "first": max(abs(first[k] - theirs[k]) for k in theirs),
        "final_metric": abs(alone.records[-1].test_metric - together[i].records[-1].test_metric),
        "final_loss": abs(alone.records[-1].test_loss - together[i].records[-1].test_loss)})
out["distinct_members"] = len({o.records[-1].train_loss for o in together})

# 3. a population of one against Keras's own training of the same model (Session)
out["session"] = {}
for problem_name, loss, epochs in (("regression", "mse", 15), ("circles", "bce", 15),
                                   ("circles", "hinge", 15), ("blobs", "cce", 10)):
    (outcome,) = train_members(get_problem(problem_name), get_loss(loss), [Member(5, 0.02)],
                                  epochs=epochs)
    keras_run = Session(resolve(RunConfig(problem=problem_name, loss=loss, learning_rate=0.02,
                                          epochs=epochs))).run(5)
    first, theirs = outcome.records[0].logs, keras_run.records[0].logs
    out["session"][loss] = {
        "keys_equal": sorted(first) == sorted(theirs),
        "first": max(abs(first[k] - theirs[k]) for k in theirs),
        "final_metric": abs(outcome.records[-1].test_metric - keras_run.records[-1].test_metric),
        "final_loss": abs(outcome.records[-1].test_loss - keras_run.records[-1].test_loss),
    }

# 6. the traced step equals the same step run eagerly: fully traced (bce, scce; hinge,
#    whose Keras code asks whether the labels are 0/1, through both branches and a where),
#    or with the loss eager between two traced programs (categorical GCE: PyTorch's
#    one-hot reads its labels' values)
from keras.src.backend.torch import core
keras_cond = core.cond
out["steps"] = {}
for problem_name, loss in (("circles", "bce"), ("circles", "hinge"), ("blobs", "scce"),
                           ("blobs", "categorical_generalized_cross_entropy")):
    population = Population(get_problem(problem_name), get_loss(loss))
    population.run([Member(0, 0.05), Member(1, 0.05)], epochs=2)
    engine = population.engine
    x_train, y_train = engine._data[:2]
    idx = torch.as_tensor(np.stack([np.random.default_rng(s).permutation(len(x_train))[:32]
                                    for s in (0, 1)]))
    with torch.no_grad():
        eager = engine._step(*engine._state, x_train, y_train, idx)
        program = engine._program("step", engine._step, (*engine._state, x_train, y_train, idx))
        if program is not None:
            traced = program(*engine._state, x_train, y_train, idx)
        else:
            weights = engine._state[:engine._weights]
            pred = engine._forward_rows(*weights, x_train, idx)
            traced = engine._update(*engine._state, x_train, idx,
                                    engine._loss_gradient(y_train[idx], pred))
    out["steps"][get_loss(loss).name] = {"loss_traced": engine.loss_traced,
                          "max_difference": max(float((a - b).abs().max())
                                                for a, b in zip(eager, traced))}
out["keras_cond_restored"] = core.cond is keras_cond

# 6b. whole epochs of the hinge losses: traced, and with the loss run eagerly
out["hinge_epochs"] = {}
for loss in ("hinge", "squared_hinge"):
    runs = []
    for traced in (True, False):
        population = Population(get_problem("circles"), get_loss(loss))
        population.engine.loss_traced = traced
        runs.append(population.run([Member(0, 0.01), Member(1, 0.3)], epochs=5))
    out["hinge_epochs"][loss] = all(histories(a) == histories(b) for a, b in zip(*runs))

# 7. every loss of the catalogue trains, on its problem's kind
kinds = {"regression": "regression", "binary": "circles", "multiclass": "blobs"}
out["catalogue"] = {}
for spec in CATALOGUE:
    if str(spec.kind) not in kinds:
        continue
    population = Population(get_problem(kinds[str(spec.kind)]), spec)
    outcomes = population.run([Member(0, 0.01), Member(1, 0.01)], epochs=3)
    out["catalogue"][spec.name] = {
        "statuses": [o.status for o in outcomes], "loss_traced": population.engine.loss_traced,
        "finite": all(np.isfinite(r.test_loss) for o in outcomes for r in o.records)}

print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def torch_results():
    pytest.importorskip("torch")  # CI installs it (the test extra); say so if it is missing
    env = {**os.environ, "KERAS_BACKEND": "torch",
           "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=False, env=env, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"stderr": done.stderr, **json.loads(done.stdout.strip().splitlines()[-1])}


def test_the_hand_optimizer_steps_equal_keras_on_torch(torch_results):
    assert set(torch_results["optimizers"]) == {"sgd", "adam", "adamw", "rmsprop"}
    for name, worst in torch_results["optimizers"].items():
        assert worst <= 1e-6, name


def test_a_member_of_a_mixed_population_matches_it_alone_on_torch(torch_results):
    for found in torch_results["alone"]:
        assert found["first"] <= 1e-5, found
        assert found["final_loss"] <= 1e-4 and found["final_metric"] <= 2e-3, found  # one point
    assert torch_results["distinct_members"] == 10


def test_a_population_of_one_matches_keras_own_training_on_torch(torch_results):
    for loss, found in torch_results["session"].items():
        assert found["keys_equal"], loss
        assert found["first"] <= 1e-5, (loss, found)
        assert found["final_loss"] <= 1e-4, (loss, found)
        assert found["final_metric"] <= 1e-3, (loss, found)  # MSE, or one test point


def test_traced_steps_equal_eager_steps(torch_results):
    steps = torch_results["steps"]
    for loss in ("binary_crossentropy", "sparse_categorical_crossentropy", "hinge"):
        assert steps[loss]["loss_traced"] is True, loss
    assert steps["categorical_generalized_cross_entropy"]["loss_traced"] is False
    for loss, found in steps.items():
        assert found["max_difference"] == 0.0, loss
    assert torch_results["keras_cond_restored"] is True


def test_hinge_traced_through_its_label_condition_equals_its_eager_loss(torch_results):
    assert torch_results["hinge_epochs"] == {"hinge": True, "squared_hinge": True}


def test_every_catalogue_loss_trains_on_torch(torch_results):
    catalogue = torch_results["catalogue"]
    assert len(catalogue) >= 20
    for name, found in catalogue.items():
        assert found["finite"] and set(found["statuses"]) <= {"done", "diverged"}, name
        assert found["statuses"] != ["diverged", "diverged"] or name.endswith("percentage_error")


def test_the_torch_engine_prints_no_warning(torch_results):
    assert "Warning" not in torch_results["stderr"], torch_results["stderr"][-2000:]

"""One population-engine contract, held on every installed Keras backend.

Each backend's engine (``lossterm/training/population/{tf,jax,torch}.py``) implements
``PopulationEngine``; the loop around it is shared. These tests hold all three to the
same outcomes: records (keys, a member's figures whatever else shares its population),
a lone member (beside a copy of itself), divergence (the one rule: dropped, the others
unchanged, whether one, most or all but one go), stop (at the next epoch, every member),
best-epoch checkpoints, and what a ``RunListener`` hears, in order.

A process holds one Keras backend, so each backend runs every check in one subprocess
(this file, run as a script, prints what it found as JSON) and the tests assert on it;
xdist workers share each backend's JSON through a file, so a backend is launched once.
CI installs all three backends (the ``test`` extra): none is ever skipped.
"""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from lossterm.data.problems import get_problem
from lossterm.losses import get_loss
from lossterm.runtime.backend import installed_backends, load_keras
from lossterm.training.fit import resolve
from lossterm.training.fit import train_population as train_jobs
from lossterm.training.listener import RunListener
from lossterm.training.population import ENGINES, Member, Population, train_members
from lossterm.training.records import RunConfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKENDS = ("tensorflow", "jax", "torch")


# --- what the subprocess measures --------------------------------------------------------

def histories(outcome) -> list[dict]:
    return [dict(r.logs) for r in outcome.records]


def largest(a: list[dict], b: list[dict]) -> float | None:
    """The largest difference between two histories' figures; None when their epochs or
    keys differ (then they are not the same run at all)."""
    if len(a) != len(b) or any(x.keys() != y.keys() for x, y in zip(a, b)):
        return None
    return max((abs(x[k] - y[k]) for x, y in zip(a, b) for k in x), default=0.0)


def same_weights(a, b) -> bool:
    return a is not None and b is not None and all(np.array_equal(x, y) for x, y in zip(a, b))


class Recording(RunListener):
    """Every call, in order, as plain values."""

    def __init__(self, stop_at: tuple[int, int] | None = None, stop=None):
        self.calls: list[list] = []
        self.stop_at, self.stop = stop_at, stop

    def run_started(self, index, job):
        self.calls.append(["run_started", index, job.seed])

    def epoch_ended(self, index, record):
        self.calls.append(["epoch_ended", index, record.epoch])
        if self.stop_at == (index, record.epoch):
            self.stop.set()

    def run_ended(self, index, result):
        self.calls.append(["run_ended", index, result.status])


def main() -> dict:
    backend = load_keras().backend.backend()
    out: dict = {"backend": backend}
    circles, bce = get_problem("circles"), get_loss("bce")
    population = Population(circles, bce)
    out["engine"] = [type(population.engine).__name__, ENGINES[backend].__name__]

    # a lone member runs beside a copy of itself: exactly as in a population of it twice
    member = Member(3, 0.05)
    (alone,) = population.run([member], epochs=6)
    twice = population.run([member, member], epochs=6)
    out["lone"] = {"equal_to_twice": histories(alone) == histories(twice[0])
                   and same_weights(alone.weights, twice[0].weights),
                   "epochs": len(alone.records), "status": alone.status}

    # a member of a mixed population against the same member alone
    members = [Member(seed, float(lr)) for seed, lr in zip(range(6), np.geomspace(1e-3, 1e-1, 6))]
    together = population.run(members, epochs=10)
    out["mixed"] = []
    for i in (0, 3, 5):
        (one,) = population.run([members[i]], epochs=10)
        out["mixed"].append({"first": largest(histories(one)[:1], histories(together[i])[:1]),
                             "all": largest(histories(one), histories(together[i]))})
    out["distinct"] = len({o.records[-1].train_loss for o in together})

    # divergence: the one rule, applied by the shared loop
    regression, mse = get_problem("regression"), get_loss("mse")
    population = Population(regression, mse)
    good, bad = [Member(0, 0.01), Member(2, 0.05)], Member(1, 1e3)
    clean = population.run(good, epochs=8)
    cases = {"one of three": [good[0], bad, good[1]],
             "most of five": [good[0], bad, Member(3, 1e3), Member(4, 1e3), good[1]],
             "all but one": [bad, good[1]]}
    out["divergence"] = {}
    for name, case in cases.items():
        outcomes = population.run(case, epochs=8)
        kept = [o for o, m in zip(outcomes, case) if m in good]
        expected = [o for o, m in zip(clean, good) if m in case]
        out["divergence"][name] = {
            "statuses": [o.status for o in outcomes],
            "messages": [o.message for o in outcomes if o.status == "diverged"],
            "diverged_records": [len(o.records) for o in outcomes if o.status == "diverged"],
            "diverged_weights": [o.weights is None for o in outcomes if o.status == "diverged"],
            "others": [largest(histories(a), histories(b)) for a, b in zip(kept, expected)]}

    # stop: set during epoch 3 ends every member before epoch 4; the listener saw it all
    stop = threading.Event()
    seen = Recording(stop_at=(1, 3), stop=stop)
    stopped = train_members(get_problem("blobs"), get_loss("cce"),
                               [Member(0, 0.01), Member(1, 0.02)], epochs=50, stop=stop,
                               listener=seen)
    out["stop"] = {"outcomes": [[o.status, o.message, [r.epoch for r in o.records]]
                                for o in stopped], "calls": seen.calls}

    # a checkpoint on the best validation epoch keeps that epoch's weights
    population = Population(regression, mse)
    trio = [Member(4, 0.1), Member(4, 0.08), Member(0, 0.05)]
    best = population.run(trio, epochs=8, checkpoint="best")
    out["best"] = []
    for o in best:
        figures = [r.logs["val_mse"] for r in o.records]
        at = int(np.argmin(figures)) + 1
        again = population.run(trio, epochs=at)[trio.index(o.member)]
        out["best"].append({"best_epoch": o.best_epoch, "argmin": at,
                            "weights_of_that_epoch": same_weights(o.weights, again.weights)})

    # the whole chain: jobs -> results, and what a listener hears of them
    jobs = [resolve(RunConfig("circles", "hinge", seed=s, learning_rate=lr, epochs=3))
            for s, lr in ((0, 0.01), (1, 0.1))]
    heard = Recording()
    results = train_jobs(jobs, listener=heard)
    out["jobs"] = {"calls": heard.calls, "statuses": [r.status for r in results],
                   "epochs": [r.epochs_run for r in results],
                   "keys": [sorted(r.records[-1].logs) for r in results]}

    # the seed distribution, for the comparison between backends
    out["seeds"] = {}
    for problem, loss in (("blobs", "cce"), ("regression", "mse")):
        outcomes = train_members(get_problem(problem), get_loss(loss),
                                    [Member(s, 0.01) for s in range(5)], epochs=20)
        out["seeds"][loss] = [o.records[-1].test_metric for o in outcomes]
    return out



# --- the tests -----------------------------------------------------------------------------

def _measure(backend: str, cache) -> dict:
    """``main()`` under ``backend``, in its own process; its JSON kept in ``cache``, a folder
    every xdist worker of this session shares, so that each backend runs once."""
    from filelock import FileLock  # PyTorch's and JAX's dependency; the test extra has it

    path = cache / f"conformance-{backend}.json"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": ROOT,
                   "XDG_CACHE_HOME": str(cache / "xdg")}
            done = subprocess.run([sys.executable, os.path.abspath(__file__)],
                                  capture_output=True, text=True, check=False, env=env,
                                  timeout=900, cwd=ROOT)
            assert done.returncode == 0, done.stderr[-3000:]
            path.write_text(done.stdout.strip().splitlines()[-1])
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory, worker_id):
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session", params=BACKENDS)
def found(request, shared_folder):
    assert request.param in installed_backends()  # the test extra installs all three
    return _measure(request.param, shared_folder)


def test_the_engine_comes_from_the_registry(found):
    assert found["backend"] in BACKENDS
    mine, registered = found["engine"]
    assert mine == registered


def test_a_lone_member_runs_as_a_population_of_it_twice(found):
    assert found["lone"] == {"equal_to_twice": True, "epochs": 6, "status": "done"}


def test_a_members_figures_do_not_depend_on_its_company(found):
    """Bit for bit on TensorFlow (its bias gradient is summed row by row); within float32's
    last bit where JAX's and PyTorch's batched kernels round a stack apart from one model."""
    for difference in found["mixed"]:
        assert difference["all"] is not None and difference["all"] <= 1e-6, difference
        if found["backend"] == "tensorflow":
            assert difference["all"] == 0.0, difference
    assert found["distinct"] == 6


def test_a_diverging_member_is_dropped_and_the_others_go_on(found):
    expected = {"one of three": ["done", "diverged", "done"],
                "most of five": ["done", "diverged", "diverged", "diverged", "done"],
                "all but one": ["diverged", "done"]}
    for case, statuses in expected.items():
        seen = found["divergence"][case]
        assert seen["statuses"] == statuses, case
        for message in seen["messages"]:
            assert message.startswith("loss became ") and message.endswith(" at epoch 1")
        assert set(seen["diverged_records"]) == {0} and all(seen["diverged_weights"])
        for difference in seen["others"]:
            assert difference is not None and difference <= 1e-6, (case, seen)


def test_stop_ends_every_member_at_the_next_epoch_and_the_listener_hears_each(found):
    assert found["stop"]["outcomes"] == [["stopped", "stopped before epoch 4", [1, 2, 3]]] * 2
    heard = [call[1:] for call in found["stop"]["calls"]]
    assert heard == [[i, epoch] for epoch in (1, 2, 3) for i in (0, 1)]


def test_a_best_checkpoint_keeps_the_weights_of_its_best_epoch(found):
    for member in found["best"]:
        assert member["best_epoch"] == member["argmin"], member
        assert member["weights_of_that_epoch"] is True, member
    assert any(member["best_epoch"] < 8 for member in found["best"])  # else it shows nothing


def test_a_listener_hears_each_run_start_its_epochs_and_its_end(found):
    jobs = found["jobs"]
    assert jobs["calls"][:2] == [["run_started", 0, 0], ["run_started", 1, 1]]
    assert jobs["calls"][2:-2] == [["epoch_ended", i, e] for e in (1, 2, 3) for i in (0, 1)]
    assert jobs["calls"][-2:] == [["run_ended", 0, "done"], ["run_ended", 1, "done"]]
    assert jobs["statuses"] == ["done", "done"] and jobs["epochs"] == [3, 3]


def test_jax_keeps_its_compiled_programs_on_disk(shared_folder):
    _measure("jax", shared_folder)
    assert any((shared_folder / "xdg" / "lossterm" / "jax").iterdir())


@pytest.mark.parametrize("other", [b for b in BACKENDS if b != "tensorflow"])
def test_every_backend_matches_tensorflow(other, shared_folder):
    """The same records, the same endings; final figures within seed noise (start weights
    differ between backends: their random generators do)."""
    tf, theirs = _measure("tensorflow", shared_folder), _measure(other, shared_folder)
    assert theirs["jobs"]["keys"] == tf["jobs"]["keys"]
    for key in ("lone", "stop", "jobs"):
        assert theirs[key] == tf[key], key
    assert ({k: v["statuses"] for k, v in theirs["divergence"].items()}
            == {k: v["statuses"] for k, v in tf["divergence"].items()})
    for loss in ("cce", "mse"):
        a, b = tf["seeds"][loss], theirs["seeds"][loss]
        noise = 3 * np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / len(a))
        assert abs(np.mean(a) - np.mean(b)) <= noise + 1e-3, (loss, a, b)


if __name__ == "__main__":
    print(json.dumps(main()))

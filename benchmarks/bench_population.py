"""Population training against one run at a time, per installed backend.

    python benchmarks/bench_population.py [--seeds N] [--skip-session]

Every phase runs in its own fresh process (the Keras backend is fixed per
process, and each phase's peak memory is then its own); seconds exclude the
imports and include tracing or compiling. Phases:

1. ``session``: the nine tutorial experiments x N seeds through today's
   ``Session`` path, one run at a time (TensorFlow only: on JAX that path is
   ``train_on_batch`` per mini-batch, minutes for the nine).
2. ``population``: the same runs, one population of N seeds per experiment.
   Against phase 1: the ratio, and the largest drift of a final test figure.
3. ``study``: the 148-run shape of a fair comparison on circles: 4 losses x
   (9 learning rates log-spaced 1e-3..1e-1 x 3 seeds + 10 seeds at 0.01),
   200 epochs, one population of 37 per loss; the 108 tuning runs timed alone too.
4. ``numpy``: a floor for phase 3's arithmetic: batched NumPy forward and
   backward passes (sigmoid + cross-entropy, SGD with momentum) of the same
   shapes, with none of a framework's dispatch. A lower-bound proxy, not a rival.

The machine may be shared: compare ratios within one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NINE = [("regression", "mse"), ("regression", "msle"), ("regression", "mae"),
        ("circles", "bce"), ("circles", "hinge"), ("circles", "squared_hinge"),
        ("blobs", "cce"), ("blobs", "scce"), ("blobs", "kld")]
STUDY_LOSSES = ("bce", "hinge", "squared_hinge", "binary_focal_crossentropy")


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def study_members():
    """9 rates x 3 tuning seeds (108 runs over 4 losses), then 10 final seeds at 0.01."""
    import numpy as np

    from lossterm.engine.population import Member

    tuning = [Member(seed, float(lr)) for lr in np.geomspace(1e-3, 1e-1, 9) for seed in range(3)]
    return tuning, [Member(100 + seed, 0.01) for seed in range(10)]


def phase_session(seeds: int) -> dict:
    from lossterm.engine.records import RunConfig
    from lossterm.engine.training import Session, resolve

    finals, start = {}, time.perf_counter()
    for problem, loss in NINE:
        config, p, spec = resolve(RunConfig(problem=problem, loss=loss))
        session = Session(config, p, spec)
        finals[f"{problem}/{loss}"] = [session.run(s).test_metric for s in range(seeds)]
    return {"seconds": time.perf_counter() - start, "finals": finals}


def phase_population(seeds: int) -> dict:
    from lossterm.engine.losses import get_loss
    from lossterm.engine.population import Member, train_population
    from lossterm.engine.problems import get_problem

    finals, start = {}, time.perf_counter()
    for problem, loss in NINE:
        p = get_problem(problem)
        outcomes = train_population(p, get_loss(loss), [Member(s, 0.01) for s in range(seeds)],
                                    epochs=p.epochs)
        finals[f"{problem}/{loss}"] = [o.records[-1].test_metric for o in outcomes]
    return {"seconds": time.perf_counter() - start, "finals": finals}


def phase_study(_seeds: int) -> dict:
    from lossterm.engine.losses import get_loss
    from lossterm.engine.population import Population
    from lossterm.engine.problems import get_problem

    tuning, final = study_members()
    problem = get_problem("circles")
    populations = [Population(problem, get_loss(loss)) for loss in STUDY_LOSSES]
    start = time.perf_counter()
    for population in populations:
        population.run(tuning, epochs=200)
    tuning_seconds = time.perf_counter() - start
    start = time.perf_counter()
    runs = 0
    for population in populations:
        runs += len(population.run(tuning + final, epochs=200))
    return {"seconds": time.perf_counter() - start, "tuning_seconds": tuning_seconds,
            "runs": runs}


def phase_numpy(_seeds: int) -> dict:
    """Phase 3's shapes in batched NumPy: 4 populations of 37 models, 200 epochs."""
    import numpy as np

    from lossterm.engine.problems import get_problem

    p = get_problem("circles")
    x, y = p.X_train.astype(np.float32), p.y_train.astype(np.float32)[:, None]
    n_models, hidden, n = 37, p.hidden_units, len(x)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in STUDY_LOSSES:
        w1 = rng.uniform(-1, 1, (n_models, 2, hidden)).astype(np.float32)
        w2 = rng.uniform(-0.3, 0.3, (n_models, hidden, 1)).astype(np.float32)
        b1, b2 = np.zeros((n_models, 1, hidden), np.float32), np.zeros((n_models, 1, 1), np.float32)
        params = [w1, b1, w2, b2]
        velocity = [np.zeros_like(w) for w in params]
        for _epoch in range(200):
            perm = np.stack([rng.permutation(n) for _ in range(n_models)])
            for s in range(0, n, 32):
                idx = perm[:, s:s + 32]
                grads = _numpy_grads(params, x[idx], y[idx])
                for v, w, g in zip(velocity, params, grads):
                    v *= 0.9
                    v -= 0.01 * g
                    w += v
            _numpy_forward(params, x)  # the per-epoch predictions
    return {"seconds": time.perf_counter() - start}


def _numpy_forward(params, x):
    import numpy as np

    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0)
    return h, 1 / (1 + np.exp(-(h @ w2 + b2)))


def _numpy_grads(params, xb, yb):
    import numpy as np

    w1, b1, w2, b2 = params
    h, prob = _numpy_forward(params, xb)
    dz = (prob - yb) / xb.shape[1]  # sigmoid + cross-entropy
    dw2, db2 = h.transpose(0, 2, 1) @ dz, dz.sum(1, keepdims=True)
    dh = (dz @ w2.transpose(0, 2, 1)) * (h > 0)
    return [xb.transpose(0, 2, 1) @ dh, dh.sum(1, keepdims=True), dw2, db2]


PHASES = {"session": phase_session, "population": phase_population,
          "study": phase_study, "numpy": phase_numpy}


def worker(phase: str, seeds: int) -> None:
    if phase != "numpy":
        from lossterm.engine.backend import load_keras

        load_keras()
    result = PHASES[phase](seeds)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def spawn(phase: str, backend: str, seeds: int) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, __file__, "--worker", phase, "--seeds", str(seeds)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{phase} on {backend} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def largest_drift(a: dict, b: dict) -> tuple[float, str]:
    """The largest difference of a final test figure between two sets of runs."""
    pairs = [(abs(x - y), f"{key} seed {i}") for key in a
             for i, (x, y) in enumerate(zip(a[key], b[key]))]
    return max(pairs)


def report(backend: str, seeds: int, skip_session: bool) -> None:
    print(f"\n== {backend} ==")
    runs = 9 * seeds
    pop = spawn("population", backend, seeds)
    print(f"population, nine x {seeds} ({runs} runs): {pop['seconds']:.1f} s, "
          f"peak {pop['peak_mb']:.0f} MB")
    if backend == "tensorflow" and not skip_session:
        ses = spawn("session", backend, seeds)
        print(f"Session one at a time, same runs: {ses['seconds']:.1f} s, "
              f"peak {ses['peak_mb']:.0f} MB")
        print(f"  population is {ses['seconds'] / pop['seconds']:.1f}x faster")
        drift, where = largest_drift(pop["finals"], ses["finals"])
        print(f"  largest final test-figure drift population vs Session: {drift:.2e} ({where})")
        for key in pop["finals"]:
            d = max(abs(x - y) for x, y in zip(pop["finals"][key], ses["finals"][key]))
            print(f"    {key:<26} {d:.2e}")
    study = spawn("study", backend, seeds)
    print(f"study shape, circles: 108 tuning runs {study['tuning_seconds']:.1f} s "
          f"(target <= 10 s on TF); all {study['runs']} runs {study['seconds']:.1f} s, "
          f"peak {study['peak_mb']:.0f} MB")
    return study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--skip-session", action="store_true")
    parser.add_argument("--worker", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.seeds)

    from lossterm.engine.backend import installed_backends

    backends = [b for b in ("tensorflow", "jax") if b in installed_backends()]
    skipped = [b for b in installed_backends() if b not in backends] + (
        [] if "torch" in installed_backends() else ["torch (not installed)"])
    print(f"backends: {', '.join(backends)}; no population engine: {', '.join(skipped)}")
    studies = {b: report(b, args.seeds, args.skip_session) for b in backends}
    floor = spawn("numpy", "tensorflow", args.seeds)
    print(f"\nNumPy floor for the study's 148 runs (batched, same shapes): "
          f"{floor['seconds']:.1f} s, peak {floor['peak_mb']:.0f} MB")
    for backend, study in studies.items():
        print(f"  {backend} study / NumPy floor: {study['seconds'] / floor['seconds']:.2f}")


if __name__ == "__main__":
    main()

"""Population training against one run at a time, per installed backend, in one run.

    python benchmarks/bench_population.py [--seeds N] [--skip-session] [--skip-cli]

Every phase runs in its own fresh process (the Keras backend is fixed per
process, and each phase's peak memory is then its own); seconds exclude the
imports and include tracing or compiling (the JAX compilation cache is a
fresh directory for the "cold" phase and the user's, warmed by it, after).
Phases, per backend (tensorflow, jax, torch where installed):

1. ``population``: the nine tutorial experiments x N seeds, one population of
   N per experiment, one after the other; then the same on two threads (two
   populations at a time, as the sweep runs them).
2. ``alone``: the same runs one at a time, each a population of one, one
   compiled program per experiment reused across seeds (the shape of the old
   ``Session`` path, through today's kernels). Against phase 1: the ratio,
   and the largest difference of any final test figure (0 means bit-identical).
3. ``session`` (``Session`` in ``tests/helpers/oracles/``): the old
   one-run-at-a-time engine, for the ratio against what it replaced: with
   TensorFlow one traced graph per run (the nine x N); with JAX and PyTorch
   Keras's own train step per mini-batch, so slow that it is timed on the
   nine x 1 against the population's nine x 1.
4. ``study``: the 148-run shape of a fair comparison on circles: 4 losses x
   (9 learning rates log-spaced 1e-3..1e-1 x 3 seeds + 10 seeds at 0.01),
   200 epochs, one population of 37 per loss; the 108 tuning runs timed alone.
5. ``cli``: ``lossterm --headless --no-tune --seeds 1`` and ``--seeds N`` as a person
   runs them: a fresh process, imports included (wall seconds).

Then a NumPy floor for phase 4's arithmetic: batched forward and backward
passes (sigmoid + cross-entropy, SGD with momentum) of the same shapes, with
none of a framework's dispatch. A lower-bound proxy, not a rival.

The machine may be shared: compare ratios within one run, not seconds across
runs; CPU seconds are printed beside wall seconds because they move less when
other processes take the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NINE = [("regression", "mse"), ("regression", "msle"), ("regression", "mae"),
        ("circles", "bce"), ("circles", "hinge"), ("circles", "squared_hinge"),
        ("blobs", "cce"), ("blobs", "scce"), ("blobs", "kld")]
STUDY_LOSSES = ("bce", "hinge", "squared_hinge", "binary_focal_crossentropy")


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds of a block (CPU: every thread of this process)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def figures(self, **more) -> dict:
        return {"seconds": self.wall, "cpu": self.cpu, **more}


def study_members():
    """9 rates x 3 tuning seeds (108 runs over 4 losses), then 10 final seeds at 0.01."""
    import numpy as np

    from lossterm.training.population import Member

    tuning = [Member(seed, float(lr)) for lr in np.geomspace(1e-3, 1e-1, 9) for seed in range(3)]
    return tuning, [Member(100 + seed, 0.01) for seed in range(10)]


def _final(outcome) -> float:
    return outcome.records[-1].test_metric if outcome.records else float("nan")


def phase_population(seeds: int, threads: int = 1) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from lossterm.data.problems import get_problem
    from lossterm.losses import get_loss
    from lossterm.training.population import Member, train_members

    def one(experiment):
        p = get_problem(experiment[0])
        outcomes = train_members(p, get_loss(experiment[1]),
                                    [Member(s, 0.01) for s in range(seeds)], epochs=p.epochs)
        return [_final(o) for o in outcomes]

    with Clock() as clock, ThreadPoolExecutor(threads) as pool:
        finals = list(pool.map(one, NINE))
    return clock.figures(finals={f"{p}/{loss}": f for (p, loss), f in zip(NINE, finals)})


def phase_threads(seeds: int) -> dict:
    return phase_population(seeds, threads=2)


def phase_alone(seeds: int) -> dict:
    """One run at a time: each seed a population of one, one program per experiment."""
    from lossterm.data.problems import get_problem
    from lossterm.losses import get_loss
    from lossterm.training.population import Member, Population

    finals = {}
    with Clock() as clock:
        for problem, loss in NINE:
            p = get_problem(problem)
            population = Population(p, get_loss(loss))
            finals[f"{problem}/{loss}"] = [
                _final(population.run([Member(s, 0.01)], epochs=p.epochs)[0])
                for s in range(seeds)]
    return clock.figures(finals=finals)


def phase_session(seeds: int) -> dict:
    sys.path.insert(0, ROOT)  # the old engine is a test oracle now (tests/helpers/oracles)
    from lossterm.training.fit import resolve
    from lossterm.training.records import RunConfig
    from tests.helpers.oracles import Session

    finals = {}
    with Clock() as clock:
        for problem, loss in NINE:
            session = Session(resolve(RunConfig(problem=problem, loss=loss)))
            finals[f"{problem}/{loss}"] = [session.run(s).test_metric for s in range(seeds)]
    return clock.figures(finals=finals)


def phase_study(_seeds: int) -> dict:
    from lossterm.data.problems import get_problem
    from lossterm.losses import get_loss
    from lossterm.training.population import Population

    tuning, final = study_members()
    problem = get_problem("circles")
    with Clock() as tuning_clock:
        populations = [Population(problem, get_loss(loss)) for loss in STUDY_LOSSES]
        for population in populations:
            population.run(tuning, epochs=200)
    runs = 0
    with Clock() as clock:
        for population in populations:
            runs += len(population.run(tuning + final, epochs=200))
    return clock.figures(tuning_seconds=tuning_clock.wall, tuning_cpu=tuning_clock.cpu,
                         runs=runs)


def phase_numpy(_seeds: int) -> dict:
    """Phase 4's shapes in batched NumPy: 4 populations of 37 models, 200 epochs."""
    import numpy as np

    from lossterm.data.problems import get_problem

    p = get_problem("circles")
    x, y = p.X_train.astype(np.float32), p.y_train.astype(np.float32)[:, None]
    n_models, hidden, n = 37, p.hidden_units, len(x)
    rng = np.random.default_rng(0)
    with Clock() as clock:
        for _ in STUDY_LOSSES:
            w1 = rng.uniform(-1, 1, (n_models, 2, hidden)).astype(np.float32)
            w2 = rng.uniform(-0.3, 0.3, (n_models, hidden, 1)).astype(np.float32)
            b1 = np.zeros((n_models, 1, hidden), np.float32)
            b2 = np.zeros((n_models, 1, 1), np.float32)
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
    return clock.figures()


def _numpy_forward(params, x):
    import numpy as np

    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0)
    return h, 1 / (1 + np.exp(-(h @ w2 + b2)))


def _numpy_grads(params, xb, yb):
    w2 = params[2]
    h, prob = _numpy_forward(params, xb)
    dz = (prob - yb) / xb.shape[1]  # sigmoid + cross-entropy
    dw2, db2 = h.transpose(0, 2, 1) @ dz, dz.sum(1, keepdims=True)
    dh = (dz @ w2.transpose(0, 2, 1)) * (h > 0)
    return [xb.transpose(0, 2, 1) @ dh, dh.sum(1, keepdims=True), dw2, db2]


PHASES = {"population": phase_population, "threads": phase_threads, "alone": phase_alone,
          "session": phase_session, "study": phase_study, "numpy": phase_numpy}


def worker(phase: str, seeds: int) -> None:
    if phase != "numpy":
        from lossterm.runtime.backend import load_keras

        load_keras()
    result = PHASES[phase](seeds)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def spawn(phase: str, backend: str, seeds: int, env: dict | None = None) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": ROOT, **(env or {})}
    done = subprocess.run([sys.executable, __file__, "--worker", phase, "--seeds", str(seeds)],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} on {backend} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


CLI_LIMIT = 120  # seconds; the report says "over" rather than waiting on a slow path


def cli(backend: str, seeds: int, env: dict | None = None) -> float:
    """Wall seconds of ``lossterm --headless`` in a fresh process, imports included
    (``inf`` past :data:`CLI_LIMIT`)."""
    env = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    # --no-tune: the tutorial's nine x N runs (with several seeds and losses the default
    # is a fair study of each problem, 333 runs, timed by the study shape above)
    command = [sys.executable, "-m", "lossterm", "--headless", "--no-store", "--no-progress",
               "--no-tune", "--backend", backend, "--seeds", str(seeds)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                              check=False, timeout=CLI_LIMIT)
    except subprocess.TimeoutExpired:
        return float("inf")
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"lossterm --seeds {seeds} on {backend} failed:\n{done.stderr[-3000:]}")
    return seconds


def largest_drift(a: dict, b: dict, problems: tuple[str, ...]) -> float:
    """The largest difference of a final test figure between two sets of the same runs."""
    return max((abs(x - y) for key in a if key.split("/")[0] in problems
                for x, y in zip(a[key], b[key])), default=0.0)


def seconds(figures: dict) -> str:
    return f"{figures['seconds']:.1f} s (CPU {figures['cpu']:.1f} s)"


def report(backend: str, seeds: int, skip_session: bool, skip_cli: bool, env: dict) -> dict:
    print(f"\n== {backend} ==")
    runs = 9 * seeds
    pop = spawn("population", backend, seeds, env)
    print(f"population, nine x {seeds} ({runs} runs): {seconds(pop)}, peak {pop['peak_mb']:.0f} MB")
    single = spawn("population", backend, 1, env)
    print(f"  nine x 1 the same way: {seconds(single)}; {seeds} seeds cost "
          f"{pop['seconds'] / single['seconds']:.2f}x one (training and tracing, no imports)")
    two = spawn("threads", backend, seeds, env)
    print(f"  the same on two threads: {seconds(two)}, peak {two['peak_mb']:.0f} MB "
          f"({pop['seconds'] / two['seconds']:.2f}x one thread)")
    alone = spawn("alone", backend, seeds, env)
    print(f"one at a time (each run a population of one): {seconds(alone)}, "
          f"peak {alone['peak_mb']:.0f} MB")
    print(f"  population is {alone['seconds'] / pop['seconds']:.1f}x faster "
          f"(CPU {alone['cpu'] / pop['cpu']:.1f}x)")
    print(f"  member of {seeds} vs alone, largest final difference: test MSE "
          f"{largest_drift(pop['finals'], alone['finals'], ('regression',)):.1e}, accuracy "
          f"{largest_drift(pop['finals'], alone['finals'], ('circles', 'blobs')):.1e}")
    if not skip_session:
        # the old path: TensorFlow's one traced graph per run; on JAX and PyTorch Keras's
        # own train step per mini-batch, too slow for N seeds, so timed on the nine x 1
        n = seeds if backend == "tensorflow" else 1
        against = pop if backend == "tensorflow" else single
        try:
            ses = spawn("session", backend, n, env)
        except SystemExit as failed:  # the Session oracle failed: say so, go on
            print(f"Session path not measured: {str(failed).splitlines()[-1]}")
        else:
            print(f"Session (the old engine) one at a time, nine x {n}: {seconds(ses)}, "
                  f"peak {ses['peak_mb']:.0f} MB; population is "
                  f"{ses['seconds'] / against['seconds']:.1f}x faster")
    study = spawn("study", backend, seeds, env)
    print(f"study shape, circles: 108 tuning runs {study['tuning_seconds']:.1f} s "
          f"(CPU {study['tuning_cpu']:.1f} s; target <= 10 s); all {study['runs']} runs "
          f"{seconds(study)}, peak {study['peak_mb']:.0f} MB")
    many = None
    if not skip_cli:
        one, many = cli(backend, 1, env), cli(backend, seeds, env)
        target = {"tensorflow": " (target <= 10 s)", "jax": " (target <= 5 s)"}.get(backend, "")
        print(f"lossterm --headless, fresh process (over {CLI_LIMIT} s shows as inf): --seeds 1 "
              f"{one:.1f} s, --seeds {seeds} {many:.1f} s{target}; "
              f"ratio {many / one:.2f} (target <= 1.6)")
    return {"study": study, "population": pop, "cli": many}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--skip-session", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--worker", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.seeds)

    from lossterm.runtime.backend import installed_backends

    backends = [b for b in ("tensorflow", "jax", "torch") if b in installed_backends()]
    missing = [b for b in ("tensorflow", "jax", "torch") if b not in backends]
    print(f"backends: {', '.join(backends)}"
          + (f"; not installed: {', '.join(missing)}" if missing else "")
          + f"; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    studies = {}
    with tempfile.TemporaryDirectory() as cache:
        for backend in backends:
            env = {}
            if backend == "jax":  # cold: a fresh compilation cache; warm: the same one again
                env = {"XDG_CACHE_HOME": cache}
                cold = {phase: spawn(phase, backend, args.seeds, env)
                        for phase in ("population", "alone", "study")}
                print(f"\n(jax with a cold compilation cache: nine x {args.seeds} "
                      f"{seconds(cold['population'])}; one at a time "
                      f"{seconds(cold['alone'])}; 148-run study {seconds(cold['study'])})")
            studies[backend] = report(backend, args.seeds, args.skip_session, args.skip_cli, env)
    floor = spawn("numpy", "tensorflow", args.seeds)
    print(f"\nNumPy floor for the study's 148 runs (batched, same shapes): "
          f"{seconds(floor)}, peak {floor['peak_mb']:.0f} MB")
    for backend, found in studies.items():
        print(f"  {backend} study / NumPy floor: {found['study']['seconds'] / floor['seconds']:.2f}")
    if "tensorflow" in studies:  # the target: no backend slower than TensorFlow
        tf = studies["tensorflow"]
        for backend, found in studies.items():
            if backend == "tensorflow":
                continue
            cli_ratio = (f"; the command line {found['cli'] / tf['cli']:.2f}x"
                         if found["cli"] and tf["cli"] else "")
            print(f"  {backend} / tensorflow, nine x {args.seeds}: training "
                  f"{found['population']['seconds'] / tf['population']['seconds']:.2f}x{cli_ratio}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

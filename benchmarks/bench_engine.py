"""Engine vs the plain Keras way, measured in one process; then the headless report end to end.

    python benchmarks/bench_engine.py [--repeat N]

1. The tutorial's regression/MSE experiment trained the tutorial's way
   (``model.fit`` with ``validation_data``, 100 epochs, batch 32) and with
   lossterm's engine (graph tracing included), alternating, N times each.
   Target: engine >= 15x faster.
2. ``lossterm --headless`` (all nine experiments) in a fresh process,
   TensorFlow import included. Target: <= 15 s on a 2-core machine.

Machines are noisy: the script prints every timing and the median ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import lossterm
from lossterm.data.problems import get_problem
from lossterm.runtime.backend import describe_backend, load_keras


def fit_the_keras_way(seed: int) -> tuple[float, float]:
    keras = load_keras()
    p = get_problem("regression")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((20,)),
        keras.layers.Dense(25, activation="relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(1, activation="linear"),
    ])
    model.compile(loss="mean_squared_error",
                  optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9))
    start = time.perf_counter()
    history = model.fit(p.X_train, p.y_train, validation_data=(p.X_test, p.y_test),
                        epochs=100, verbose=0)
    return time.perf_counter() - start, history.history["val_loss"][-1]


def fit_with_engine(seed: int) -> tuple[float, float]:
    start = time.perf_counter()
    result = lossterm.run("regression", "mse", seed=seed)
    return time.perf_counter() - start, result.test_metric


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_keras()  # both sides start with Keras imported
    print(describe_backend())
    ratios = []
    for i in range(args.repeat):
        keras_s, keras_mse = fit_the_keras_way(i)
        engine_s, engine_mse = fit_with_engine(i)
        ratios.append(keras_s / engine_s)
        print(f"run {i}: model.fit {keras_s:6.2f} s (test MSE {keras_mse:.4f})   "
              f"engine {engine_s:5.2f} s (test MSE {engine_mse:.4f})   ratio {ratios[-1]:5.1f}x")
    ratio = statistics.median(ratios)
    print(f"regression/MSE, 100 epochs: engine is {ratio:.1f}x faster than model.fit "
          f"(median of {args.repeat}; target >= 15x: {'met' if ratio >= 15 else 'NOT met'})")

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lossterm", "--headless", "--format", "json"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    status = "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()}"
    print(f"lossterm --headless, the nine experiments, fresh process: {wall:.1f} s ({status}; "
          f"target <= 15 s: {'met' if wall <= 15 else 'NOT met'})")


if __name__ == "__main__":
    main()

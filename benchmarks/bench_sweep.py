"""The nine experiments over 10 seeds: lossterm's sweep vs model.fit (sampled).

    python benchmarks/bench_sweep.py [--seeds N]

1. ``lossterm --headless --seeds N`` in a fresh process, TensorFlow import
   included (9 x N runs at the tutorial's epochs). Target for N = 10: <= 60 s.
2. ``model.fit`` with ``validation_data`` would take too long to run 90 times
   here (about 25 minutes), so it is SAMPLED: one run per problem, timed in
   this process, multiplied by the number of runs of that problem. The loss
   barely changes fit's cost, which is per-batch overhead.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from lossterm.data.problems import get_problem, tutorial_problem_name
from lossterm.losses import TUTORIAL_LOSSES, encode_targets, get_loss
from lossterm.runtime.backend import describe_backend, load_keras


def fit_seconds(problem_name: str, loss_name: str) -> float:
    keras = load_keras()
    p, spec = get_problem(problem_name), get_loss(loss_name)
    model = keras.Sequential([
        keras.Input((p.n_features,)),
        keras.layers.Dense(p.hidden_units, activation="relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(spec.output_units(p.n_classes), activation=spec.output_activation),
    ])
    model.compile(loss=spec.name, optimizer=keras.optimizers.SGD(learning_rate=0.01,
                                                                 momentum=0.9))
    y_train = encode_targets(spec, p.y_train, p.n_classes)
    y_test = encode_targets(spec, p.y_test, p.n_classes)
    start = time.perf_counter()
    model.fit(p.X_train, y_train, validation_data=(p.X_test, y_test), epochs=p.epochs, verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lossterm", "--headless", "--seeds",
                           str(args.seeds), "--format", "json"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    runs = 9 * args.seeds
    print(f"lossterm --headless --seeds {args.seeds}: {runs} runs in {wall:.1f} s, fresh process, "
          f"import included ({'ok' if done.returncode == 0 else done.stderr.strip()})")
    if args.seeds == 10:
        print(f"target <= 60 s: {'met' if wall <= 60 else 'NOT met'}")

    load_keras()
    print(describe_backend())
    estimate = 0.0
    for kind_loss in ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy"):
        problem = tutorial_problem_name(get_loss(kind_loss).kind)
        seconds = fit_seconds(problem, kind_loss)
        n = sum(1 for s in TUTORIAL_LOSSES if s.kind == get_loss(kind_loss).kind) * args.seeds
        estimate += seconds * n
        print(f"  model.fit, {problem}/{kind_loss}: {seconds:.1f} s for one run (x {n} runs)")
    print(f"model.fit for the same {runs} runs, estimated from that sample: {estimate:.0f} s")
    print(f"the sweep is {estimate / wall:.0f}x faster (sampled estimate, see docstring)")


if __name__ == "__main__":
    main()

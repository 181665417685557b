"""Exports: a run's epochs as Keras's CSVLogger writes them, and a standalone script
that reproduces a run with plain Keras (same data, model, loss, optimizer, seed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from lossterm.engine.losses.encodings import ENCODE_SOURCE, TRUTH_SOURCE
from lossterm.engine.records import Job, RunResult


def history_csv(result: RunResult) -> str:
    """``epoch`` (from 0) then the logs' keys sorted: the columns CSVLogger writes."""
    keys = sorted(result.records[0].logs) if result.records else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for record in result.records:
        writer.writerow([record.epoch - 1, *(record.logs[k] for k in keys)])
    return out.getvalue()


def csv_name(result: RunResult) -> str:
    return f"{result.problem}_{result.loss}_seed{result.seed}.csv".replace("/", "_")


def export_script(job: Job, path: str | Path) -> list[Path]:
    """Write the script (and, for data lossterm cannot regenerate in a few lines, an
    .npz of the exact split beside it); return the files written.

    Whether the data can be regenerated is read off the problem's ``source``
    (a built-in recipe, unperturbed), never off its name: own data in a file
    called ``circles.csv`` is saved, not replaced by ``make_circles``.
    """
    config, problem, spec = job, job.problem, job.loss
    path = Path(path)
    written = [path]
    if problem.source.regenerable:
        data = problem.recipe.code()
    else:
        arrays = path.with_suffix(".npz")
        np.savez(arrays, X_train=problem.X_train, y_train=problem.y_train,
                 X_test=problem.X_test, y_test=problem.y_test)
        written.append(arrays)
        data = f'''# {problem.name}: the exact train/test split lossterm trained on (prepared and, if
# asked, perturbed by lossterm), saved beside this script.
saved = np.load(Path(__file__).with_name({arrays.name!r}))
X_train, y_train, X_test, y_test = (saved[k] for k in ("X_train", "y_train", "X_test", "y_test"))'''
    label, score = spec.head.score_line(TRUTH_SOURCE[spec.target_encoding])
    definitions, loss = spec.keras_code()
    if definitions:
        definitions = (f"\n# {spec.title}: lossterm's Keras form, written with keras.ops (any "
                       f"backend).\n{definitions}\n")
    path.write_text(_TEMPLATE.format(
        problem=problem.name, loss=spec.name, seed=config.seed, kind=problem.kind,
        n_classes=max(problem.n_classes, 1), data=data, encode=ENCODE_SOURCE[spec.target_encoding],
        n_features=problem.n_features, hidden=config.hidden_units,
        units=spec.output_units(problem.n_classes), activation=spec.head.activation,
        lr=config.learning_rate, momentum=config.momentum, loss_object=loss,
        definitions=definitions,
        epochs=config.epochs, batch=config.batch_size, label=label, score=score))
    return written


_TEMPLATE = '''"""Reproduce a lossterm run with plain Keras: {problem} / {loss}, seed {seed}.

Same data, model, loss, optimizer, seed and shuffling as lossterm's engine
(which compiles each epoch into one graph; here Keras's train_on_batch runs each
mini-batch). Needs keras (any backend), numpy and, for the built-in problems,
scikit-learn.  Run:  python {{this file}}
"""

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

SEED, KIND, N_CLASSES = {seed}, "{kind}", {n_classes}
{definitions}
{data}

# Targets encoded as {loss} needs them.
{encode}

model = keras.Sequential([
    keras.Input(({n_features},)),
    keras.layers.Dense({hidden}, activation="relu",
                       kernel_initializer=keras.initializers.HeUniform(seed=SEED)),
    keras.layers.Dense({units}, activation="{activation}",
                       kernel_initializer=keras.initializers.GlorotUniform(seed=SEED + 1)),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate={lr}, momentum={momentum}),
              loss={loss_object})

rng = np.random.default_rng(SEED)  # a new order of the training rows every epoch
for epoch in range({epochs}):
    order = rng.permutation(len(X_train))
    for start in range(0, len(order), {batch}):
        rows = order[start:start + {batch}]
        model.train_on_batch(X_train[rows], y_train[rows])

pred = keras.ops.convert_to_numpy(model(X_test))
print("{label}:", {score})
'''

"""Exports: a run's epochs as Keras's CSVLogger writes them, and a standalone script
that reproduces a run with plain Keras (same data, model, loss, optimizer, seed)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from lossterm.losses.encodings import ENCODE_SOURCE, LABELS_TRUTH_SOURCE, TRUTH_SOURCE
from lossterm.runtime.backend import backend_name
from lossterm.storage.files import write_bytes, write_text
from lossterm.training.records import Job, RunResult


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
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    written = [path]  # through a link: the data goes beside the file it names
    recipe = problem.recipe
    if problem.source.regenerable and recipe is not None:  # regenerable: a built-in recipe
        data = recipe.code()
    else:
        arrays = path.with_suffix(".npz")
        packed = io.BytesIO()
        np.savez(packed, X_train=problem.X_train, y_train=problem.y_train,
                 X_test=problem.X_test, y_test=problem.y_test)
        write_bytes(arrays, packed.getvalue())  # atomic: never half an archive
        written.append(arrays)
        data = f'''# {problem.name}: the exact train/test split lossterm trained on (prepared and, if
# asked, perturbed by lossterm), saved beside this script.
saved = np.load(Path(__file__).resolve().with_name({arrays.name!r}))
X_train, y_train, X_test, y_test = (saved[k] for k in ("X_train", "y_train", "X_test", "y_test"))'''
    truths = LABELS_TRUTH_SOURCE if problem.kind == "multilabel" else TRUTH_SOURCE
    label, score = spec.head.score_line(truths[spec.target_encoding])
    definitions, loss = spec.keras_code()
    if definitions and (own := getattr(spec, "path", "")):  # a --loss-file loss: the user's code
        definitions = (f"\n# {spec.name}: your own loss, from {own} (its imports and "
                       f"what the function uses from it).\n{definitions}\n")
    elif definitions:
        definitions = (f"\n# {spec.title}: lossterm's Keras form, written with keras.ops (any "
                       f"backend).\n{definitions}\n")

    write_text(path, _TEMPLATE.format(
        backend=backend_name(), problem=problem.name, loss=spec.name, seed=config.seed, kind=problem.kind,
        n_classes=max(problem.n_classes, 1), data=data, encode=ENCODE_SOURCE[spec.target_encoding],
        n_features=problem.n_features, hidden=_hidden_layers(config.layers),
        units=spec.output_units(problem.n_classes, problem.n_targets), activation=spec.head.activation,
        n_hidden=len(config.layers), optimizer=_optimizer(config), loss_object=loss,
        definitions=definitions,
        epochs=config.epochs, batch=config.batch_size, label=label, score=score,
        more=_more_figures(problem)))
    return written


def _more_figures(problem) -> str:
    """Lines the script prints after its test figure: each target's for several targets."""
    if problem.n_targets == 1:
        return ""
    targets = tuple(problem.targets)
    if problem.kind == "regression":
        return (f"for name, mse in zip({targets!r}, np.mean((pred - y_test) ** 2, axis=0)):\n"
                '    print(f"test MSE[{name}]:", float(mse))\n')
    return (f"# {len(targets)} labels: {', '.join(targets)} (one unit each, in this order)\n")


def _hidden_layers(widths: tuple[int, ...]) -> str:
    """The hidden Dense layers, seeded as lossterm seeds them (``SEED + j`` for layer j)."""
    return "\n".join(
        f'''    keras.layers.Dense({units}, activation="relu",
                       kernel_initializer=keras.initializers.HeUniform(seed=SEED + {j})),'''
        for j, units in enumerate(widths))


def _optimizer(job: Job) -> str:
    """The Keras optimizer a job steps with, written as a call."""
    if job.optimizer == "sgd":
        return f"keras.optimizers.SGD(learning_rate={job.learning_rate}, momentum={job.momentum})"
    name = {"adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}[job.optimizer]
    return f"keras.optimizers.{name}(learning_rate={job.learning_rate})"


_TEMPLATE = '''"""Reproduce a lossterm run with plain Keras: {problem} / {loss}, seed {seed}.

Same data, model, loss, optimizer, seed and shuffling as lossterm's engine
(which trains runs together, one compiled program per population; here Keras's train_on_batch runs each
mini-batch). Needs keras, numpy and, for the built-in problems, scikit-learn.
Run:  python {{this file}}
The run was trained with Keras's {backend} backend, set below whatever
KERAS_BACKEND says: seeded initial weights differ between backends (each has
its own random generator), so another backend trains another model.
"""

import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "{backend}"  # the run's backend (see above)
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
{hidden}
    keras.layers.Dense({units}, activation="{activation}",
                       kernel_initializer=keras.initializers.GlorotUniform(seed=SEED + {n_hidden})),
])
model.compile(optimizer={optimizer}, loss={loss_object})

rng = np.random.default_rng(SEED)  # a new order of the training rows every epoch
for epoch in range({epochs}):
    order = rng.permutation(len(X_train))
    for start in range(0, len(order), {batch}):
        rows = order[start:start + {batch}]
        model.train_on_batch(X_train[rows], y_train[rows])

pred = keras.ops.convert_to_numpy(model(X_test))
print("{label}:", {score})
{more}'''

"""The tutorial's MLP for a (problem, loss) pair, with seeded initializers."""

from __future__ import annotations

from lossterm.data.problems import Problem
from lossterm.losses import LossSpec
from lossterm.runtime.backend import load_keras


def build_model(spec: LossSpec, problem: Problem, *, hidden_units, seed: int):
    """ReLU hidden layers (he_uniform; one width, or one per layer) and the output
    layer ``spec`` asks for (glorot_uniform).

    Seeds are passed to each initializer -- ``seed + j`` for hidden layer j,
    ``seed + n_hidden`` for the output -- so weights depend on ``seed`` alone,
    not on how many models were built before in this process. With one hidden
    layer that is the tutorial's model, seeds ``seed`` and ``seed + 1``.
    """
    keras = load_keras()
    layers, init = keras.layers, keras.initializers
    widths = (int(hidden_units),) if isinstance(hidden_units, (int, float)) else tuple(hidden_units)
    hidden = [layers.Dense(int(units), activation="relu",
                           kernel_initializer=init.HeUniform(seed=seed + j))
              for j, units in enumerate(widths)]
    return keras.Sequential(
        [
            keras.Input((problem.n_features,)),
            *hidden,
            layers.Dense(spec.output_units(problem.n_classes, problem.n_targets),
                         activation=spec.output_activation,
                         kernel_initializer=init.GlorotUniform(seed=seed + len(widths))),
        ],
        name=f"mlp_{spec.slug}",
    )

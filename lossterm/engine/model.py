"""The tutorial's MLP for a (problem, loss) pair, with seeded initializers."""

from __future__ import annotations

from lossterm.engine.backend import load_keras
from lossterm.engine.losses import LossSpec
from lossterm.engine.problems import Problem


def build_model(spec: LossSpec, problem: Problem, *, hidden_units: int, seed: int):
    """One hidden ReLU layer (he_uniform), and the output layer ``spec`` asks for.

    Seeds are passed to each initializer, so weights depend on ``seed`` alone,
    not on how many models were built before in this process.
    """
    keras = load_keras()
    layers, init = keras.layers, keras.initializers
    return keras.Sequential(
        [
            keras.Input((problem.n_features,)),
            layers.Dense(hidden_units, activation="relu",
                         kernel_initializer=init.HeUniform(seed=seed)),
            layers.Dense(spec.output_units(problem.n_classes),
                         activation=spec.output_activation,
                         kernel_initializer=init.GlorotUniform(seed=seed + 1)),
        ],
        name=f"mlp_{spec.slug}",
    )

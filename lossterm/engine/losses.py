"""The loss catalogue: what each loss needs from the model and the targets.

Every entry says which problem kind it fits, the output layer that goes with
it, how targets are encoded for it and which Keras loss object trains it.
Keras is not imported here; :func:`LossSpec.make_keras_loss` does it late.
"""

from __future__ import annotations

from dataclasses import dataclass

from lossterm.engine.problems import BINARY, MULTICLASS, REGRESSION
from lossterm.errors import UsageError

# Target encodings.
AS_IS, PLUS_MINUS_ONE, ONE_HOT, INTEGER = "as-is", "{-1,1}", "one-hot", "integer"


@dataclass(frozen=True)
class LossSpec:
    name: str  # the Keras 3 name
    title: str
    kind: str  # the problem kind it fits
    output_activation: str
    target_encoding: str
    keras_class: str  # class in keras.losses
    summary: str
    aliases: tuple[str, ...] = ()
    tutorial: bool = False  # one of the tutorial's nine

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def short_name(self) -> str:
        """A name that fits a narrow column: the first alias of a long name."""
        return self.aliases[0] if len(self.name) > 17 and self.aliases else self.name

    @property
    def metric(self) -> str:
        """The figure a person reads for this loss: the same for every loss of a kind."""
        return "mse" if self.kind == REGRESSION else "accuracy"

    @property
    def decision(self) -> str:
        """How a class is read off the output: used by the accuracy metric."""
        return {"sigmoid": "p > 0.5", "tanh": "f > 0", "softmax": "argmax"}.get(
            self.output_activation, ""
        )

    def output_units(self, n_classes: int) -> int:
        return n_classes if self.kind == MULTICLASS else 1

    def output_layer(self, n_classes: int) -> str:
        return f"{self.output_units(n_classes)}, {self.output_activation}"

    def make_keras_loss(self):
        from lossterm.engine.backend import load_keras

        return getattr(load_keras().losses, self.keras_class)()


def _spec(*args, **kwargs) -> LossSpec:
    return LossSpec(*args, **kwargs)


CATALOGUE: tuple[LossSpec, ...] = (
    # Regression: one linear unit, targets as they are.
    _spec("mean_squared_error", "Mean squared error", REGRESSION, "linear", AS_IS,
          "MeanSquaredError", "average squared residual; maximum likelihood under Gaussian noise",
          ("mse",), tutorial=True),
    _spec("mean_squared_logarithmic_error", "Mean squared logarithmic error", REGRESSION,
          "linear", AS_IS, "MeanSquaredLogarithmicError",
          "squared error of log(1 + y); for positive targets spanning orders of magnitude",
          ("msle",), tutorial=True),
    _spec("mean_absolute_error", "Mean absolute error", REGRESSION, "linear", AS_IS,
          "MeanAbsoluteError", "average absolute residual; robust to outliers (Laplace noise)",
          ("mae",), tutorial=True),
    _spec("huber", "Huber", REGRESSION, "linear", AS_IS, "Huber",
          "squared near zero, absolute beyond delta = 1; MSE's smoothness with MAE's robustness",
          ("huber_loss",)),
    _spec("log_cosh", "Log-cosh", REGRESSION, "linear", AS_IS, "LogCosh",
          "log(cosh(residual)): about r²/2 when small, |r| - log 2 when large", ("logcosh",)),
    _spec("mean_absolute_percentage_error", "Mean absolute percentage error", REGRESSION,
          "linear", AS_IS, "MeanAbsolutePercentageError",
          "100 · |residual| / |y|; explodes when targets are near zero", ("mape",)),
    _spec("poisson", "Poisson", REGRESSION, "softplus", AS_IS, "Poisson",
          "negative Poisson log-likelihood; for counts, needs targets ≥ 0 and a positive output"),
    # Binary: one unit.
    _spec("binary_crossentropy", "Binary cross-entropy", BINARY, "sigmoid", AS_IS,
          "BinaryCrossentropy", "negative Bernoulli log-likelihood of the class-1 probability",
          ("bce", "binary_cross_entropy"), tutorial=True),
    _spec("hinge", "Hinge", BINARY, "tanh", PLUS_MINUS_ONE, "Hinge",
          "max(0, 1 - y·f): the SVM margin loss, zero once a point is beyond the margin",
          tutorial=True),
    _spec("squared_hinge", "Squared hinge", BINARY, "tanh", PLUS_MINUS_ONE, "SquaredHinge",
          "max(0, 1 - y·f)²: a smooth hinge that punishes margin violations harder",
          tutorial=True),
    _spec("binary_focal_crossentropy", "Binary focal cross-entropy", BINARY, "sigmoid",
          AS_IS, "BinaryFocalCrossentropy",
          "cross-entropy scaled by (1 - p_true)^2: down-weights easy examples",
          ("binary_focal", "bfce")),
    # Multi-class: one softmax unit per class.
    _spec("categorical_crossentropy", "Categorical cross-entropy", MULTICLASS, "softmax",
          ONE_HOT, "CategoricalCrossentropy",
          "negative categorical log-likelihood of the true class", ("cce",), tutorial=True),
    _spec("sparse_categorical_crossentropy", "Sparse categorical cross-entropy", MULTICLASS,
          "softmax", INTEGER, "SparseCategoricalCrossentropy",
          "categorical cross-entropy taking integer labels instead of one-hot rows",
          ("scce",), tutorial=True),
    _spec("kl_divergence", "Kullback-Leibler divergence", MULTICLASS, "softmax", ONE_HOT,
          "KLDivergence",
          "sum y·log(y/p); on one-hot targets equal to categorical cross-entropy",
          ("kullback_leibler_divergence", "kld", "kl"), tutorial=True),
    _spec("categorical_hinge", "Categorical hinge", MULTICLASS, "softmax", ONE_HOT,
          "CategoricalHinge",
          "max(0, 1 + best wrong score - true score): a multi-class margin loss"),
    _spec("categorical_focal_crossentropy", "Categorical focal cross-entropy", MULTICLASS,
          "softmax", ONE_HOT, "CategoricalFocalCrossentropy",
          "categorical cross-entropy scaled by (1 - p_true)^2", ("categorical_focal", "cfce")),
)

_BY_NAME = {n.lower(): spec for spec in CATALOGUE for n in spec.names}
TUTORIAL_LOSSES = tuple(spec for spec in CATALOGUE if spec.tutorial)


def get_loss(name: str) -> LossSpec:
    """The catalogue entry answering to ``name`` (Keras, tutorial or short spelling)."""
    spec = _BY_NAME.get(name.strip().lower().replace("-", "_"))
    if spec is None:
        choices = ", ".join(s.name for s in CATALOGUE)
        raise UsageError(f"unknown loss {name!r}; choose from {choices} (or 'all')")
    return spec


def losses_for_kind(kind: str) -> tuple[LossSpec, ...]:
    return tuple(spec for spec in CATALOGUE if spec.kind == kind)


def encode_targets(spec: LossSpec, y, n_classes: int):
    """Targets as ``spec`` wants them: a column, {-1, 1}, one-hot rows or integers."""
    import numpy as np

    y = np.asarray(y)
    if spec.target_encoding == ONE_HOT:
        if y.ndim == 2:  # already rows of class probabilities (soft labels)
            return y.astype(np.float32)
        return np.eye(n_classes, dtype=np.float32)[y.astype(np.int64)]
    if spec.target_encoding == INTEGER:
        return y.astype(np.int32)
    if spec.target_encoding == PLUS_MINUS_ONE:
        return (2.0 * y - 1.0).astype(np.float32).reshape(-1, 1)
    return y.astype(np.float32).reshape(-1, 1)

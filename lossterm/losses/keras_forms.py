"""Keras forms of the noise-robust losses Keras does not ship: ``keras.losses.Loss``
subclasses written with ``keras.ops`` only, so they train on TensorFlow and JAX alike.

The classes are defined on first use (``keras_forms.SymmetricCrossEntropy`` loads
Keras then), so importing this module, like any of the engine's, loads neither
Keras nor what Keras imports.

Every ``call`` reduces over the LAST axis only and returns one value per sample,
so the same object serves ``model.fit`` (``(n, units)``) and the population
engines, which hand it stacked ``(P, n, units)`` tensors and get ``(P, n)`` back.

Each class is written to stand alone (no helper outside it), because an
exported script carries a class's source as it is here (:func:`source`). Each
follows its paper's published code, numbers included: the one-hot label's
log 0 floored at 1e-4 (log 1e-4 = -9.21) in the reverse cross-entropy,
predictions clipped at 1e-7 before a log. NumPy references of the same
arithmetic are in :mod:`.reference`.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from typing import Any

from lossterm.runtime.backend import load_keras

NAMES = ("GeneralizedCrossEntropy", "SymmetricCrossEntropy", "NormalizedCrossEntropyReverse",
         "ProbabilityMeanAbsoluteError", "BinaryGeneralizedCrossEntropy",
         "BinarySymmetricCrossEntropy")


@functools.cache
def _classes() -> dict[str, type]:
    keras: Any = load_keras()  # declared Any: the classes below subclass its (untyped) Loss

    class GeneralizedCrossEntropy(keras.losses.CategoricalGeneralizedCrossEntropy):
        """Keras's generalized cross-entropy (Zhang & Sabuncu, NeurIPS 2018), (1 - p_y^q) / q
        on integer labels, with the softmax output clipped to [1e-7, 1] first, as the
        papers' code does: Keras's form takes p_y as it is, and the gradient of p^q is
        infinite where a float32 softmax underflows to exactly 0 (NaN on blobs, seed 0)."""

        def __init__(self, q=0.7, reduction="sum_over_batch_size",
                     name="generalized_cross_entropy", dtype=None):
            super().__init__(q=q, reduction=reduction, name=name, dtype=dtype)

        def call(self, y_true, y_pred):
            y_pred = keras.ops.clip(keras.ops.convert_to_tensor(y_pred), 1e-7, 1.0)
            return keras.losses.categorical_generalized_cross_entropy(y_true, y_pred, q=self.q)

    class SymmetricCrossEntropy(keras.losses.Loss):
        """α·CE + β·reverse CE (Wang et al., ICCV 2019), one-hot (or soft) labels, softmax
        probabilities: CE on p clipped to [1e-7, 1]; the reverse CE -Σ p·log y with y
        clipped to [1e-4, 1]."""

        def __init__(self, alpha=0.1, beta=1.0, reduction="sum_over_batch_size",
                     name="symmetric_cross_entropy", dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.alpha, self.beta = alpha, beta

        def call(self, y_true, y_pred):
            ops = keras.ops
            y_pred = ops.convert_to_tensor(y_pred)
            y_true = ops.cast(y_true, y_pred.dtype)
            ce = -ops.sum(y_true * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1)
            rce = -ops.sum(y_pred * ops.log(ops.clip(y_true, 1e-4, 1.0)), axis=-1)
            return self.alpha * ce + self.beta * rce

        def get_config(self):
            return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}

    class NormalizedCrossEntropyReverse(keras.losses.Loss):
        """α·NCE + β·RCE, the active-passive pair of Ma et al. (ICML 2020): NCE is
        -Σ y·log p / -Σ_k log p_k, RCE the reverse cross-entropy; p clipped to [1e-7, 1],
        labels to [1e-4, 1] inside the reverse term."""

        def __init__(self, alpha=1.0, beta=1.0, reduction="sum_over_batch_size",
                     name="nce_rce", dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.alpha, self.beta = alpha, beta

        def call(self, y_true, y_pred):
            ops = keras.ops
            y_pred = ops.clip(ops.convert_to_tensor(y_pred), 1e-7, 1.0)
            y_true = ops.cast(y_true, y_pred.dtype)
            log_p = ops.log(y_pred)
            nce = ops.sum(y_true * log_p, axis=-1) / ops.sum(log_p, axis=-1)
            rce = -ops.sum(y_pred * ops.log(ops.clip(y_true, 1e-4, 1.0)), axis=-1)
            return self.alpha * nce + self.beta * rce

        def get_config(self):
            return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}

    class ProbabilityMeanAbsoluteError(keras.losses.Loss):
        """Σ_k |y_k - p_k| between the label and the softmax output: 2 - 2·p_y for one-hot
        labels. (Keras's MeanAbsoluteError on the same tensors is this divided by the
        number of classes.)"""

        def __init__(self, reduction="sum_over_batch_size", name="mae_prob", dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)

        def call(self, y_true, y_pred):
            ops = keras.ops
            y_pred = ops.convert_to_tensor(y_pred)
            y_true = ops.cast(y_true, y_pred.dtype)
            return ops.sum(ops.abs(y_true - y_pred), axis=-1)

    class BinaryGeneralizedCrossEntropy(keras.losses.Loss):
        """(1 - p_t^q) / q on a sigmoid output, p_t the probability of the true class:
        generalized cross-entropy of the two-class distribution (1 - p, p); p clipped to
        [1e-7, 1 - 1e-7] (the gradient of p^q is infinite at 0)."""

        def __init__(self, q=0.7, reduction="sum_over_batch_size",
                     name="binary_generalized_cross_entropy", dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.q = q

        def call(self, y_true, y_pred):
            ops = keras.ops
            y_pred = ops.clip(ops.convert_to_tensor(y_pred), 1e-7, 1.0 - 1e-7)
            y_true = ops.cast(y_true, y_pred.dtype)
            p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
            return ops.mean((1.0 - ops.power(p_t, self.q)) / self.q, axis=-1)

        def get_config(self):
            return {**super().get_config(), "q": self.q}

    class BinarySymmetricCrossEntropy(keras.losses.Loss):
        """α·BCE + β·reverse BCE on a sigmoid output: BCE on p clipped to [1e-7, 1 - 1e-7];
        the reverse term -(p·log y + (1 - p)·log(1 - y)) with the labels clipped to
        [1e-4, 1]."""

        def __init__(self, alpha=0.1, beta=1.0, reduction="sum_over_batch_size",
                     name="binary_symmetric_cross_entropy", dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.alpha, self.beta = alpha, beta

        def call(self, y_true, y_pred):
            ops = keras.ops
            y_pred = ops.convert_to_tensor(y_pred)
            y_true = ops.cast(y_true, y_pred.dtype)
            p = ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
            bce = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
            rce = -(y_pred * ops.log(ops.clip(y_true, 1e-4, 1.0))
                    + (1.0 - y_pred) * ops.log(ops.clip(1.0 - y_true, 1e-4, 1.0)))
            return ops.mean(self.alpha * bce + self.beta * rce, axis=-1)

        def get_config(self):
            return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}

    return {name: value for name, value in locals().items() if name in NAMES}


def __getattr__(name: str):
    """``keras_forms.SymmetricCrossEntropy`` and the others, Keras loaded on first use."""
    if name in NAMES:
        return _classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def source(class_name: str) -> str:
    """A class's source as written here, for an exported script (which imports keras)."""
    return textwrap.dedent(inspect.getsource(_classes()[class_name]))

"""Target encodings, both ways: labels into what a loss takes, and back into classes.

Kept beside each other (and beside their source-code spellings for exported
scripts) so that encoding and decoding cannot drift apart.
"""

from __future__ import annotations

import numpy as np

from lossterm.core.types import Encoding


def encode(encoding: Encoding | str, y, n_classes: int) -> np.ndarray:
    """Targets as ``encoding`` wants them: a column, {-1, 1}, one-hot rows or integers."""
    y = np.asarray(y)
    if encoding == Encoding.ONE_HOT:
        if y.ndim == 2:  # already rows of class probabilities (soft labels)
            return y.astype(np.float32)
        return np.eye(n_classes, dtype=np.float32)[y.astype(np.int64)]
    if encoding == Encoding.INTEGER:
        return y.astype(np.int32)
    if encoding == Encoding.PLUS_MINUS_ONE:
        return _columns(2.0 * y - 1.0)
    return _columns(y)


def _columns(y: np.ndarray) -> np.ndarray:
    """float32 ``(n, 1)`` for one target, ``(n, targets)`` kept as it is for several
    (multi-output regression, multilabel)."""
    y = y.astype(np.float32)
    return y if y.ndim == 2 else y.reshape(-1, 1)


def true_classes(encoding: Encoding | str, y) -> np.ndarray:
    """The integer class of each encoded target (the inverse of :func:`encode`)."""
    y = np.asarray(y)
    if encoding == Encoding.ONE_HOT:
        return y.argmax(axis=-1).astype(int)
    if encoding == Encoding.INTEGER:
        return y.reshape(-1).astype(int)
    threshold = 0.0 if encoding == Encoding.PLUS_MINUS_ONE else 0.5
    if y.ndim == 2 and y.shape[1] > 1:  # multilabel: (n, labels) of 0 and 1
        return (y > threshold).astype(int)
    return (y.reshape(-1) > threshold).astype(int)


# The same two functions as an exported script spells them (NumPy, no lossterm).
ENCODE_SOURCE = {
    Encoding.AS_IS: "y_train, y_test = y_train.reshape(len(y_train), -1), "
                    "y_test.reshape(len(y_test), -1)",
    Encoding.PLUS_MINUS_ONE: "y_train, y_test = 2.0 * y_train.reshape(len(y_train), -1) - 1, "
                             "2.0 * y_test.reshape(len(y_test), -1) - 1",
    Encoding.ONE_HOT: "y_train, y_test = np.eye(N_CLASSES)[y_train], np.eye(N_CLASSES)[y_test]",
    Encoding.INTEGER: "y_train, y_test = y_train.astype('int32'), y_test.astype('int32')",
}
TRUTH_SOURCE = {
    Encoding.AS_IS: "(y_test.reshape(-1) > 0.5)",
    Encoding.PLUS_MINUS_ONE: "(y_test.reshape(-1) > 0)",
    Encoding.ONE_HOT: "y_test.argmax(-1)",
    Encoding.INTEGER: "y_test.reshape(-1)",
}
# Multilabel: every label's truth, (n, labels).
LABELS_TRUTH_SOURCE = {
    Encoding.AS_IS: "(y_test > 0.5)",
    Encoding.PLUS_MINUS_ONE: "(y_test > 0)",
}

"""Output heads: the model's last layer and how to read a class off it.

A head is written once here and used everywhere a class is read from a
prediction: the accuracy metric, the TUI's decision regions, the exported
script's test figure and the theory text. Before, each of those kept its own
copy of "sigmoid means p > 0.5, tanh means f > 0, softmax means argmax", and
a loss with a new kind of output (categorical hinge's raw scores) would have
had to be taught to all four.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, kw_only=True)
class Head:
    """One output unit (or one per class) with a Keras activation."""

    key: str  # how the head is named in texts ("softmax", "linear scores")
    activation: str  # the Keras activation of the output Dense layer
    meaning: str  # what a number out of it is, in words
    decision: str = ""  # how a class is read off it; empty for regression
    probabilities: bool = False  # outputs are probabilities (calibration metrics need it)
    per_class: bool = False  # one unit per class instead of one unit

    def units(self, n_classes: int, n_targets: int = 1) -> int:
        """Output units: one per class, else one per target column (usually one)."""
        return n_classes if self.per_class else n_targets

    def classes(self, pred) -> np.ndarray:
        """The class each row of ``pred`` predicts, as integers."""
        raise ValueError(f"a {self.key} head predicts values, not classes")

    def classes_source(self) -> str:
        """The same as :meth:`classes`, as a Python expression over ``pred``."""
        raise ValueError(f"a {self.key} head predicts values, not classes")

    def positive_score(self, pred) -> np.ndarray:
        """Binary: one number per row that grows with the evidence for class 1 (what ROC
        AUC ranks); P(class 1) itself when the head gives probabilities."""
        raise ValueError(f"a {self.key} head has no score for class 1")

    def score_line(self, truth: str) -> tuple[str, str]:
        """(label, expression) an exported script prints as its test figure;
        ``truth`` is the expression for the true classes of ``y_test``."""
        return "test accuracy", f"float(np.mean(({self.classes_source()}) == {truth}))"


@dataclass(frozen=True, kw_only=True)
class ValueHead(Head):
    """Regression: the output is the prediction itself, scored by MSE."""

    def score_line(self, truth: str) -> tuple[str, str]:
        # Several targets: the mean over every cell, i.e. the mean of per-target MSEs.
        return "test MSE", "float(np.mean((pred.reshape(-1) - y_test.reshape(-1)) ** 2))"


@dataclass(frozen=True, kw_only=True)
class ThresholdHead(Head):
    """Binary: one unit, class 1 when the output is above ``threshold``."""

    threshold: float

    def classes(self, pred) -> np.ndarray:
        return (np.asarray(pred).reshape(-1) > self.threshold).astype(int)

    def classes_source(self) -> str:
        return f"pred.reshape(-1) > {self.threshold:g}"

    def positive_score(self, pred) -> np.ndarray:
        return np.asarray(pred).reshape(-1)


@dataclass(frozen=True, kw_only=True)
class ArgmaxHead(Head):
    """Multi-class: one unit per class, the largest wins."""

    per_class: bool = True
    decision: str = "argmax"

    def classes(self, pred) -> np.ndarray:
        return np.asarray(pred).argmax(axis=-1).astype(int)

    def classes_source(self) -> str:
        return "pred.argmax(-1)"

    def positive_score(self, pred) -> np.ndarray:
        """Two classes (a multiclass loss's two-node form): the softmax's column 1, which
        is P(class 1); for raw scores, column 1 minus column 0, the margin argmax reads."""
        pred = np.asarray(pred)
        if pred.ndim != 2 or pred.shape[1] != 2:
            raise ValueError(f"a {self.key} head scores class 1 only with two columns, "
                             f"not outputs of shape {pred.shape}")
        return pred[:, 1] if self.probabilities else pred[:, 1] - pred[:, 0]


@dataclass(frozen=True, kw_only=True)
class LabelsHead(ThresholdHead):
    """Multilabel: one unit per label, each read as a binary head is (0 or 1 per label);
    ``classes`` keeps the rows' label columns, ``(n, labels)``."""

    def classes(self, pred) -> np.ndarray:
        return (np.asarray(pred) > self.threshold).astype(int)

    def classes_source(self) -> str:
        return f"(pred > {self.threshold:g})"

    def score_line(self, truth: str) -> tuple[str, str]:
        return ("test subset accuracy (every label right)",
                f"float(np.mean(np.all(({self.classes_source()}) == {truth}, axis=1)))")


def per_label(head: ThresholdHead) -> LabelsHead:
    """The binary ``head`` applied to each label of a multilabel problem (same activation
    and threshold, one unit per label)."""
    return _PER_LABEL[head.key]


LINEAR = ValueHead(key="linear", activation="linear", meaning="any real number")
SOFTPLUS = ValueHead(key="softplus", activation="softplus",
                     meaning="a positive number (a rate, a count's mean)")
SIGMOID = ThresholdHead(key="sigmoid", activation="sigmoid", threshold=0.5,
                        decision="p > 0.5", probabilities=True,
                        meaning="the probability of class 1")
TANH = ThresholdHead(key="tanh", activation="tanh", threshold=0.0, decision="f > 0",
                     meaning="a margin f in [-1, 1], its sign the class; not a probability")
SOFTMAX = ArgmaxHead(key="softmax", activation="softmax", probabilities=True,
                     meaning="one probability per class, summing to 1")
SCORES = ArgmaxHead(key="linear scores", activation="linear",
                    meaning="one unbounded score per class; not probabilities")

SIGMOID_LABELS = LabelsHead(key="sigmoid per label", activation="sigmoid", threshold=0.5,
                            decision="p > 0.5 per label", probabilities=True,
                            meaning="one probability per label (labels are not exclusive)")
TANH_LABELS = LabelsHead(key="tanh per label", activation="tanh", threshold=0.0,
                         decision="f > 0 per label",
                         meaning="a margin f in [-1, 1] per label, its sign the label")
_PER_LABEL = {SIGMOID.key: SIGMOID_LABELS, TANH.key: TANH_LABELS}

HEADS: tuple[Head, ...] = (LINEAR, SOFTPLUS, SIGMOID, TANH, SOFTMAX, SCORES)  # the catalogue's

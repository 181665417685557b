"""What a loss is: its maximum-likelihood reading, its pitfalls, and its shape.

The texts are the records' own (:mod:`.catalogue`). The shape is the loss of
one sample as its error grows, computed with the reference implementation:
against the residual ŷ - y (regression), the margin y·f (binary: f is the
tanh output or, for the probabilistic losses, the logit) or the margin of the
true class's score over the others' (multi-class: the scores themselves for
a scores head, the logits under a softmax), so every loss of a kind shares
one axis whatever its head.
"""

from __future__ import annotations

import numpy as np

from lossterm.core.types import Encoding, Kind
from lossterm.losses.catalogue import get_loss
from lossterm.losses.heads import Head
from lossterm.losses.spec import LossSpec
from lossterm.losses.twonode import form_text, has_two_node_form, two_node_form


def metric_advice(spec: LossSpec) -> str:
    if spec.kind == Kind.REGRESSION:
        return ("report MSE (or RMSE/MAE, in the target's units) on the test set: the same "
                "figure for every regression loss, so losses compare fairly")
    return ("report accuracy on the test set, reading classes as the output layer means them "
            f"({spec.decision}); never compare losses by their own values")


def explain(name: str) -> str:
    """Plain text for ``lossterm explain`` and the TUI's theory screen."""
    spec = get_loss(name)
    ref, head = spec.reference, spec.head
    eps = f"{ref.epsilon:g}" if ref.epsilon else "none"
    sklearn = f"{ref.sklearn}" + (f" ({ref.sklearn_difference})" if ref.sklearn_difference
                                  else " (same)") if ref.sklearn else "none"
    lines = [
        f"{spec.title} ({', '.join(spec.names)})",
        "",
        f"formula     {ref.formula}",
        f"epsilon     {eps}",
        f"reduction   {ref.reduction}",
        f"problem     {spec.kind}",
        *_two_node_line(spec),
        f"output      {'n' if head.per_class else '1'} unit(s), {head.key}",
        f"targets     {spec.target_encoding}",
        f"sklearn     {sklearn}",
        *_parameter_lines(spec),
        "",
        f"why: {spec.why}",
        "",
        f"head: {spec.head_reason}.",
        "",
        f"pitfalls: {spec.pitfalls}",
        "",
        f"metric: {metric_advice(spec)}",
    ]
    return "\n".join(lines) + "\n"


def _two_node_line(spec: LossSpec) -> list[str]:
    """A multiclass loss named on a binary problem trains it in its two-node form: say so."""

    if spec.kind != "multiclass" or has_two_node_form(spec):
        return []
    return [f"{'':11s} binary too, named with --loss: {form_text(two_node_form(spec))}"]


def _parameter_lines(spec: LossSpec) -> list[str]:
    """One line per parameter: its value, what it does, where the default comes from."""
    lines: list[str] = []
    for p in spec.parameters:
        value = spec.arguments[p.name]
        set_here = " (set)" if p.name in dict(spec.settings) else ""
        lines.append(f"{'parameters' if not lines else '':11s} {p.name} = {value:g}{set_here}, "
                     f"{p.range_text.removeprefix('in ')}: {p.meaning}; default {p.source}")
    if lines:
        example = ",".join(f"{p.name}={p.default:g}" for p in spec.parameters)
        lines.append(f"{'':11s} set as {spec.short_name.split(':')[0]}:{example}")
    return lines


def shape_axis(kind: str) -> str:
    axes: dict[str, str] = {Kind.REGRESSION: "residual ŷ - y", Kind.BINARY: "margin y·f"}
    return axes.get(kind, "margin m: true class's score - the others'")


def shape_reading(kind: str) -> str:
    """What the shape's x axis means in probabilities, where a head gives them: the
    margin is the axis every loss of a kind shares whatever its head (a scores head such
    as categorical hinge's has no probability), and for a probability head it is the
    logit, so the probability of the true class can be read off it."""
    if kind == Kind.REGRESSION:
        return "x: the residual ŷ - y at y = 1"
    if kind == Kind.BINARY:
        return ("x: the margin y·f (f: the tanh output, or the logit for a sigmoid head: "
                "p(true class) = 1/(1 + e^-m): 0.05 at -3, 0.5 at 0, 0.95 at 3)")
    p = [np.exp(m) / (np.exp(m) + 2) for m in (-3, 0, 3)]
    return ("x: the margin m of the true class's score over the others'; under a softmax "
            f"p(true class) = e^m/(e^m + 2) with 3 classes: {p[0]:.2f} at -3, {p[1]:.2f} at 0, "
            f"{p[2]:.2f} at 3")


def shape(name: str, points: int = 81, target: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(x, loss of one sample at x) for the axis of the loss's kind."""
    spec = get_loss(name)
    f = spec.reference.function
    x = np.linspace(-3, 3, points)
    if spec.kind == Kind.REGRESSION:
        return x, np.array([f(np.array([target]), np.array([target + r])) for r in x])
    if spec.kind == Kind.BINARY:
        return x, np.array([f(np.array([1.0]), _binary_output(spec.head, m)) for m in x])
    truth = np.array([0]) if spec.target_encoding == Encoding.INTEGER else np.eye(3)[[0]]
    return x, np.array([f(truth, _multiclass_output(spec.head, m)) for m in x])


def _binary_output(head: Head, margin: float) -> np.ndarray:
    """The output at ``margin`` for a class-1 sample: f itself, or the sigmoid of a logit."""
    return np.array([1 / (1 + np.exp(-margin)) if head.probabilities else margin])


def _multiclass_output(head: Head, margin: float) -> np.ndarray:
    """Three classes, the true one ``margin`` above the two others: the scores themselves,
    or their softmax when the head gives probabilities."""
    scores = np.array([[margin, 0.0, 0.0]])
    return np.exp(scores) / np.exp(scores).sum() if head.probabilities else scores

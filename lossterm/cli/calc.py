"""``lossterm calc`` and ``lossterm explain``: a loss by hand, from three implementations.

The reference path (NumPy) needs neither Keras nor scikit-learn; they are
imported only when their figures are asked for.
"""

from __future__ import annotations

import json
import math
import re
import sys
import warnings

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.types import Encoding, Kind
from lossterm.losses import LossSpec, get_loss
from lossterm.losses.reference import cce_textbook
from lossterm.losses.theory import explain
from lossterm.runtime.backend import load_keras

INTEGER, ONE_HOT, PLUS_MINUS_ONE = Encoding.INTEGER, Encoding.ONE_HOT, Encoding.PLUS_MINUS_ONE
TOLERANCE = 1e-6


def parse_values(parts: list[str], option: str) -> np.ndarray:
    """'1 0 1', '1,0,1' or, for rows, '1,0,0;0,1,0' (one argument or several)."""
    text = " ".join(parts).strip()
    rows = [r for r in text.split(";") if r.strip()]
    try:
        values = [[float(v) for v in re.split(r"[,\s]+", r.strip())] for r in rows]
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}; give numbers separated by spaces or commas, rows "
                         "by ';'") from None
    if not values:
        raise UsageError(f"{option} needs at least one number")
    if len({len(r) for r in values}) > 1:
        raise UsageError(f"{option}: rows have different lengths")
    array = np.array(values if ";" in text else [v for r in values for v in r])
    if not np.all(np.isfinite(array)):
        raise UsageError(f"{option}: values must be finite numbers")
    return array


def validate(spec: LossSpec, actual: np.ndarray, predicted: np.ndarray) -> None:
    """Raise UsageError for inputs this loss cannot take, naming what it needs."""
    name = spec.name
    if spec.kind == Kind.MULTICLASS:
        if spec.target_encoding == INTEGER:
            if actual.ndim != 1 or actual.size != predicted.shape[0]:
                raise UsageError(f"{name} needs one integer label per row of --predicted")
            if np.any(actual != np.round(actual)) or actual.min() < 0 or \
                    actual.max() >= predicted.shape[1]:
                raise UsageError(f"{name} labels must be integers 0..{predicted.shape[1] - 1}")
        elif actual.shape != predicted.shape:
            raise UsageError(f"{name} needs --actual as {spec.target_encoding} rows shaped like "
                             f"--predicted: got {_shape(actual)} and {_shape(predicted)}")
        elif np.any((actual < 0) | (actual > 1)) or not np.allclose(actual.sum(axis=1), 1):
            raise UsageError(f"{name} needs each --actual row to be one-hot (or a distribution "
                             "summing to 1)")
    elif actual.shape != predicted.shape or actual.ndim != 1:
        raise UsageError(f"--actual and --predicted must be two lists of the same length: got "
                         f"{_shape(actual)} and {_shape(predicted)}")
    if spec.head.probabilities and np.any((predicted < 0) | (predicted > 1)):
        raise UsageError(f"{name} takes probabilities: --predicted values must be in [0, 1]")
    if spec.target_encoding == PLUS_MINUS_ONE and not (
            np.all(np.isin(actual, (-1, 1))) or np.all(np.isin(actual, (0, 1)))):
        raise UsageError(f"{name} labels must be -1 and 1 (or 0 and 1, which Keras converts)")
    if spec.kind == Kind.BINARY and spec.target_encoding == Encoding.AS_IS and \
            np.any((actual < 0) | (actual > 1)):
        raise UsageError(f"{name} labels must be in [0, 1] (class 1 is 1)")
    if name == "poisson" and (np.any(actual < 0) or np.any(predicted <= 0)):
        raise UsageError("poisson needs --actual >= 0 (counts) and --predicted > 0 (a rate)")


def _shape(a: np.ndarray) -> str:
    return f"{a.shape[0]} values" if a.ndim == 1 else f"{a.shape[0]}x{a.shape[1]} rows"


def keras_value(spec: LossSpec, actual, predicted) -> float:
    keras = load_keras()
    y = actual.astype(np.int64) if spec.target_encoding == INTEGER else _column(actual)
    loss = spec.make_keras_loss(dtype="float64")
    return float(keras.ops.convert_to_numpy(loss(y, _column(predicted))))


def _column(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, 1) if a.ndim == 1 else a


def sklearn_value(spec: LossSpec, actual, predicted) -> tuple[str, float | None, str]:
    """(function name, its value or None, why none)."""

    from sklearn import metrics

    name = spec.reference.sklearn
    if not name:
        return "", None, ""
    function = getattr(metrics, name)
    if spec.kind == Kind.MULTICLASS:
        labels = list(range(predicted.shape[1]))
        truth = actual.astype(int) if spec.target_encoding == INTEGER else actual.argmax(axis=1)
        args, kwargs = (truth, predicted), {"labels": labels}
    elif name == "log_loss":
        args, kwargs = (actual, predicted), {"labels": [0, 1]}
    else:
        args, kwargs = (actual, predicted), {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return name, float(function(*args, **kwargs)), ""
    except ValueError as exc:
        return name, None, str(exc).splitlines()[0]


def calculate(loss: str, actual: np.ndarray, predicted: np.ndarray, *,
              reference_only: bool = False) -> dict:
    spec = get_loss(loss)
    if spec.kind == Kind.MULTICLASS:  # one row may come without a ';'
        predicted = predicted.reshape(1, -1) if predicted.ndim == 1 else predicted
        if spec.target_encoding != INTEGER and actual.ndim == 1:
            actual = actual.reshape(1, -1)
    validate(spec, actual, predicted)
    # finite inputs near float64's limit overflow inside the formula: the result says so in
    # words (an explanation), never as a RuntimeWarning on stderr
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = float(spec.reference.function(actual, predicted))
        out = {"loss": spec.name, "samples": int(predicted.shape[0]), "reference": reference,
               "keras": None, "sklearn": None, "explanations": []}
        if not reference_only:
            out["keras"] = keras_value(spec, actual, predicted)
            function, value, refused = sklearn_value(spec, actual, predicted)
            if function:
                out["sklearn"] = {"function": function, "value": value, "refused": refused}
        out["explanations"] = explanations(spec, actual, predicted, out)
    return out


OVERFLOW = ("a figure overflowed float64 (whose largest value is about 1.8e308): the inputs "
            "are finite but that implementation's terms are not, so it says inf (or nan, for "
            "inf - inf) instead of a number")


def figure(value: float) -> str:
    """A loss as people read it: six decimals in the usual range, six significant digits
    beyond it (never 300 digits), and an overflow in words."""
    if math.isnan(value):
        return "nan (overflow)"
    if math.isinf(value):
        return ("-" if value < 0 else "") + "inf (overflow)"
    if value == 0 or 1e-4 <= abs(value) < 1e6:
        return f"{value:.6f}"
    return f"{value:.6g}"


def _finite_or_none(value):
    """JSON has no inf or nan: an overflowed figure is null, and the explanation says why."""
    return value if value is None or math.isfinite(value) else None


def as_json(out: dict) -> str:
    data = {**out, "reference": _finite_or_none(out["reference"]),
            "keras": _finite_or_none(out["keras"])}
    if out["sklearn"]:
        data["sklearn"] = {**out["sklearn"], "value": _finite_or_none(out["sklearn"]["value"])}
    return json.dumps(data, indent=2) + "\n"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def explanations(spec: LossSpec, actual, predicted, out: dict) -> list[str]:
    """Why the figures differ, in words, when they do."""
    notes = []
    ref = spec.reference
    figures = [out["reference"], out["keras"], (out["sklearn"] or {}).get("value")]
    if any(v is not None and not math.isfinite(v) for v in figures):
        return [OVERFLOW]  # comparing overflowed figures says nothing
    if out["keras"] is not None and not _close(out["keras"], out["reference"]):
        notes.append(f"the reference and Keras differ by {abs(out['keras'] - out['reference']):.3g}"
                     " (unexpected: please report it)")
    if spec.target_encoding == ONE_HOT and spec.head.probabilities and \
            not np.allclose(predicted.sum(axis=1), 1):
        plain = cce_textbook(actual, predicted)
        notes.append(f"predicted rows do not sum to 1: Keras renormalises them first; the plain "
                     f"formula Σ y·log ŷ gives {plain:.6f}")
    if spec.target_encoding == PLUS_MINUS_ONE and np.all(np.isin(actual, (0, 1))):
        notes.append("labels 0/1 were converted to -1/1, as Keras does when all labels are 0 or 1")
    sk = out["sklearn"]
    if sk is None:
        return notes
    if sk["value"] is None:
        notes.append(f"scikit-learn's {sk['function']} refuses this input ({sk['refused']}); "
                     f"{ref.sklearn_difference}")
    elif not _close(sk["value"], out["reference"]):
        notes.append(f"scikit-learn's {sk['function']} differs: {ref.sklearn_difference}"
                     + _sklearn_arithmetic(spec, actual, predicted, sk["value"]))
    return notes


def _sklearn_arithmetic(spec, actual, predicted, value) -> str:
    if spec.name == "mean_absolute_percentage_error":
        return f" (100 × {value:.6f} = {100 * value:.6f})"
    if spec.name == "poisson":
        y_log_y = np.where(actual > 0, actual * np.log(np.where(actual > 0, actual, 1)), 0)
        return (f" (deviance / 2 - mean(y·log y - y) = "
                f"{value / 2 - float(np.mean(y_log_y - actual)):.6f})")
    return ""


def format_text(out: dict) -> str:
    lines = [f"{out['loss']} on {out['samples']} sample(s)",
             f"  {'reference (NumPy)':26s} {figure(out['reference'])}"]
    if out["keras"] is not None:
        lines.append(f"  {'Keras':26s} {figure(out['keras'])}")
    sk = out["sklearn"]
    if sk:
        shown = figure(sk["value"]) if sk["value"] is not None else "refused"
        lines.append(f"  {'scikit-learn ' + sk['function']:26s} {shown}")
    elif out["keras"] is not None:
        lines.append(f"  {'scikit-learn':26s} (no such loss)")
    lines += [f"note: {n}" for n in out["explanations"]]
    if out["keras"] is not None and not out["explanations"]:
        lines.append("all agree")
    return "\n".join(lines) + "\n"


def run_calc(args) -> int:
    actual = parse_values(args.actual, "--actual")
    predicted = parse_values(args.predicted, "--predicted")
    out = calculate(args.loss, actual, predicted, reference_only=args.reference_only)
    sys.stdout.write(as_json(out) if args.format == "json" else format_text(out))
    return 0


def run_explain(args) -> int:
    sys.stdout.write(explain(args.loss))
    return 0

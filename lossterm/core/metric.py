"""One record per metric, read in one place: its direction, whether it is a share, its
title, how its figures and gaps are written, and which metrics each problem kind logs
per epoch, scores in its matrix and reads first.

Why one registry: the same facts were once written in six places with different rules
(one module guessed the direction from a name ending in "accuracy", another looked it up,
a third listed the "accuracy-like" metrics by hand), so a new metric could rank
backwards in one report and forwards in another. Keras keeps a metric's direction on
the metric and reads it in one place (``keras/src/metrics/accuracy_metrics.py``,
``callbacks/monitor_callback.py``); lossterm does the same with :class:`Metric`.

A **share** is a figure that lies in [0, 1] by construction (a share of rows or labels
right or wrong, an area under a curve, a calibration gap): its intervals must stay
inside [0, 1] (:func:`lossterm.analysis.stats.summarize`) and its gaps read as points
(100 x the difference). The multiclass Brier score (0 to 2) and R² (at most 1, with no
floor) are not shares.

This module imports nothing of lossterm's but its closed sets and errors: every layer
may read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import overload

from lossterm.core.errors import UsageError
from lossterm.core.types import Kind


@dataclass(frozen=True)
class Metric:
    """What a person and a verdict need to know of one metric."""

    name: str
    title: str  # how a report heads its column and names its gaps ("MSE", "accuracy")
    higher_is_better: bool
    share: bool  # lies in [0, 1]: intervals stay inside, gaps read as points
    needs_probabilities: bool = False

    @property
    def epoch_key(self) -> str:
        """The key of its held-out figure in an epoch's logs (``val_accuracy``)."""
        return "val_" + self.name

    def text(self, value: float | None) -> str:
        """A figure as reports write it: 3 decimals for a share, 4 significant digits else."""
        if value is None or not math.isfinite(value):
            return "—"
        return f"{value:.3f}" if self.share else f"{value:.4g}"

    def amount(self, difference: float) -> str:
        """The size of a gap in the metric's own words: "1.8 points of accuracy" for a
        share, "0.0034 MSE" otherwise (the sign is the caller's to say)."""
        unit = f"points of {self.title}" if self.share else self.title
        return f"{self.size(difference)} {unit}"

    def size(self, difference: float) -> str:
        """The size of a gap as a bare number: points (100 x) for a share."""
        return f"{100 * abs(difference):.1f}" if self.share else f"{abs(difference):.4g}"

    def better(self, value: float, than: float) -> bool:
        """Strictly better in this metric's direction."""
        return value > than if self.higher_is_better else value < than


_MATRIX = (
    Metric("mse", "MSE", False, share=False),
    Metric("rmse", "RMSE", False, share=False),
    Metric("mae", "MAE", False, share=False),
    Metric("median_absolute_error", "median AE", False, share=False),
    Metric("r2", "R²", True, share=False),
    Metric("accuracy", "accuracy", True, share=True),
    Metric("balanced_accuracy", "balanced accuracy", True, share=True),
    Metric("f1", "F1", True, share=True),
    Metric("macro_f1", "macro F1", True, share=True),
    Metric("subset_accuracy", "subset accuracy", True, share=True),
    Metric("hamming_loss", "Hamming loss", False, share=True),
    Metric("micro_f1", "micro F1", True, share=True),
    Metric("roc_auc", "ROC AUC", True, share=True),
    Metric("log_loss", "log loss", False, share=False, needs_probabilities=True),
    Metric("brier", "Brier", False, share=False, needs_probabilities=True),  # 0-2 multiclass
    Metric("ece", "ECE", False, share=True, needs_probabilities=True),
)
# Figures an epoch's logs hold beyond the matrix: the training loss (a checkpoint may be
# chosen on val_loss) and, for a tanh head, what Keras 2's and Keras 3's plain "accuracy"
# would say (see lossterm.metrics.fair.legacy_accuracies).
_EPOCH_ONLY = (
    Metric("loss", "loss", False, share=False),
    Metric("keras2_accuracy", "Keras 2 accuracy", True, share=True),
    Metric("keras3_accuracy", "Keras 3 accuracy", True, share=True),
)
METRICS = MappingProxyType({m.name: m for m in _MATRIX})  # --metric's choices
_ALL = MappingProxyType({m.name: m for m in _MATRIX + _EPOCH_ONLY})

_KIND_MATRIX = MappingProxyType({
    Kind.REGRESSION: ("mse", "rmse", "mae", "median_absolute_error", "r2"),
    Kind.BINARY: ("accuracy", "balanced_accuracy", "f1", "roc_auc", "log_loss", "brier",
                  "ece"),
    Kind.MULTICLASS: ("accuracy", "balanced_accuracy", "macro_f1", "log_loss", "brier", "ece"),
    Kind.MULTILABEL: ("subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"),
})
# What every epoch's logs hold per kind (train and val_), the one a person reads first
# leading; a regression on several targets adds mse[name] per target.
_KIND_EPOCH = MappingProxyType({
    Kind.REGRESSION: ("mse", "rmse", "mae"),
    Kind.BINARY: ("accuracy",),
    Kind.MULTICLASS: ("accuracy",),
    Kind.MULTILABEL: ("subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"),
})
TANH_EPOCH = ("keras2_accuracy", "keras3_accuracy")  # a tanh head's epochs add these
# Other spellings --metric takes (scikit-learn's average= order).
METRIC_ALIASES = MappingProxyType({"f1_micro": "micro_f1", "f1_macro": "macro_f1"})


def get_metric(name: str) -> Metric:
    """The record of ``name``; a per-target figure (``mse[a]``) is its base metric's.
    UsageError naming the choices for a name no table holds."""
    base = per_target_base(canonical_metric(name))[0]
    try:
        return _ALL[base]
    except KeyError:
        raise UsageError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}",
                         field="metric") from None


def higher_is_better(name: str) -> bool:
    return get_metric(name).higher_is_better


def is_share(name: str) -> bool:
    return get_metric(name).share


def metric_title(name: str) -> str:
    base, target = per_target_base(name)
    return get_metric(base).title + (f"[{target}]" if target is not None else "")


def per_target_base(name: str) -> tuple[str, str | None]:
    """``("mse", "a")`` for a per-target figure ``mse[a]``; ``(name, None)`` otherwise."""
    if name.endswith("]") and "[" in name:
        base, _, target = name[:-1].partition("[")
        return base, target
    return name, None


@overload
def canonical_metric(name: str) -> str: ...
@overload
def canonical_metric(name: None) -> None: ...
def canonical_metric(name: str | None) -> str | None:
    """``name`` as the matrix spells it (``f1_micro`` -> ``micro_f1``)."""
    return None if name is None else METRIC_ALIASES.get(name, name)


def metric_names_for(kind: Kind | str) -> tuple[str, ...]:
    """Every metric of the matrix for a problem kind, in report order."""
    return _KIND_MATRIX[Kind(kind)]


def epoch_metric_names(kind: Kind | str, tanh: bool = False) -> tuple[str, ...]:
    """The metrics every epoch's logs hold for ``kind``, the one read first leading
    (``tanh``: a tanh head, whose logs add Keras 2's and 3's plain accuracy)."""
    return _KIND_EPOCH[Kind(kind)] + (TANH_EPOCH if tanh else ())


def default_metric(kind: Kind | str) -> str:
    """The figure a person reads first for a kind: MSE (the mean over targets), accuracy,
    or for multilabel subset accuracy (every label of a row right)."""
    return _KIND_EPOCH[Kind(kind)][0]


def checkpoint_metric(kind: Kind | str, metric: str) -> str:
    """The per-epoch metric a checkpoint is chosen on: ``metric`` if the logs hold it,
    else the kind's default."""
    return metric if metric in _KIND_EPOCH[Kind(kind)] else default_metric(kind)


def check_metric(kind: Kind | str, name: str) -> str:
    """``name`` if it is a metric of ``kind``; else a usage error naming the choices."""
    names = metric_names_for(kind)
    name = canonical_metric(name)
    if name not in names:
        raise UsageError(f"{name!r} is no metric for {Kind(kind)} problems; choose from "
                         f"{', '.join(names)}", field="metric")
    return name


__all__ = ["METRICS", "METRIC_ALIASES", "TANH_EPOCH", "Metric", "canonical_metric",
           "check_metric", "checkpoint_metric", "default_metric", "epoch_metric_names",
           "get_metric", "higher_is_better", "is_share", "metric_names_for", "metric_title",
           "per_target_base"]

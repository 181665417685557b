"""Perturbations of the training split, seeded: what makes robust losses differ.

Label noise and class imbalance are where focal and cross-entropy part ways;
outlying targets are where MAE and Huber part from MSE. The test split is
left clean, so test figures say how well each loss saw through the damage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lossterm.engine.problems import REGRESSION, Problem
from lossterm.errors import UsageError

OUTLIER_SCALE = (5.0, 10.0)  # an outlier moves its target by 5-10 standard deviations


@dataclass(frozen=True)
class Perturbation:
    label_noise: float = 0.0  # fraction of training labels flipped to another class
    outliers: float = 0.0  # fraction of training targets given a large error
    imbalance: float = 1.0  # fraction of class 1's training rows kept
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.label_noise or self.outliers or self.imbalance < 1)

    def suffix(self) -> str:
        parts = []
        if self.label_noise:
            parts.append(f"noise{self.label_noise:g}")
        if self.outliers:
            parts.append(f"outliers{self.outliers:g}")
        if self.imbalance < 1:
            parts.append(f"imbalance{self.imbalance:g}")
        return "+" + "+".join(parts) if parts else ""

    def for_kind(self, kind: str) -> "Perturbation":
        """The part of this perturbation that applies to a problem of ``kind``."""
        if kind == REGRESSION:
            return Perturbation(outliers=self.outliers, seed=self.seed)
        if kind == "multilabel":  # none applies to several target columns (yet)
            return Perturbation(seed=self.seed)
        return Perturbation(label_noise=self.label_noise, imbalance=self.imbalance,
                            seed=self.seed)

    def describe(self) -> str:
        return self.suffix()[1:].replace("+", ", ") or "none"

    def validate(self) -> None:
        for name in ("label_noise", "outliers"):
            if not 0 <= getattr(self, name) < 1:
                raise UsageError("{field} must be in [0, 1)", field=name)
        if not 0 < self.imbalance <= 1:
            raise UsageError("{field} must be in (0, 1]: the share of class 1 kept",
                             field="imbalance")


def perturb(problem: Problem, p: Perturbation) -> Problem:
    """``problem`` with its training split perturbed, named ``name+...``: a new value
    whose ``source`` records the perturbation; ``problem`` itself is untouched."""
    p.validate()
    if not p.active:
        return problem
    if problem.n_targets > 1:
        raise UsageError(f"perturbations take one target column; {problem.name} has "
                         f"{problem.n_targets} ({problem.kind})")
    if problem.kind == REGRESSION and (p.label_noise or p.imbalance < 1):
        raise UsageError(f"{{field:label_noise}} and {{field:imbalance}} need a classification "
                         f"problem; {problem.name} is regression (try {{field:outliers}})",
                         field="label_noise" if p.label_noise else "imbalance")
    if problem.kind != REGRESSION and p.outliers:
        raise UsageError(f"{{field}} needs a regression problem; {problem.name} is "
                         f"{problem.kind} (try {{field:label_noise}} or {{field:imbalance}})",
                         field="outliers")
    rng = np.random.default_rng(p.seed)
    X, y = problem.X_train.copy(), problem.y_train.copy()
    notes = list(problem.warnings)
    if p.outliers:
        y, line = _outliers(y, p.outliers, rng)
        notes.append(line)
    if p.label_noise:
        y, line = _flip(y, p.label_noise, problem.n_classes, rng)
        notes.append(line)
    if p.imbalance < 1:
        X, y, line = _subsample(X, y, p.imbalance, rng)
        notes.append(line)
    name = problem.name + p.suffix()
    return replace(problem, name=name, X_train=X, y_train=y,
                   description=problem.description + p.suffix(), warnings=tuple(notes),
                   source=replace(problem.source, perturbation=p))


def _outliers(y, share, rng):
    rows = rng.choice(y.size, size=max(1, round(share * y.size)), replace=False)
    size = rng.uniform(*OUTLIER_SCALE, size=rows.size) * float(y.std() or 1.0)
    y[rows] += rng.choice([-1.0, 1.0], size=rows.size) * size
    return y, (f"perturbed: {rows.size} of {y.size} training targets moved by "
               f"{OUTLIER_SCALE[0]:g}-{OUTLIER_SCALE[1]:g} standard deviations (test set clean)")


def _flip(y, share, n_classes, rng):
    rows = rng.choice(y.size, size=max(1, round(share * y.size)), replace=False)
    shift = rng.integers(1, n_classes, size=rows.size)  # never the same class
    y[rows] = (y[rows] + shift) % n_classes
    return y, f"perturbed: {rows.size} of {y.size} training labels flipped (test set clean)"


def _subsample(X, y, keep, rng):
    ones = np.flatnonzero(y == 1)
    dropped = rng.choice(ones, size=round((1 - keep) * ones.size), replace=False)
    mask = np.ones(y.size, dtype=bool)
    mask[dropped] = False
    if np.sum(mask & (y == 1)) == 0:
        raise UsageError(f"{{field}} {keep:g} leaves no training rows of class 1",
                         field="imbalance")
    line = (f"perturbed: kept {int(np.sum(mask & (y == 1)))} of {ones.size} class-1 training "
            f"rows (test set clean)")
    return X[mask], y[mask], line

"""Perturbations of the training split, seeded: what makes robust losses differ.

Label noise and class imbalance are where focal and cross-entropy part ways;
outlying targets are where MAE and Huber part from MSE. The test split is
left clean, so test figures say how well each loss saw through the damage.

Label noise, at rate P on a problem of K classes and n training rows:

- **symmetric** (the default): exactly round(P·n) training rows, drawn at random, each
  get a class drawn uniformly from the *other* K − 1 classes, so P is the share of
  wrong labels. This is the convention of the symmetric cross-entropy and NCE+RCE
  papers' code (Wang et al. 2019; Ma et al. 2020: "flip to another class"); some
  papers instead redraw a share P over all K classes, the true one included, which
  leaves only P·(K − 1)/K of the labels wrong: compare rates across papers with care.
- **asymmetric**: the same rows, but class i always becomes class (i + 1) mod K: the
  papers' generic class-dependent form (their CIFAR-100 noise, next class within a
  superclass; their MNIST and CIFAR-10 pairs such as 7 → 1 are dataset-specific).

On two classes both kinds swap 0 and 1. The rows are a prefix of one seeded
permutation and each row's new class is drawn once, so with one seed the rows
flipped at rate 0.2 are among those flipped at 0.4, flipped the same way: a
noise sweep's points differ by the noise alone. Labels stop being learnable
(the true class no longer the most frequent label of its rows) at P = (K − 1)/K
for symmetric noise and at P = 0.5 for asymmetric (and for two classes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.data.problems import REGRESSION, Problem

OUTLIER_SCALE = (5.0, 10.0)  # an outlier moves its target by 5-10 standard deviations
SYMMETRIC, ASYMMETRIC = "symmetric", "asymmetric"
NOISE_KINDS = (SYMMETRIC, ASYMMETRIC)
NOISE_DEFINITIONS = {
    SYMMETRIC: "a share P of the training labels (exactly round(P·n) rows, drawn at random) "
               "each moved to a class drawn uniformly from the other K − 1 classes, so P is "
               "the share of wrong labels (the SCE and NCE+RCE papers' convention)",
    ASYMMETRIC: "a share P of the training labels (exactly round(P·n) rows, drawn at random) "
                "each moved from class i to class (i + 1) mod K (the papers' generic "
                "class-dependent form)",
}


@dataclass(frozen=True)
class Perturbation:
    label_noise: float = 0.0  # fraction of training labels flipped to another class
    outliers: float = 0.0  # fraction of training targets given a large error
    imbalance: float = 1.0  # fraction of class 1's training rows kept
    seed: int = 0
    noise_kind: str = SYMMETRIC  # how a flipped label moves (see the module's docstring)

    @property
    def active(self) -> bool:
        return bool(self.label_noise or self.outliers or self.imbalance < 1)

    def suffix(self) -> str:
        parts = []
        if self.label_noise:
            asym = "asym-" if self.noise_kind == ASYMMETRIC else ""
            parts.append(f"{asym}noise{self.label_noise:g}")
        if self.outliers:
            parts.append(f"outliers{self.outliers:g}")
        if self.imbalance < 1:
            parts.append(f"imbalance{self.imbalance:g}")
        return "+" + "+".join(parts) if parts else ""

    def for_kind(self, kind: str) -> Perturbation:
        """The part of this perturbation that applies to a problem of ``kind``."""
        if kind == REGRESSION:
            return Perturbation(outliers=self.outliers, seed=self.seed)
        if kind == "multilabel":  # none applies to several target columns (yet)
            return Perturbation(seed=self.seed)
        return Perturbation(label_noise=self.label_noise, imbalance=self.imbalance,
                            seed=self.seed, noise_kind=self.noise_kind)

    def describe(self) -> str:
        """In words, for a person: "label noise 0.2, imbalance 0.5" (the name's suffix,
        "+noise0.2+imbalance0.5", is for file names and tables); "none"."""
        parts = []
        if self.label_noise:
            asym = "asymmetric " if self.noise_kind == ASYMMETRIC else ""
            parts.append(f"{asym}label noise {self.label_noise:g}")
        if self.outliers:
            parts.append(f"outliers {self.outliers:g}")
        if self.imbalance < 1:
            parts.append(f"imbalance {self.imbalance:g}")
        return ", ".join(parts) or "none"

    def validate(self) -> None:
        for name in ("label_noise", "outliers"):
            if not 0 <= getattr(self, name) < 1:
                raise UsageError("{field} must be in [0, 1)", field=name)
        if self.noise_kind not in NOISE_KINDS:
            raise UsageError(f"{{field}} is symmetric or asymmetric, not {self.noise_kind!r}",
                             field="noise_kind")
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
        y, line = _flip(y, p.label_noise, problem.n_classes, rng, p.noise_kind)
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


def flipped_rows(n: int, share: float) -> int:
    """How many of ``n`` labels a label-noise rate ``share`` flips: round(share·n), at
    least one when ``share`` > 0."""
    return max(1, round(share * n)) if share > 0 else 0


def _flip(y, share, n_classes, rng, kind=SYMMETRIC):
    """Flip ``share`` of ``y``: the first rows of one seeded permutation, each by a shift
    drawn once per row, so that lower rates flip a subset of a higher rate's rows, the
    same way (the draws do not depend on ``share``)."""
    order = rng.permutation(y.size)
    shifts = rng.integers(1, n_classes, size=y.size)  # 1..K-1: never the same class
    rows = order[:flipped_rows(y.size, share)]
    shift = 1 if kind == ASYMMETRIC else shifts[rows]
    y[rows] = (y[rows] + shift) % n_classes
    how = "to the next class, i -> i+1 mod K" if kind == ASYMMETRIC else "to another class"
    return y, (f"perturbed: {rows.size} of {y.size} training labels flipped {how} "
               "(test set clean)")


def unlearnable_from(kind: str, n_classes: int) -> float:
    """The label-noise rate from which the true class is no longer the most frequent label
    of its rows: (K − 1)/K for symmetric noise, 0.5 for asymmetric (and two classes)."""
    if kind == ASYMMETRIC or n_classes <= 2:
        return 0.5
    return (n_classes - 1) / n_classes


def unlearnable_warning(rate: float, kind: str, n_classes: int) -> str | None:
    """A line when ``rate`` of ``kind`` noise leaves the labels unlearnable, else None."""
    limit = unlearnable_from(kind, n_classes)
    if rate < limit:
        return None
    return (f"label noise {rate:g} ({kind}, {n_classes} classes) is at or beyond {limit:.3g}: "
            "a wrong label is then at least as frequent as the true one among a class's rows, "
            "so no loss can learn the classes from these labels")


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

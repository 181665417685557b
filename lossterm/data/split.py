"""Train / validation / test: the tuning view of a problem.

A study never shows the test split to anything that chooses. It trains on the
problem's training rows less a validation share, and the engine's per-epoch
"val" figures must be validation figures; so the *tuning view* is a
:class:`Problem` whose training split is the training rows less the validation
rows and whose test split **is** the validation rows. The engine needs no third
split, and nothing trained in a study ever holds the real test arrays: they are
read once per final model, after training, by :func:`lossterm.training.evaluate`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.data.own import label_strata
from lossterm.data.problems import MULTILABEL, REGRESSION, Problem


def validation_rows(problem: Problem, share: float, seed: int) -> np.ndarray:
    """Indices into ``problem``'s training rows held out for validation: ``share`` of them,
    seeded, stratified by class for classification, by label combination for multilabel
    when there are few enough (:func:`lossterm.data.own.label_strata`), with
    scikit-learn's ``train_test_split``."""
    from sklearn.model_selection import train_test_split

    y = problem.y_train
    n = len(y)
    stratify = None
    if problem.kind == MULTILABEL:  # by label combination, when the strata fit

        stratify = label_strata(y, share)[0]
    elif problem.kind != REGRESSION and y.ndim == 1:
        counts = np.bincount(y.astype(np.int64))
        if counts[counts > 0].min() >= 2:  # a class of one row cannot be on both sides
            stratify = y
    try:
        _, held = train_test_split(np.arange(n), test_size=share, random_state=seed,
                                   stratify=stratify)
    except ValueError as exc:
        raise UsageError(f"cannot hold out {{field}} {share} of {problem.name}'s {n} training "
                         f"rows for validation: {str(exc).split('. ')[0]}",
                         field="val_size") from None
    if len(held) == n:
        raise UsageError(f"{{field}} {share} leaves no training rows in {problem.name}",
                         field="val_size")
    return np.sort(held)


def tuning_view(problem: Problem, held: np.ndarray) -> Problem:
    """``problem`` trained on its training rows less ``held``, "tested" on the ``held`` rows.

    The view keeps the problem's name (reports say "circles"), kind, defaults and
    source; only its arrays and description change."""
    keep = np.ones(len(problem.y_train), dtype=bool)
    keep[held] = False
    return replace(
        problem,
        X_train=problem.X_train[keep], y_train=problem.y_train[keep],
        X_test=problem.X_train[held], y_test=problem.y_train[held],
        description=f"{problem.description} (tuning view: {int(keep.sum())} training rows, "
                    f"{len(held)} validation rows; the {len(problem.y_test)} test rows "
                    "held back)",
    )

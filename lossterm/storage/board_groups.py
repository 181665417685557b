"""A study's TensorBoard runs grouped by setting: one HParams trial per (problem, loss,
loss settings, learning rate, phase), its figures each seed's, summarised on writing
(:class:`~lossterm.storage.tensorboard.BoardGroup`).

The rule is read off the runs themselves: runs are seeds of one group when every
hyperparameter but ``seed`` is equal. So whatever a study adds to a run's hyperparameters
(a loss's own settings, focal γ or GCE q, say) separates groups without this module
knowing it. One convention is the study's (:func:`lossterm.report.study_data.board_runs`):
a final model's test figures are a run of their own, phase ``test``, so that no figure is
labelled with a split it was not measured on; here they join the final runs of the same
setting, each figure still named for its split ("validation/accuracy", "test/accuracy").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from lossterm.storage.tensorboard import BoardGroup, BoardRun, HParamValue

SEED, PHASE = "seed", "phase"
JOINS = {"test": "final"}  # a phase whose figures belong to another's runs
NAMED = ("problem", "loss", "learning_rate", PHASE, SEED)  # the folder's fixed parts
_ALWAYS_SAME = ("optimizer", "checkpoint")  # one per study: not worth a folder level


def board_groups(runs: Iterable[BoardRun]) -> list[BoardGroup]:
    """One :class:`BoardGroup` per setting of ``runs`` (in the order each was first
    seen), named ``PROBLEM/groups/LOSS/[SETTING=VALUE/...]lr=RATE/PHASE``; its
    hyperparameters the setting's, with ``seeds`` (the seeds it holds, "0,1,2") in
    place of ``seed``; its figures every finite final figure of its runs, by split."""
    members: dict[tuple, list[BoardRun]] = {}
    for run in runs:
        members.setdefault(_key(run), []).append(run)
    groups = []
    for key, group in members.items():
        hparams = dict(key)
        figures: dict[str, list[float]] = {}
        for run in group:
            for metric, value in run.final.items():
                if value is not None and math.isfinite(value):
                    figures.setdefault(f"{run.held_out}/{metric}", []).append(float(value))
        seeds = sorted({int(s) for r in group if (s := r.hparams.get(SEED)) is not None})
        hparams["seeds"] = ",".join(map(str, seeds))
        step = max((r.records[-1].epoch for r in group if r.records), default=0)
        groups.append(BoardGroup(_name(hparams), hparams, figures, step))
    return _distinct_names(groups)


def _key(run: BoardRun) -> tuple[tuple[str, HParamValue], ...]:
    hparams = {k: v for k, v in run.hparams.items() if k != SEED}
    if PHASE in hparams:
        hparams[PHASE] = JOINS.get(str(hparams[PHASE]), hparams[PHASE])
    return tuple(sorted(hparams.items()))


def _name(hparams: dict[str, HParamValue]) -> str:
    """The folder: the setting's own hyperparameters (the loss's settings) as levels
    between the loss and the rate."""
    own = [f"{k}={_value(v)}" for k, v in hparams.items()
           if k not in NAMED and k not in _ALWAYS_SAME and k != "seeds"]
    rate = hparams.get("learning_rate")
    parts = [str(hparams.get("problem", "")), "groups", str(hparams.get("loss", "")), *own,
             *([f"lr={_value(rate)}"] if rate is not None else []),
             str(hparams.get(PHASE, "all"))]
    return "/".join(p for p in parts if p)


def _value(value: HParamValue) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _distinct_names(groups: Sequence[BoardGroup]) -> list[BoardGroup]:
    """Two settings that differ only in what the name leaves out (an optimizer, a
    checkpoint) get "-2", "-3" on the later ones' phase folder."""
    seen: dict[str, int] = {}
    out = []
    for group in groups:
        count = seen[group.name] = seen.get(group.name, 0) + 1
        name = group.name if count == 1 else f"{group.name}-{count}"
        out.append(BoardGroup(name, group.hparams, group.figures, group.step))
    return out

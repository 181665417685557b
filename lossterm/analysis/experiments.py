"""Which stored runs are seeds of one experiment: the one rule ``lossterm report`` and the
TUI's ``v`` share.

A paired test treats runs as seeds of one experiment and pairs them by seed. Runs
that differ in anything else that changes a result (epochs, batch size, learning
rate, optimizer, momentum, width, checkpoint, the backend, the data) are other
experiments: pooling them calls a setting's effect seed noise (seen in the TUI: 5
and 200 epochs pooled into one "24.3 points behind (p = 0.02)"). A problem's name
carries its perturbation (``circles+noise0.2``); the data's fingerprint catches what
a name cannot (a file changed on disk, another perturbation seed). Everything a run
trained with is written once, by :func:`run_settings`, so the store, the report and
the TUI cannot disagree on what "the same settings" means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from lossterm.runtime.backend import running_backend
from lossterm.training.records import Job, RunResult

Entry = tuple[int, Mapping[str, object], RunResult]  # (order, settings, result), as the store lists runs


def run_settings(job: Job) -> dict[str, object]:
    """Everything ``job`` trains with, as the store records it: the job's settings, its
    data's fingerprint and the backend of this process."""
    return {**job.settings, "data": job.problem.fingerprint, "backend": running_backend()}


def experiment_key(settings: Mapping[str, object]) -> str:
    """What runs share when they are seeds of one experiment: every setting but the seed."""
    return json.dumps({k: v for k, v in settings.items() if k != "seed"}, sort_keys=True,
                      default=str)


def experiments(entries: list[Entry]) -> dict[tuple[str, str], list[Entry]]:
    """``entries`` by (problem, :func:`experiment_key`), each group oldest first, the
    groups in the order their first run was seen."""
    grouped: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        grouped.setdefault((entry[2].problem, experiment_key(entry[1])), []).append(entry)
    return grouped


def distinct(entries: Sequence[Entry]) -> tuple[list[RunResult], list[str]]:
    """The runs a report may compare, and a line for each thing left out.

    A report treats the runs of one (problem, loss) as seeds of one experiment and
    pairs them by seed. So a run stored twice (the same settings and seed, trained
    again) counts once, its latest; and where a (problem, loss) was stored with
    different settings (another learning rate, optimizer, width, epochs...), only the
    latest settings' runs are kept: pooling them would call a learning-rate change
    seed noise.
    """
    latest: dict[tuple[str, str], str] = {}  # (problem, loss) -> its latest settings
    for _, settings, result in entries:
        latest[(result.problem, result.loss)] = experiment_key(settings)
    kept: dict[tuple[str, str, int], RunResult] = {}
    other: dict[tuple[str, str], int] = {}
    repeats = 0
    for _, settings, result in entries:
        arm = (result.problem, result.loss)
        if experiment_key(settings) != latest[arm]:
            other[arm] = other.get(arm, 0) + 1
            continue
        slot = (*arm, result.seed)
        repeats += slot in kept
        kept[slot] = result  # oldest first: a later run of the same seed replaces it
    notes = []
    if repeats:
        notes.append(f"{repeats} run{'s' if repeats > 1 else ''} trained again with the same "
                     "settings and seed: only the latest of each counts (a seed counted twice "
                     "would look like agreement)")
    for (problem, loss), count in other.items():
        notes.append(f"{count} earlier run{'s' if count > 1 else ''} of {loss} on {problem} "
                     "used other settings and are left out: only the latest settings' runs "
                     "are compared (--last N picks the runs to report)")
    order = {id(r): i for i, (_, _, r) in enumerate(entries)}
    return sorted(kept.values(), key=lambda r: order[id(r)]), notes

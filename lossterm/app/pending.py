"""The TUI's unfinished work, kept in the store as it changes and offered again on start.

What a person asked for — runs queued by ``t``/``a``, a study (``S``) or a robustness
sweep (``R``) — is written as plain items (:mod:`lossterm.storage.pending`) each time
it changes: when runs are queued, start, end; when a study starts and ends. A run that
ended (done, diverged, failed) leaves the list; so does a study that ended with or
without a verdict. What is left when the process ends — ``q`` with runs queued, SIGTERM,
SIGHUP from a dropped link, ``kill -9`` — is what the next ``lossterm`` on the store
offers: queued again, the runs train exactly the seeds and settings they were asked
with, and a study or sweep resumes from its kept runs.

An item says what asked for the work, not the jobs themselves: the problem as listed
(own data by the name it was opened under), the perturbation, the loss and the seeds,
and the training settings each job had. Rebuilt through the same planning as ``t``, a
job trains the same thing it would have; a problem or a loss this session cannot make
(own data not opened, a loss file not loaded) is said in one line and left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from lossterm.analysis.study.protocol import Protocol as StudyProtocol
from lossterm.app.runs import RunView
from lossterm.app.settings import Settings
from lossterm.app.state import RunBoard
from lossterm.core.errors import LosstermError
from lossterm.data.files import DataOptions
from lossterm.data.perturb import Perturbation
from lossterm.options import Options
from lossterm.storage.pending import FinishedStudies, PendingWork
from lossterm.storage.study_runs import KEPT
from lossterm.training.records import Job, RunConfig

RUN, STUDY, SWEEP = "run", "study", "sweep"
# What a job was trained with besides its problem, loss and seed.
JOB_FIELDS = ("epochs", "learning_rate", "momentum", "batch_size", "hidden_units",
              "optimizer", "checkpoint", "checkpoint_metric")


def _perturbation(data: dict[str, Any]) -> Perturbation:
    return Perturbation(**data)


def run_item(run: RunView, listed: str, perturbation: Perturbation) -> dict[str, Any] | None:
    """A queued or training run as an item: the seeds it still has to train (a seed that
    ended for good is in the history and not trained again). None if none is left."""
    ended = {r.seed for r in run.results if r.status in KEPT}
    jobs = [j for j in run.jobs if j.seed not in ended]
    if not jobs:
        return None
    first = jobs[0]
    fields = {name: getattr(first, name) for name in JOB_FIELDS}
    return {"kind": RUN, "problem": listed, "perturbation": asdict(perturbation),
            "loss": first.loss.name, "short_name": first.loss.short_name,
            "seeds": [j.seed for j in jobs], "job": fields}


def study_item(kind: str, listed: str, perturbation: Perturbation, losses: list[str],
               seeds: int, options: Options | None = None) -> dict[str, Any]:
    """A study or sweep as an item: with the ``options`` it ran under, so that replaying
    it (to resume it, or to reopen it finished) asks for exactly the same runs."""
    item = {"kind": kind, "problem": listed, "perturbation": asdict(perturbation),
            "losses": list(losses), "seeds": seeds}
    if options is not None:
        item["options"] = options_item(options)
    return item


def options_item(options: Options) -> dict[str, Any]:
    """What of the options decides a study's runs, as plain JSON."""
    base = {k: v for k, v in asdict(options.base).items() if k not in ("problem", "loss")}
    return {"base": base, "protocol": asdict(options.protocol), "tune": options.tune,
            "noise_rates": list(options.noise_rates),
            "data": [asdict(data) for data in options.data]}


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def options_from(item: dict[str, Any], now: Options) -> Options:
    """``now`` (this session's options: its store and threads) with the study-deciding
    options of ``item`` (those it ran under); ``now`` unchanged for an item without."""
    kept = item.get("options")
    if not kept:
        return now
    base = {k: _tuple(v) for k, v in kept["base"].items()}
    protocol = {k: _tuple(v) for k, v in kept["protocol"].items()}
    data = kept.get("data") or []
    if isinstance(data, dict):  # an item kept before several files: one file's fields
        data = [data]
    return replace(now, base=RunConfig(problem="", loss="", **base),
                   protocol=StudyProtocol(**protocol), tune=kept.get("tune"),
                   noise_rates=tuple(kept.get("noise_rates") or ()),
                   data=tuple(DataOptions(**{k: _tuple(v) for k, v in d.items()})
                              for d in data) or now.data)


def rebuild_jobs(item: dict[str, Any], settings: Settings) -> list[Job]:
    """The jobs of a run item, planned as ``t`` plans them, then given the item's seeds
    and settings. Raises LosstermError if this session cannot make them."""
    seeds = [int(s) for s in item["seeds"]]
    plan = settings.plan(item["problem"], [item["loss"]], seeds=len(seeds),
                         perturbation=_perturbation(item["perturbation"]))
    fields = dict(item["job"])
    if isinstance(fields.get("hidden_units"), list):  # JSON made the tuple a list
        fields["hidden_units"] = tuple(fields["hidden_units"])
    return [replace(job, seed=seed, **fields) for job, seed in zip(plan.runs, seeds)]


def describe(items: list[dict[str, Any]]) -> list[str]:
    """One line per problem's runs and per study or sweep, as the offer shows them."""
    lines: list[str] = []
    runs: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item["kind"] == RUN:
            runs.setdefault(_where(item), []).append(item)
    for where, group in runs.items():
        names = ", ".join(f"{i['short_name']}" + (f" ×{len(i['seeds'])}"
                                                  if len(i["seeds"]) > 1 else "")
                          for i in group)
        lines.append(f"{len(group)} run{'s' if len(group) > 1 else ''} on {where}: {names}")
    for item in items:
        if item["kind"] == STUDY:
            lines.append(f"a study of {_where(item)} (its finished runs are kept: it resumes)")
        elif item["kind"] == SWEEP:
            lines.append(f"a robustness sweep of {item['problem']} (its finished runs are "
                         "kept: it resumes)")
    return lines


def _where(item: dict[str, Any]) -> str:
    suffix = _perturbation(item["perturbation"]).suffix()
    return item["problem"] + (suffix.replace("+", ", ") if suffix else "")


class Pending:
    """The App's unfinished work and where it is kept (nowhere without a store)."""

    def __init__(self, store_path=None):
        self.work = PendingWork(store_path) if store_path is not None else None
        # the studies ended on this store (V, and v with nothing of this session): one
        # connection for the App's life, not one per key
        self.finished = FinishedStudies(store_path) if store_path is not None else None
        self.origins: dict[int, tuple[str, Perturbation]] = {}  # run id -> listed, perturbation
        self.study: dict[str, Any] | None = None
        self.closing = False  # set on the way out: what is kept stays as it was
        self.offered = False  # an earlier session's unfinished work was offered (once)
        self._said = False

    def queued(self, runs: list[RunView], listed: str, perturbation: Perturbation) -> None:
        for run in runs:
            self.origins[run.id] = (listed, perturbation)

    def save(self, board: RunBoard, warn: Callable[[str], object] | None = None) -> None:
        """Keep what is unfinished on ``board`` and the study running, replacing what
        this process kept before; ``warn`` is told once if the store will not take it."""
        if self.work is None or self.closing:
            return
        items: list[dict[str, Any]] = []
        for run in board:
            origin = self.origins.get(run.id)
            if origin is None or run.finished:
                continue
            item = run_item(run, *origin)
            if item is not None:
                items.append(item)
        if self.study is not None:
            items.append(self.study)
        if not self.work.save(items) and warn is not None and not self._said:
            self._said = True
            warn(f"queued work is not kept for the next start: {self.work.failed}")

    def left_behind(self) -> list[dict[str, Any]]:
        return self.work.left_behind() if self.work is not None else []

    def forget_left_behind(self) -> None:
        if self.work is not None:
            self.work.forget_left_behind()

    def close(self) -> None:
        if self.work is not None:
            self.work.close()
        if self.finished is not None:
            self.finished.close()


def restore(items: list[dict[str, Any]], settings: Settings
            ) -> tuple[list[tuple[dict[str, Any], list[Job]]], list[dict[str, Any]], list[str]]:
    """The run items with their jobs rebuilt, the study and sweep items, and a line for
    each item this session cannot make (left out)."""
    runs, studies, refused = [], [], []
    for item in items:
        try:
            if item["kind"] == RUN:
                runs.append((item, rebuild_jobs(item, settings)))
            elif item["kind"] in (STUDY, SWEEP):
                settings.problem(item["problem"], _perturbation(item["perturbation"]))
                studies.append(item)
        except LosstermError as exc:
            refused.append(f"{item.get('problem')}: not queued again ({exc})")
        except (KeyError, TypeError, ValueError) as exc:  # an item an older lossterm wrote
            refused.append(f"an unreadable queued item left out ({exc})")
    return runs, studies, refused


def perturbation_of(item: dict[str, Any]) -> Perturbation:
    return _perturbation(item["perturbation"])

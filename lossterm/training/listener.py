"""Progress as one object: what a run, an epoch and a phase of many runs tell whoever watches.

Training used to hand three loose callables (``on_start``, ``on_epoch``, ``on_done``) down
six layers, each layer wrapping them again. A :class:`RunListener` is the one thing that
travels now; :class:`ListenerList` fans one call out to several, as Keras's
``CallbackList`` does for callbacks. Every method has a default that does nothing, so a
listener writes only the calls it cares about.

``index`` is the run's place in the list of jobs being trained, so a listener can keep
per-run state in a list; the job itself is passed at ``run_started``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lossterm.training.records import EpochRecord, Job, RunResult


class RunListener:
    """Told what training does, from whichever thread trains (a listener that touches a
    UI posts to it rather than drawing)."""

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        """A batch of runs begins (a study's phase, a sweep's point): its label and jobs."""

    def resumed(self, label: str, kept: int, total: int) -> None:
        """Before ``phase_started``: ``kept`` of the phase's ``total`` runs were found in
        the store and will not train (the phase then starts with the others only)."""

    def run_started(self, index: int, job: Job) -> None:
        """Run ``index`` (of the jobs being trained) starts."""

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        """Run ``index`` finished an epoch."""

    def run_ended(self, index: int, result: RunResult) -> None:
        """Run ``index`` ended: done, stopped, diverged or failed."""

    def group_ended(self, groups_done: int, groups: int, runs_done: int, runs: int,
                    placement: str) -> None:
        """On a cluster, after a group's runs were told: ``groups_done`` of the batch's
        ``groups`` (populations) and ``runs_done`` of its ``runs`` have landed, the last
        one trained at ``placement`` ("HOST (DEVICE)")."""


class Relay(RunListener):
    """A listener that passes every call on to ``self.listener``: a wrapper (the store's
    recorder, a study's keeper) overrides the calls it acts on and inherits the rest, so a
    call added here later reaches the listener behind it too."""

    listener: RunListener

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        self.listener.phase_started(label, jobs)

    def resumed(self, label: str, kept: int, total: int) -> None:
        self.listener.resumed(label, kept, total)

    def run_started(self, index: int, job: Job) -> None:
        self.listener.run_started(index, job)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        self.listener.epoch_ended(index, record)

    def run_ended(self, index: int, result: RunResult) -> None:
        self.listener.run_ended(index, result)

    def group_ended(self, groups_done: int, groups: int, runs_done: int, runs: int,
                    placement: str) -> None:
        self.listener.group_ended(groups_done, groups, runs_done, runs, placement)


class ListenerList(RunListener):
    """Several listeners as one: each call goes to each, in order."""

    def __init__(self, listeners: Iterable[RunListener | None] = ()):
        self.listeners = [listener for listener in listeners if listener is not None]

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        for listener in self.listeners:
            listener.phase_started(label, jobs)

    def resumed(self, label: str, kept: int, total: int) -> None:
        for listener in self.listeners:
            listener.resumed(label, kept, total)

    def run_started(self, index: int, job: Job) -> None:
        for listener in self.listeners:
            listener.run_started(index, job)

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        for listener in self.listeners:
            listener.epoch_ended(index, record)

    def run_ended(self, index: int, result: RunResult) -> None:
        for listener in self.listeners:
            listener.run_ended(index, result)

    def group_ended(self, groups_done: int, groups: int, runs_done: int, runs: int,
                    placement: str) -> None:
        for listener in self.listeners:
            listener.group_ended(groups_done, groups, runs_done, runs, placement)


SILENT = RunListener()

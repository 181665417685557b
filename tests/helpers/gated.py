"""Canned training that holds at a chosen point until the test lets it go (or ``s`` stops it).

A test that must see what the screen shows *between* two events (a run started, its first
epoch not yet come; a study part-way through) cannot race the canned trainer, which
replays every epoch at once. These trainers replay the same canned epochs, but wait on an
event at the point asked for, so the test looks at a state that holds still, then sets the
event. A stop event set while they wait ends the wait too, so ``s`` is tested as it is.
"""

from __future__ import annotations

import threading

from lossterm.training.listener import RunListener
from tests.helpers.canned import canned_trainer
from tests.helpers.guard import DEADLOCK_GUARD


def hold(release: threading.Event, stop: threading.Event) -> None:
    """Wait until the test releases the trainer or the stop event is set."""
    waited = 0.0
    while not release.is_set() and not stop.is_set() and waited < DEADLOCK_GUARD:
        release.wait(0.02)  # wakes for the stop event too, which has no shared waiter
        waited += 0.02


class HeldAfterStart:
    """The queue's trainer: call ``held_call`` (1-based) waits after its run started and
    before its first epoch, until ``release`` is set; every other call is canned_trainer's."""

    def __init__(self, held_call: int):
        self.held_call, self.calls = held_call, 0
        self.release, self.holding = threading.Event(), threading.Event()

    def __call__(self, jobs, *, stop, listener):
        self.calls += 1
        if self.calls != self.held_call:
            return canned_trainer(jobs, stop=stop, listener=listener)
        return canned_trainer(jobs, stop=stop, listener=_HoldOnStart(listener, self, stop))


class _HoldOnStart(RunListener):
    def __init__(self, listener: RunListener, trainer: HeldAfterStart, stop: threading.Event):
        self.listener, self.trainer, self.stop = listener, trainer, stop

    def run_started(self, index, job):
        self.listener.run_started(index, job)
        self.trainer.holding.set()
        hold(self.trainer.release, self.stop)

    def epoch_ended(self, index, record):
        self.listener.epoch_ended(index, record)

    def run_ended(self, index, result):
        self.listener.run_ended(index, result)


class HeldStudy:
    """A study's runner (``service.Runner``): canned runs, holding after the first
    ``after`` runs of call ``call`` (a phase) have ended (``after`` 0: as its first run
    starts), until ``release`` is set or the study's stop event is (``s``). The runs it then trains see the stop at their first
    epoch, as the engine's do."""

    def __init__(self, after: int, call: int = 1):
        self.after, self.call, self.ended, self.calls = after, call, 0, 0
        self.release, self.holding = threading.Event(), threading.Event()

    def __call__(self, jobs, *, stop, listener):
        self.calls += 1
        if self.calls == self.call:
            listener = _HoldAfterRuns(listener, self, stop)
        results = canned_trainer(jobs, stop=stop, listener=listener)
        for job, result in zip(jobs, results):  # as the engine's: a study matches by rate
            result.learning_rate = job.learning_rate
        return results


class _HoldAfterRuns(RunListener):
    def __init__(self, listener: RunListener, runner: HeldStudy, stop: threading.Event):
        self.listener, self.runner, self.stop = listener, runner, stop

    def run_started(self, index, job):
        self.listener.run_started(index, job)
        if self.runner.after == 0 and index == 0:  # the phase started, no epoch yet
            self._hold()

    def epoch_ended(self, index, record):
        self.listener.epoch_ended(index, record)

    def run_ended(self, index, result):
        self.listener.run_ended(index, result)
        self.runner.ended += 1
        if self.runner.ended == self.runner.after:
            self._hold()

    def _hold(self):
        self.runner.holding.set()
        hold(self.runner.release, self.stop)

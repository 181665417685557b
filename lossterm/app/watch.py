"""Watching a study or a sweep train: how far the whole of it is, about how long it has
left, and its runs' curves as they train.

A study trains hundreds of runs in populations that end together, so a count of ended
runs sits still for seconds and then jumps. :class:`StudyWatch` (the study's listener)
also counts the epochs of the runs still training, so the share done moves with every
epoch, and it keeps each run's curves of the phase training now, so the curves pane can
draw each loss's median over its runs as they go.

It is told things on the training threads (the engine may call it from several at once:
it holds a lock) and reaches the screen only by posting messages, at most one progress
message and one curves message every :data:`EVERY` seconds (and at once when a phase
starts): a population of 90 runs ends 90 epochs at a time, far more often than a
screen can be redrawn. What came in after the last post is posted when the interval is
over (a timer), so the screen is never left behind when training goes quiet; after
:meth:`StudyWatch.close` nothing more is posted, so nothing follows the study's end.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np
from textual.message import Message

from lossterm.analysis.study.results import EXTENDED
from lossterm.app.messages import LiveLine, StudyCurves, StudyProgress
from lossterm.training.listener import RunListener
from lossterm.training.records import EpochRecord, Job, RunResult

EVERY = 1.0  # seconds between messages while epochs arrive (each redraws a plot and the header)
WINDOW = 15.0  # seconds of recent work the time left is estimated from


class Progress:
    """The share of a study's runs done, and an estimate of the time it has left.

    ``planned`` runs are known before anything trains; a phase that extends a grid (its
    size decided by the tuning) adds its runs when it starts. Runs read back from the
    store count as done, but not towards the pace: the time left is estimated from the
    runs trained here, and only once one of them has ended (before that, the first
    epochs carry the building of the models and would mislead). The pace is the last
    :data:`WINDOW` seconds' (the whole time's, before): losses differ in speed, and a
    study's first populations (the built-in losses) train faster than its last.
    """

    def __init__(self, planned: int, clock: Callable[[], float] = time.monotonic):
        self.total, self.clock = planned, clock
        self.done = 0  # runs ended or read back, every phase
        self.trained = 0  # runs ended here
        self.started: float | None = None
        self._running: dict[int, list[int]] = {}  # phase index -> [epochs seen, epochs]
        self._samples: deque[tuple[float, float]] = deque()  # (time, runs' worth trained)

    def phase(self, jobs: list[Job], kept: int = 0, extra: bool = False) -> None:
        if self.started is None:
            self.started = self.clock()
        if extra:
            self.total += kept + len(jobs)
        self.done += kept
        self.total = max(self.total, self.done + len(jobs))  # never past 100%
        self._running = {i: [0, max(job.epochs, 1)] for i, job in enumerate(jobs)}

    def epoch(self, index: int) -> None:
        counts = self._running.get(index)
        if counts is not None:
            counts[0] = min(counts[0] + 1, counts[1])

    def ended(self, index: int) -> None:
        if self._running.pop(index, None) is not None:
            self.done += 1
            self.trained += 1

    @property
    def partial(self) -> float:
        """The runs still training, in runs: their epochs seen over their epochs."""
        return sum(seen / epochs for seen, epochs in self._running.values())

    @property
    def fraction(self) -> float:
        return min(1.0, (self.done + self.partial) / self.total) if self.total else 1.0

    def left(self) -> float | None:
        """Seconds left at the recent pace (None until a run trained here has ended)."""
        if self.started is None:
            return None
        now, partial = self.clock(), self.partial
        work = self.trained + partial
        samples = self._samples
        samples.append((now, work))
        while len(samples) > 2 and samples[1][0] <= now - WINDOW:
            samples.popleft()
        if not self.trained:
            return None
        then, before = samples[0]
        if work > before and now > then:
            pace = (now - then) / (work - before)
        else:  # nothing moved in the window: the whole time's pace
            pace = (now - self.started) / work
        return max(self.total - self.done - partial, 0.0) * pace


def left_text(seconds: float) -> str:
    """``about 40 s left`` / ``about 3 min left`` / ``about 1 h 5 min left``."""
    if seconds < 60:
        return f"about {max(round(seconds), 1)} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"


class PopulationCurves:
    """Every run's curves in the phase training now, and each loss's median over its runs.

    Each loss keeps its runs' values in arrays (runs by epochs, NaN where none yet), and
    its line is worked out again only when an epoch came for it: a phase's populations
    train a loss or two at a time, and the medians of a 90-run population cost about a
    millisecond, on the training thread.
    """

    def __init__(self):
        self._where: list[tuple[str, int]] = []  # phase index -> (loss, row)
        self._seen: list[int] = []  # phase index -> epochs seen
        self._losses: dict[str, _LossRuns] = {}

    def phase(self, jobs: list[Job]) -> None:
        self._losses, self._where = {}, []
        rows: dict[str, list[Job]] = {}
        for job in jobs:
            mine = rows.setdefault(job.loss.name, [])
            self._where.append((job.loss.name, len(mine)))
            mine.append(job)
        for name, mine in rows.items():
            self._losses[name] = _LossRuns(mine)
        self._seen = [0] * len(jobs)

    def epoch(self, index: int, record: EpochRecord) -> None:
        if not 0 <= index < len(self._where):
            return
        name, row = self._where[index]
        self._losses[name].add(row, self._seen[index], record)
        self._seen[index] += 1

    def lines(self) -> list[LiveLine]:
        """A line per loss with epochs, in the phase's order."""
        return [line for runs in self._losses.values() if (line := runs.line()) is not None]


class _LossRuns:
    """One loss's runs of a phase: their values by key, and its line (kept until an epoch
    comes)."""

    def __init__(self, jobs: list[Job]):
        self.spec = jobs[0].loss
        epochs = max(max(job.epochs for job in jobs), 1)
        self.values = {key: np.full((len(jobs), epochs), np.nan)
                       for key in _keys(self.spec.metric)}
        self.started: set[int] = set()
        self.longest = 0
        self._line: LiveLine | None = None

    def add(self, row: int, column: int, record: EpochRecord) -> None:
        for key, values in self.values.items():
            if column >= values.shape[1]:  # more epochs than planned: room for them
                values = self.values[key] = np.pad(values, ((0, 0), (0, values.shape[1])),
                                                   constant_values=np.nan)
            values[row, column] = float(record.logs.get(key, math.nan))
        self.started.add(row)
        self.longest = max(self.longest, column + 1)
        self._line = None

    def line(self) -> LiveLine | None:
        if not self.started:
            return None
        if self._line is None:
            series = {key: _medians(values[:, :self.longest])
                      for key, values in self.values.items()}
            self._line = LiveLine(self.spec.short_name, self.spec.metric, len(self.started),
                                  series)
        return self._line


def _medians(grid: np.ndarray) -> list[float]:
    """Per column, the median of its finite values (NaN where it has none): sorted, the
    non-finite values last, so each column's middle is found by its count (several
    times faster than ``np.nanmedian``, which this runs on every post)."""
    grid = np.where(np.isfinite(grid), grid, np.inf)
    counts = np.isfinite(grid).sum(axis=0)
    ordered = np.sort(grid, axis=0)
    columns = np.arange(grid.shape[1])
    low, high = np.maximum(counts - 1, 0) // 2, counts // 2
    with np.errstate(invalid="ignore"):
        medians = (ordered[low, columns] + ordered[np.minimum(high, len(grid) - 1), columns]) / 2
    return np.where(counts > 0, medians, np.nan).tolist()


def median_curve(series: list[list[float]]) -> list[float]:
    """Per epoch, the median over the series that reached it (NaN where none is finite)."""
    longest = max((len(s) for s in series), default=0)
    if not longest:
        return []
    grid = np.full((len(series), longest), np.nan)
    for row, values in zip(grid, series):
        row[:len(values)] = values
    return _medians(grid)


def _keys(metric: str) -> tuple[str, ...]:
    return ("loss", "val_loss", metric, "val_" + metric)


class StudyWatch(RunListener):
    """A study's (or sweep's) listener for the TUI: posts :class:`StudyProgress` and
    :class:`StudyCurves`, throttled to one of each every ``every`` seconds."""

    def __init__(self, problem: str, post: Callable[[Message], object], planned: int, *,
                 clock: Callable[[], float] = time.monotonic, every: float | None = None):
        self.problem, self.post, self.clock = problem, post, clock
        self.every = EVERY if every is None else every  # read now: a test may set EVERY
        self.progress = Progress(planned, clock)
        self.curves = PopulationCurves()
        self.where, self.done, self.total = "", 0, 0  # the phase's words and runs
        self.note, self.kept = "", 0  # how many of the next phase's runs came from the store
        self.landed = ""  # on a cluster: the phase's groups landed so far, and from where
        self._lock = threading.Lock()
        self._posted = -math.inf
        self._drawn = True  # the curves posted last are the curves now
        self._timer: threading.Timer | None = None  # posts what came after the last post
        self._closed = False

    def resumed(self, label: str, kept: int, total: int) -> None:
        with self._lock:
            self.note, self.kept = f" ({kept} of {total} resumed from the store)", kept

    def phase_started(self, label: str, jobs: list[Job]) -> None:
        with self._lock:
            self.where, self.done, self.total = label + self.note, 0, len(jobs)
            self.landed = ""
            self.progress.phase(jobs, self.kept, extra=EXTENDED in label)
            self.curves.phase(jobs)
            self.note, self.kept, self._drawn = "", 0, False
            self._post()

    def epoch_ended(self, index: int, record: EpochRecord) -> None:
        with self._lock:
            self.progress.epoch(index)
            self.curves.epoch(index, record)
            self._drawn = False
            self._due()

    def run_ended(self, index: int, result: RunResult) -> None:
        with self._lock:
            self.done += 1
            self.progress.ended(index)
            self._due()

    def group_ended(self, groups_done: int, groups: int, runs_done: int, runs: int,
                    placement: str) -> None:
        """On a cluster: how many of the phase's groups have come back from the workers."""
        with self._lock:
            self.landed = f" · {groups_done}/{groups} groups back from the cluster ({placement})"
            self._due()

    def flush(self) -> None:
        """Post what came in since the last post (the timer calls it)."""
        with self._lock:
            self._timer = None
            self._post()

    def close(self) -> None:
        """The study ended: nothing is posted after this returns."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _due(self) -> None:
        """Post now if the interval is over, else make sure the timer will (lock held)."""
        wait = self.every - (self.clock() - self._posted)
        if wait <= 0:
            self._post()
        elif self._timer is None and not self._closed:
            self._timer = threading.Timer(wait, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def _post(self) -> None:
        """Post the progress and, if they changed, the curves (lock held: so that a
        timer's post cannot come after :meth:`close`; posting only queues a message)."""
        if self._closed:
            return
        self._posted = self.clock()
        p = self.progress
        self.post(StudyProgress(self.problem, self.where + self.landed, self.done, self.total,
                                p.done,
                                p.total, p.fraction, p.left()))
        if not self._drawn:
            self._drawn = True
            self.post(StudyCurves(self.problem, self.where, self.curves.lines()))

"""Messages from worker threads to the UI thread (posted with ``post_message``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.training.records import EpochRecord, RunResult


@dataclass
class DataReady(Message):
    """The three problems are generated: the scatter and the checks can run."""


@dataclass
class BackendReady(Message):
    description: str  # "Keras 3.x, tensorflow backend, training on CPU"


@dataclass
class BackendFailed(Message):
    error: str


@dataclass
class SeedStarted(Message):
    run_id: int
    seed: int


@dataclass
class EpochDone(Message):
    run_id: int
    record: EpochRecord
    seed: int | None = None  # which of the run's seeds (they train together)


@dataclass
class SeedFinished(Message):
    run_id: int
    result: RunResult


@dataclass
class RunFinished(Message):
    run_id: int
    error: str = ""  # a run refused before training (UsageError)


@dataclass
class HistoryLoaded(Message):
    """Earlier runs read from the store, oldest first, each with what it trained with."""

    results: list[RunResult]
    settings: list[dict[str, object]] = field(default_factory=list)  # one per result, as stored


@dataclass
class StudyProgress(Message):
    """A study's phase and how many of its runs are done: of the phase, and of the whole
    study or sweep (every phase), with an estimate of the time left."""

    problem: str
    phase: str  # "tuning", "tuning (extended)", "final"
    done: int  # of the phase's runs (those it trains: runs kept in the store aside)
    total: int
    overall_done: int = 0  # of every phase's runs, those read back from the store included
    overall_total: int = 0  # planned up front; a grid extension adds its runs as it starts
    fraction: float = 0.0  # of the whole, counting the epochs of runs still training
    left: float | None = None  # seconds, estimated from the work done; None: too early


@dataclass(frozen=True)
class LiveLine:
    """One loss's runs in the study's phase now: per epoch, the median over them."""

    loss: str  # the short name
    metric: str  # the loss's metric key in the epoch logs ("accuracy", "mse")
    runs: int  # how many runs the medians are over
    series: dict[str, list[float]]  # "loss", "val_loss", metric, "val_" + metric


@dataclass
class StudyCurves(Message):
    """The study's runs as they train: a line per loss (throttled by the listener)."""

    problem: str
    phase: str
    lines: list[LiveLine]


@dataclass
class StudyDone(Message):
    """A study ended: its result, or why not (cancelled, refused)."""

    problem: str
    study: ProblemStudy | None
    error: str = ""


@dataclass
class SweepDone(Message):
    """A noise sweep ended: its result (perhaps with fewer points, if stopped), or why not."""

    problem: str
    sweep: NoiseSweep | None
    error: str = ""

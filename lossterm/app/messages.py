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
    """A study's phase and how many of its runs are done."""

    problem: str
    phase: str  # "tuning", "tuning (extended)", "final"
    done: int
    total: int


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

"""What every phase of one problem's study shares (:class:`StudyContext`), and how a
phase's results find their runs: by :class:`Candidate`, never by position.

A trainer is handed a phase's jobs and returns their results; nothing obliges it to keep
their order (a scheduler may return them as populations finish, a phase may train only the
replicates that need it). So each result is matched back by what identifies it -- the
loss (its settings in its name), the learning rate, the seed and the phase -- through
:class:`Trained`, and a result the study asked for but did not get is said, not guessed.

Apart from :mod:`.run` so that both protocols (:mod:`.replicated`, :mod:`.shared`) can
use it without importing the entry point that chooses between them.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from lossterm.analysis.study.protocol import Protocol
from lossterm.analysis.study.results import Phase, Trainer
from lossterm.analysis.study.tuning import Scoring
from lossterm.core.errors import LosstermError
from lossterm.core.metric import checkpoint_metric, higher_is_better
from lossterm.data.problems import Problem
from lossterm.data.split import tuning_view
from lossterm.metrics.matrix import METRICS, NOT_A_PROBABILITY, metric_names_for
from lossterm.training.evaluate import scores_on
from lossterm.training.records import Job, RunResult


@dataclass(frozen=True)
class Candidate:
    """One run a study asks for: a loss (its settings are part of its name, so
    ``gce:q=0.5`` and ``gce`` are two candidates), a learning rate, a seed, a phase. A job
    and the result trained from it give the same candidate."""

    loss: str
    learning_rate: float | None  # None only from a result that does not say its rate
    seed: int
    phase: str

    @classmethod
    def of_job(cls, job: Job, phase: str) -> Candidate:
        return cls(job.loss.name, float(job.learning_rate), int(job.seed), phase)

    @classmethod
    def of_result(cls, result: RunResult, phase: str) -> Candidate:
        lr = result.learning_rate
        return cls(result.loss, None if lr is None else float(lr), int(result.seed), phase)

    def __str__(self) -> str:
        return (f"{self.loss} at learning rate {self.learning_rate:g}, seed {self.seed} "
                f"({self.phase})")


class Trained:
    """One phase's results, keyed by candidate: :meth:`of` hands back the results of given
    jobs in the jobs' order, whatever order the trainer returned them in. Two jobs with
    one candidate (identical runs) each take one of its results; a result no job asks
    for is left unused, and a job with no result is said (a :class:`LosstermError`, one
    line), never filled with another job's run."""

    def __init__(self, phase: str, results: Iterable[RunResult]):
        self.phase = phase
        self._by: dict[Candidate, deque[RunResult]] = defaultdict(deque)
        for result in results:
            self._by[Candidate.of_result(result, phase)].append(result)

    def of(self, jobs: Iterable[Job]) -> list[RunResult]:
        out = []
        for job in jobs:
            key = Candidate.of_job(job, self.phase)
            waiting = self._by.get(key)
            if not waiting:
                raise LosstermError(f"the trainer returned no result for {key}: a study's "
                                    "trainer returns one result per job it is given")
            out.append(waiting.popleft())
        return out


class StudyContext:
    """What every phase of one problem's study shares: the tuning view, the metric, the
    grid, how runs are scored, and the trainer (timed and counted per phase)."""

    def __init__(self, jobs: list[Job], protocol: Protocol, held: np.ndarray, trainer: Trainer):
        first = jobs[0]
        self.problem, self.protocol, self.trainer = first.problem, protocol, trainer
        self.metric = protocol.metric_for(self.problem.kind)
        self.higher = higher_is_better(self.metric)
        self.on_epochs = checkpoint_metric(self.problem.kind, self.metric)
        self.view = tuning_view(self.problem, held)
        self.optimizer = str(first.optimizer)
        self.grid = protocol.grid_for(self.optimizer)
        self.centre = float(np.sqrt(self.grid[0] * self.grid[-1]))
        self.scoring = {job.loss.name: Scoring(
            self.metric, self.higher, self.on_epochs, higher_is_better(self.on_epochs),
            protocol.checkpoint, job.loss, (self.view.X_test, self.view.y_test,
                                            self.view.n_classes)) for job in jobs}
        self.runs: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def train(self, name: str, planned: list[Job], checkpoint: str) -> Trained:
        """Phase ``name``'s ``planned`` jobs through the trainer (none: no call), timed and
        counted; the results keyed by candidate."""
        tick = time.perf_counter()
        phase = Phase(name, self.problem.name, len(planned), self.metric, self.higher,
                      checkpoint, self.on_epochs, higher_is_better(self.on_epochs))
        out = self.trainer(planned, phase) if planned else []
        self.runs[name] = self.runs.get(name, 0) + len(planned)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - tick
        return Trained(name, out)

    def jobs(self, job: Job, rates, seeds, checkpoint: str) -> list[Job]:
        """``job`` on the tuning view at every rate x seed (seeds inner)."""
        return [replace(job, problem=self.view, learning_rate=lr, seed=s, checkpoint=checkpoint,
                        checkpoint_metric=self.on_epochs) for lr in rates for s in seeds]

    def not_applicable(self, job: Job) -> dict[str, str]:
        return {name: NOT_A_PROBABILITY for name in metric_names_for(self.problem.kind)
                if METRICS[name].needs_probabilities and not job.loss.head.probabilities}


def figures_on_test(problem: Problem, job: Job, weights: list[np.ndarray]) -> dict[str, float | None]:
    """The test split's metric matrix for kept ``weights``: the one time a study reads it."""

    return scores_on(job.loss, weights, problem.X_test, problem.y_test, problem.n_classes,
                     problem.targets)

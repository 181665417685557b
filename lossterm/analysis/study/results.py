"""What a study hands back: :class:`LossStudy` per loss, :class:`ProblemStudy` per problem,
and :class:`Phase`, what a trainer is told about the runs it is asked for.

Apart from :mod:`.run` because everything else depends on them and they on nothing of the
study's phases: both protocols (:mod:`.replicated`, :mod:`.shared`) fill these records,
the sweep (:mod:`.sweep_result`) and every report read them, and none of those readers
should import the machinery that trains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lossterm.analysis.study.protocol import Protocol
from lossterm.analysis.study.replicate import Replicate, chosen_counts
from lossterm.analysis.study.tuning import GridPoint
from lossterm.analysis.verdict import Verdict
from lossterm.losses.catalogue import get_loss
from lossterm.training.records import Job, RunResult

TUNING, EXTENDED, FINAL = "tuning", "tuning (extended)", "final"


@dataclass(frozen=True)
class Phase:
    """What a trainer is asked to run: for progress lines, and the checkpoint it keeps."""

    name: str  # TUNING, EXTENDED or FINAL
    problem: str
    runs: int
    metric: str
    higher: bool
    checkpoint: str
    epoch_metric: str  # what the checkpoint is chosen on
    epoch_higher: bool


# A trainer returns one result per job, in any order: each result is matched back to its
# job by its candidate (loss, rate, seed; :class:`lossterm.analysis.study.context.Candidate`).
Trainer = Callable[[list[Job], Phase], list[RunResult]]


@dataclass
class LossStudy:
    """One loss in a study: its search, its chosen rate(s) and its final runs.

    With selection in every replicate, ``points`` pools every replicate's scores per
    rate (the isolation view), ``chosen`` is the rate most replicates chose, and
    ``validation``, ``checkpoints``, ``test`` and ``test_metrics`` are keyed by each
    replicate's seed; ``replicates`` holds each one's own search and choice."""

    loss: str
    points: list[GridPoint]
    chosen: int | None  # index into points (replicated: the rate most replicates chose)
    extended: str | None = None  # 'lower' / 'upper' when the grid was extended
    warning: str | None = None
    tuning: list[RunResult] = field(default_factory=list)  # every tuning run, grid order
    tuning_scores: list[float | None] = field(default_factory=list)  # each one's score
    final: list[RunResult] = field(default_factory=list)
    validation: dict[int, float] = field(default_factory=dict)  # seed -> at its checkpoint
    checkpoints: dict[int, int] = field(default_factory=dict)  # seed -> kept epoch
    test: dict[int, float] = field(default_factory=dict)  # seed -> test metric
    test_metrics: dict[int, dict[str, float | None]] = field(default_factory=dict)  # seed -> all
    not_applicable: dict[str, str] = field(default_factory=dict)  # metric -> why (the head)
    replicates: list[Replicate] = field(default_factory=list)  # replicated selection only
    run_tests: dict[int, dict[str, float | None]] = field(default_factory=dict)  # run seed -> all

    @property
    def chosen_rates(self) -> dict[float, int]:
        """Each rate chosen and by how many replicates (the shared protocol: one rate, once),
        most chosen first."""
        if not self.replicates:
            lr = self.chosen_learning_rate
            return {} if lr is None else {lr: 1}
        return dict(chosen_counts(self.replicates).most_common())

    @property
    def chosen_learning_rate(self) -> float | None:
        return None if self.chosen is None else self.points[self.chosen].learning_rate

    @property
    def validation_curve(self) -> list[tuple[float, float | None]]:
        return [(p.learning_rate, p.score) for p in self.points]


@dataclass
class ProblemStudy:
    """A study of one problem: the protocol as run, every loss, the verdict."""

    problem: str
    kind: str
    metric: str
    higher: bool
    protocol: Protocol
    optimizer: str
    grid: tuple[float, ...]
    rows: dict[str, int]  # training, validation, test
    tuning_seeds: list[int]
    final_seeds: list[int]
    losses: list[LossStudy]
    verdict: Verdict
    runs: dict[str, int]  # per phase
    seconds: dict[str, float]  # per phase
    epochs: int
    checkpoint_metric: str = ""  # the per-epoch metric checkpoints were chosen on
    warnings: list[str] = field(default_factory=list)

    def loss(self, name: str) -> LossStudy:
        """The loss called ``name`` here, or by any name the catalogue knows it by
        (``"bce"`` finds binary_crossentropy)."""
        for s in self.losses:
            if s.loss == name:
                return s
        canonical = get_loss(name).name
        return next(s for s in self.losses if s.loss == canonical)

"""The engine: problems, the loss catalogue, checks and training. No UI imports.

Importing this package is cheap: Keras and scikit-learn load on first use.
"""

from lossterm.engine.checks import Findings, check, check_fit
from lossterm.engine.losses import (
    CATALOGUE,
    TUTORIAL_LOSSES,
    LossSpec,
    get_loss,
    losses_for_kind,
)
from lossterm.engine.problems import (
    KINDS,
    PROBLEM_NAMES,
    Problem,
    canonical_problem_name,
    get_problem,
)
from lossterm.engine.records import (
    DIVERGED,
    DONE,
    FAILED,
    STOPPED,
    EpochRecord,
    Job,
    RunConfig,
    RunResult,
)
from lossterm.engine.training import resolve, run, train
from lossterm.engine.types import Encoding, Kind, Status

__all__ = [
    "CATALOGUE",
    "DIVERGED",
    "DONE",
    "FAILED",
    "KINDS",
    "PROBLEM_NAMES",
    "STOPPED",
    "TUTORIAL_LOSSES",
    "Encoding",
    "EpochRecord",
    "Findings",
    "Job",
    "Kind",
    "LossSpec",
    "Problem",
    "RunConfig",
    "RunResult",
    "Status",
    "canonical_problem_name",
    "check",
    "check_fit",
    "get_loss",
    "get_problem",
    "losses_for_kind",
    "resolve",
    "run",
    "train",
]

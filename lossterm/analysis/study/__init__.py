"""Fair studies: each loss at its own best learning rate, chosen on validation, judged on
test once. See :mod:`.run` for the phases, :mod:`.protocol` for the rules,
:mod:`.split` for the tuning view, :mod:`.tuning` for selection; the verdict is
:mod:`lossterm.analysis.verdict`'s, the one every front end uses."""

from lossterm.analysis.study.protocol import Protocol, default_grid, parse_lr_grid
from lossterm.analysis.study.run import (
    EXTENDED,
    FINAL,
    TUNING,
    LossStudy,
    Phase,
    ProblemStudy,
    evaluate,
    run_study,
)
from lossterm.data.split import tuning_view, validation_rows

__all__ = ["EXTENDED", "FINAL", "TUNING", "LossStudy", "Phase", "ProblemStudy", "Protocol",
           "default_grid", "evaluate", "parse_lr_grid", "run_study", "tuning_view",
           "validation_rows"]

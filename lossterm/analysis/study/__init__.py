"""Fair studies: each loss at its own best learning rate, chosen on validation, judged on
test once. :mod:`.run` is the entry point and says the phases; :mod:`.protocol` the
rules; :mod:`.replicated` and :mod:`.shared` the two protocols' phases; :mod:`.context`
what they share and how results find their candidates; :mod:`.results` the records;
:mod:`.replicate` and :mod:`.tuning` the selection; the tuning view is
:mod:`lossterm.data.split`'s. The verdict is :mod:`lossterm.analysis.verdict`'s, the one
every front end uses."""

from lossterm.analysis.study.context import figures_on_test
from lossterm.analysis.study.protocol import Protocol, default_grid, parse_lr_grid
from lossterm.analysis.study.results import (
    EXTENDED,
    FINAL,
    TUNING,
    LossStudy,
    Phase,
    ProblemStudy,
)
from lossterm.analysis.study.run import study_jobs
from lossterm.data.split import tuning_view, validation_rows

__all__ = [
    "EXTENDED",
    "FINAL",
    "TUNING",
    "LossStudy",
    "Phase",
    "ProblemStudy",
    "Protocol",
    "default_grid",
    "figures_on_test",
    "parse_lr_grid",
    "study_jobs",
    "tuning_view",
    "validation_rows",
]

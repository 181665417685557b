"""lossterm: which loss should this network train with, and why?"""

from lossterm.api import (
    DataOptions,
    RunConfig,
    RunResult,
    calibrate,
    noise_sweep,
    run,
    study,
    train,
)

__all__ = ["DataOptions", "RunConfig", "RunResult", "calibrate", "noise_sweep", "run", "study",
           "train"]
__version__ = "0.1.0"

"""lossterm: which loss should this network train with, and why?"""

from lossterm.engine import RunConfig, RunResult, run, train
from lossterm.engine.study import calibrate, noise_sweep, study

__all__ = ["RunConfig", "RunResult", "calibrate", "noise_sweep", "run", "study", "train"]
__version__ = "0.1.0"

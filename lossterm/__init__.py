"""lossterm: which loss should this network train with, and why?"""

from lossterm.engine import RunConfig, RunResult, run, train

__all__ = ["RunConfig", "RunResult", "run", "train"]
__version__ = "0.1.0"

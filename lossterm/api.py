"""The Python API: ``lossterm.run``, ``lossterm.train``, ``lossterm.study``,
``lossterm.noise_sweep`` and ``lossterm.calibrate``. Studies, sweeps and calibrations go
through :mod:`lossterm.service`, the same path the command line and the TUI take: the
arguments become :class:`~lossterm.options.Options`, the service plans and checks them,
then trains and judges."""

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from lossterm import service
from lossterm.analysis.study.calibration import Calibration
from lossterm.analysis.study.protocol import Protocol, parse_lr_grid
from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.run import Trainer
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.core.errors import UsageError
from lossterm.data.files import DataOptions, distinct_files
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import BUILTIN_PROBLEMS, Problem
from lossterm.options import Options
from lossterm.storage.study_runs import StudyRuns
from lossterm.training.fit import run, train
from lossterm.training.plan import ALL
from lossterm.training.records import RunConfig, RunResult

__all__ = ["DataOptions", "RunConfig", "RunResult", "calibrate", "noise_sweep", "run", "study",
           "train"]

# What a study or sweep takes as its problem: a built-in name ('all': every one), a data
# file read as DataOptions says, or a Problem; or a list of them (a suite: a study each).
One = str | Problem | DataOptions
Problems = One | Sequence[One]
Grid = str | Sequence[float] | None  # "LOW:HIGH:N", or the rates themselves


def study(problem: Problems, losses: Iterable[str], *, seeds: int = 10, tune_seeds: int = 1,
          lr_grid: Grid = None, val_size: float = 0.2, checkpoint: str = "best",
          metric: str | None = None, seed: int = 0, data_seed: int = 0,
          trainer: Trainer | None = None, selection: str = "replicate",
          store: str | Path | None = None, cluster: str | None = None,
          **settings: Any) -> ProblemStudy | list[ProblemStudy]:
    """A fair study of ``losses`` on ``problem`` (a name, ``"all"`` for every built-in
    problem, a :class:`DataOptions` naming a data file and its target, or a
    :class:`Problem`; or a list of them, a suite: then a list of studies comes back, one
    per problem, each with its verdict).

    ``lr_grid``: a sequence of rates or ``"LOW:HIGH:N"`` (default: 9 over 4 decades
    around the optimizer's usual rate). ``settings`` go to every run (``epochs``,
    ``batch_size``, ``hidden_units``, ...). ``trainer(jobs, phase)`` trains a phase's
    runs and returns their results (default: the population engine; the tests and
    benchmarks inject their own). ``selection``: ``"replicate"`` (each paired replicate
    runs the whole selection; the default) or ``"shared"`` (one tuning, then final seeds
    at the chosen rate: the earlier protocol, kept for comparison). ``store``: a SQLite
    file keeping the study's runs as they end, so the same call, run again after an
    interruption, trains only what is missing (default: nothing kept). ``cluster``: a
    Dask address (``"local"``, ``"tcp://HOST:PORT"``, ``"ssh:HOST1,HOST2"``) whose workers
    train the groups, the same answers as without it (a script using ``"local"`` needs
    ``if __name__ == "__main__":``, as every program starting processes does). Render with
    ``lossterm.report.study.render_study([result], "text")``.

        >>> s = lossterm.study("circles", ["bce", "hinge", "squared_hinge"])
        >>> s.verdict.line, s.loss("hinge").chosen_learning_rate
        >>> suite = lossterm.study([DataOptions("a.csv", "y"), DataOptions("b.csv", "y")],
        ...                        ["bce", "gce"])
        >>> [(s.problem, s.verdict.line) for s in suite]
    """
    many, problems, options = _options(problem, losses, seeds, tune_seeds, lr_grid, val_size,
                                       checkpoint, metric, seed, data_seed, settings, selection,
                                       cluster=cluster)
    runs = None if store is None else StudyRuns(store)
    try:
        studies = service.run_study(service.study_work(options, problems), trainer=trainer,
                                    runs=runs)
    finally:
        if runs is not None:
            runs.close()
    return studies if many else studies[0]


def _options(problem: Problems, losses: Iterable[str], seeds: int, tune_seeds: int,
             lr_grid: Grid, val_size: float, checkpoint: str, metric: str | None, seed: int,
             data_seed: int, settings: dict[str, Any], selection: str = "replicate",
             **more: Any) -> tuple[bool, list[str | Problem] | None, Options]:
    """(a list or 'all' was given?, the problems, the options) of a study, sweep or
    calibration's arguments: the options every front end hands the service. Names and data
    files go into the options (loaded by the service, as on the command line: names
    first, then files, each file's split column kept); with a :class:`Problem` among them,
    the problems come back loaded, in the order given."""
    single = isinstance(problem, (str, Problem, DataOptions))
    given: list[One] = ([problem] if isinstance(problem, (str, Problem, DataOptions))
                        else list(problem))
    names = [p for p in given if isinstance(p, str)]
    files = distinct_files([p for p in given if isinstance(p, DataOptions)],
                           taken=[p if isinstance(p, str) else p.name for p in given
                                  if not isinstance(p, DataOptions)])
    objects = [p for p in given if isinstance(p, Problem)]
    problems: list[str | Problem] | None = None  # None: the service loads names and files
    if objects:  # loaded here, in the order given
        if any(f.split_column for f in files):
            raise UsageError("a data file with a split column goes with names and other "
                             "DataOptions, not beside Problem objects")
        loaded = dict(zip(map(_file_key, files), service.load_problems(Options(data=files))))
        problems = [loaded[_file_key(p)] if isinstance(p, DataOptions) else p
                    for p in given]
        if ALL in (p.lower() for p in names):
            problems = [q for p in problems for q in (
                BUILTIN_PROBLEMS if isinstance(p, str) and p.lower() == ALL else (p,))]
    grid = (parse_lr_grid(lr_grid) if isinstance(lr_grid, str)
            else None if lr_grid is None else tuple(lr_grid))
    protocol = Protocol(grid=grid, tune_seeds=tune_seeds, seeds=seeds,
                        validation_share=val_size, checkpoint=checkpoint, metric=metric,
                        selection=selection)
    options = Options(losses=tuple(losses), base=RunConfig(problem="", loss="", seed=seed,
                                                           **settings),
                      protocol=protocol, perturbation=more.pop("perturbation",
                                                               Perturbation(seed=data_seed)),
                      problems=() if objects else tuple(names), data=() if objects else files,
                      **more)
    many = not single or options.every_problem
    return many, problems, options


def _file_key(data: DataOptions) -> Path:
    return Path(data.path).expanduser().resolve()


def noise_sweep(problem: Problems, losses: Iterable[str],
                rates: Sequence[float] = (0.0, 0.2, 0.4, 0.6), *, noise_kind: str = "symmetric",
                tune: bool = True, seeds: int = 10, tune_seeds: int = 1, lr_grid: Grid = None,
                val_size: float = 0.2, checkpoint: str = "best", metric: str | None = None,
                seed: int = 0, data_seed: int = 0, trainer: Trainer | None = None,
                stop: threading.Event | None = None,
                on_start: Callable[[str, float], None] | None = None,
                on_point: Callable[[NoiseSweep], None] | None = None,
                **settings: Any) -> NoiseSweep | list[NoiseSweep]:
    """Robustness curves: ``losses`` compared on ``problem`` (a classification problem's
    name or :class:`Problem`, or a list of them: then a list comes back) at each label-noise
    ``rate``, test split clean; each point a fair study (as :func:`study`) unless
    ``tune=False`` (then every loss at one learning rate, ``settings['learning_rate']``
    or the optimizer's usual one, over ``seeds`` paired seeds).

    ``noise_kind``: ``"symmetric"`` (a flipped label goes to a uniformly drawn other
    class) or ``"asymmetric"`` (class i to class i + 1 mod K); see
    :mod:`lossterm.data.perturb`. ``stop``: a ``threading.Event`` that ends the sweep
    after the current epoch, keeping the points done; ``on_start``: called with (problem,
    rate) as each point starts; ``on_point``: called with the sweep so far after each
    point. Render with
    ``lossterm.report.noise.render_noise_sweep([result], "text")``.

        >>> s = lossterm.noise_sweep("digits", ["cce", "gce"], [0, 0.4], seeds=5)
        >>> [(c.loss, c.means) for c in s.series()]
    """

    many, problems, options = _options(
        problem, losses, seeds, tune_seeds, lr_grid, val_size, checkpoint, metric, seed,
        data_seed, settings, noise_rates=tuple(rates), tune=None if tune else False,
        perturbation=Perturbation(seed=data_seed, noise_kind=noise_kind))
    sweeps = service.run_sweep(service.sweep_work(options, problems), trainer=trainer,
                               stop=stop, on_start=on_start, on_point=on_point)
    return sweeps if many else sweeps[0]


def calibrate(problem: One, loss: str, studies: int = 20, *, seeds: int = 10,
              tune_seeds: int = 1, lr_grid: Grid = None, val_size: float = 0.2,
              checkpoint: str = "best", metric: str | None = None, seed: int = 0,
              data_seed: int = 0, trainer: Trainer | None = None,
              on_study: Callable[[Calibration], None] | None = None,
              selection: str = "replicate", **settings: Any) -> Calibration:
    """How often a study of ``problem`` (a name, :class:`DataOptions` or :class:`Problem`) would claim a
    difference where there is none: ``studies`` A/A studies of ``loss`` against a copy of
    itself, each arm from its own seeds, under the protocol :func:`study` runs with these
    arguments. Returns a :class:`~lossterm.analysis.study.calibration.Calibration` (``claims``,
    ``rate``, ``interval``: the Clopper-Pearson 95% interval, ``line``).

        >>> c = lossterm.calibrate("circles", "bce", 40)
        >>> c.claims, c.interval
    """

    if isinstance(problem, (list, tuple)) or isinstance(loss, (list, tuple)):
        raise UsageError("calibrate takes one problem and one loss")
    _, problems, options = _options(problem, [loss], seeds, tune_seeds, lr_grid, val_size,
                                    checkpoint, metric, seed, data_seed, settings, selection,
                                    calibrate=studies)
    return service.run_calibration(service.plan_work(options, problems), trainer=trainer,
                                   on_study=on_study)

"""One options object, built once from the command line (or the TUI's dialogs).

Both front ends hand an :class:`Options` to :mod:`lossterm.service`; neither
validates or expands anything by hand. Engine errors name fields
(``test_size``); the command line names them as flags (``cli.flag_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from lossterm.analysis.study.noise import parse_rates
from lossterm.analysis.study.protocol import Protocol, parse_lr_grid
from lossterm.core.errors import UsageError
from lossterm.data.files import DataOptions, distinct_files, problem_name
from lossterm.data.perturb import Perturbation
from lossterm.data.suite import EVERY, every_problem
from lossterm.runtime.cluster import parse_address
from lossterm.training.fit import validate_settings
from lossterm.training.records import RunConfig


@dataclass(frozen=True)
class Options:
    """What to train and how: everything a request decides before any data is loaded."""

    # Built-in names, or ('all',): every built-in problem; empty: the tutorial's nine (or
    # only the data files when there are some).
    problems: tuple[str, ...] = ()
    losses: tuple[str, ...] = ()  # names, aliases or 'all'
    # Own data files, each a problem of its own after the named ones (a suite: each gets
    # its own study and verdict); every name distinct (lossterm.data.files.distinct_files).
    data: tuple[DataOptions, ...] = ()
    perturbation: Perturbation = field(default_factory=Perturbation)
    base: RunConfig = field(default_factory=lambda: RunConfig(problem="", loss=""))
    seeds: int = 1
    jobs: int | None = None  # threads for a sweep (a local cluster's workers)
    cluster: str | None = None  # a Dask cluster's address (lossterm.runtime.cluster); None: threads
    store: str | None = None  # run history file; None: the default place
    no_store: bool = False
    # Fair study (lossterm.analysis.study): tune True/False forces it on/off; None decides by
    # the request (two or more losses of a problem with seeds > 1).
    tune: bool | None = None
    protocol: Protocol = field(default_factory=Protocol)
    # Robustness curves (lossterm.analysis.study.noise): the label-noise rates, ascending;
    # empty: no sweep.
    noise_rates: tuple[float, ...] = ()
    # Calibration (lossterm.analysis.study.calibration): this many A/A studies; None: none.
    calibrate: int | None = None

    def __post_init__(self):
        if EVERY in (p.lower() for p in self.problems) and len(self.problems) > 1:
            raise UsageError("{field} all already names every built-in problem: give it "
                             "alone, or name each problem", field="problem")
        validate_settings(self.base)
        self.perturbation.validate()
        if self.seeds < 1:
            raise UsageError("{field} must be at least 1", field="seeds")
        if self.jobs is not None and self.jobs < 1:
            raise UsageError("{field} must be at least 1", field="jobs")
        if self.cluster is not None:
            parse_address(self.cluster)  # a malformed address is refused before anything loads
        if self.calibrate is not None and self.calibrate < 1:
            raise UsageError("{field} needs at least 1 study (20 or more to say much)",
                             field="calibrate")

    @classmethod
    def from_args(cls, args) -> Options:
        """The options an argparse namespace asks for; UsageError if they conflict."""
        data: tuple[DataOptions, ...] = ()
        if args.data:
            if not args.target:
                raise UsageError("--data needs --target COLUMN: the column to predict (every "
                                 "--data file is read with the same --target)")
            data = distinct_files(
                (DataOptions(path=path, target=tuple(args.target), kind=args.kind,
                             test_size=args.test_size, raw_target=args.raw_target,
                             seed=args.data_seed, split_column=args.split_column)
                 for path in args.data), taken=args.problem)
        elif args.split_column:
            raise UsageError("--split-column goes with --data FILE.csv")
        elif args.target or args.kind or args.raw_target:
            raise UsageError("--target, --kind and --raw-target go with --data FILE.csv")
        noise_rates: tuple[float, ...] = ()
        if args.noise_sweep is not None:
            noise_rates = parse_rates(args.noise_sweep)
            if args.label_noise:
                raise UsageError("--label-noise sets one rate and --noise-sweep sets each "
                                 "point's; give one")
        if args.layers and args.hidden_units:
            raise UsageError("--layers and --hidden-units both set the hidden layers; give one")
        return cls(
            problems=tuple(args.problem), losses=tuple(args.loss), data=data,
            perturbation=Perturbation(label_noise=args.label_noise, outliers=args.outliers,
                                      imbalance=args.imbalance, seed=args.data_seed,
                                      noise_kind=args.noise_kind),
            base=RunConfig(problem="", loss="", seed=args.seed, epochs=args.epochs,
                           learning_rate=args.learning_rate, batch_size=args.batch_size,
                           hidden_units=args.layers or args.hidden_units,
                           optimizer=args.optimizer),
            seeds=1 if args.seeds is None else args.seeds, jobs=args.jobs, store=args.store,
            no_store=args.no_store, noise_rates=noise_rates,
            calibrate=getattr(args, "calibrate", None), cluster=getattr(args, "cluster", None),
            **_study_options(args),
        )

    def wants_study(self, jobs) -> bool:
        """Whether these planned jobs (one per problem and loss) run as a study: as forced,
        else when some problem compares two or more losses over more than one seed."""
        if self.tune is not None:
            return self.tune
        if self.seeds < 2:
            return False
        per_problem: dict[int, int] = {}
        for job in jobs:
            per_problem[id(job.problem)] = per_problem.get(id(job.problem), 0) + 1
        return any(n >= 2 for n in per_problem.values())

    @property
    def every_problem(self) -> bool:
        """``--problem all``: every built-in problem."""
        return every_problem(self.problems)

    def with_data(self, data: DataOptions) -> Options:
        """These options with one more data file (the TUI's ``o``): the files opened
        before stay, so a study of one of them can be replayed; a file opened again
        replaces its earlier reading (new target, kind, ...) under its name; a new file
        whose name another file has is named by its folders."""
        path = Path(data.path).expanduser().resolve()
        kept = tuple(d for d in self.data if Path(d.path).expanduser().resolve() != path)
        again = [d.name for d in self.data if d not in kept]
        if again and again[0]:
            data = replace(data, name=again[0])
        else:
            (data,) = distinct_files((data,), taken=[problem_name(d) for d in kept])
        return replace(self, data=(*kept, data), problems=())

    @property
    def last_data(self) -> DataOptions | None:
        """The data file opened last (what the TUI's open dialog starts from)."""
        return self.data[-1] if self.data else None


def _study_options(args) -> dict:
    """The study fields of the options (``tune`` and ``protocol``) from the command line."""
    if args.tune and args.no_tune:
        raise UsageError("--tune and --no-tune contradict each other")
    grid = parse_lr_grid(args.lr_grid) if args.lr_grid else None
    protocol = Protocol(grid=grid, tune_seeds=args.tune_seeds,
                        seeds=10 if args.seeds is None else args.seeds,
                        validation_share=args.val_size, checkpoint=args.checkpoint,
                        metric=args.metric)
    return {"tune": True if args.tune else False if args.no_tune else None,
            "protocol": protocol}

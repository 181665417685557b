"""From command-line options to engine inputs, shared by ``--headless`` and the TUI:
which problems (built-in, own CSV, perturbed), the base run settings, the store."""

from __future__ import annotations

from lossterm.engine.problems import PROBLEM_NAMES, get_problem
from lossterm.engine.records import RunConfig
from lossterm.errors import UsageError


def base_config(args) -> RunConfig:
    return RunConfig(problem="", loss="", seed=args.seed, epochs=args.epochs,
                     learning_rate=args.learning_rate, batch_size=args.batch_size,
                     hidden_units=args.hidden_units)


def perturbation(args):
    from lossterm.engine.perturb import Perturbation

    p = Perturbation(label_noise=args.label_noise, outliers=args.outliers,
                     imbalance=args.imbalance, seed=args.data_seed)
    p.validate()
    return p


def problem_names(args) -> list[str]:
    """The problems a request is about, loaded and perturbed as asked.

    ``--data`` replaces the built-in problems. A perturbation with no
    ``--problem`` applies to every problem it can (outliers: regression;
    label noise and imbalance: classification).
    """
    from lossterm.engine.perturb import perturb

    if args.data:
        names = [own_data(args).name]
    else:
        if args.target or args.kind or args.raw_target:
            raise UsageError("--target, --kind and --raw-target go with --data FILE.csv")
        names = [get_problem(p).name for p in args.problem]
    p = perturbation(args)
    if not p.active:
        return names
    if names:  # asked for by name: a perturbation that does not apply is an error
        return [perturb(get_problem(name), p).name for name in names]
    out = []
    for name in PROBLEM_NAMES:  # otherwise each problem gets the part that applies to it
        part = p.for_kind(get_problem(name).kind)
        if part.active:
            out.append(perturb(get_problem(name), part).name)
    return out


def own_data(args):
    """``--data`` as a Problem, unperturbed (the TUI perturbs when it trains)."""
    from lossterm.engine.data import DataOptions, load_csv

    if not args.target:
        raise UsageError("--data needs --target COLUMN: the column to predict")
    return load_csv(DataOptions(path=args.data, target=args.target, kind=args.kind,
                                test_size=args.test_size, raw_target=args.raw_target,
                                seed=args.data_seed))


def open_store(args):
    """The run store the options ask for, or None with --no-store."""
    from lossterm.engine.store import Store, default_store_path

    if args.no_store:
        return None
    return Store(args.store or default_store_path())

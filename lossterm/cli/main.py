"""Command line: ``lossterm`` opens the TUI, ``lossterm --headless`` prints a report.

Nothing heavy is imported at module level: ``--help`` and ``--list-losses``
answer without TensorFlow, and the headless path never imports Textual.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import threading

from lossterm.app import launch
from lossterm.cli import signals
from lossterm.cli.ascii import tolerate_narrow_encodings
from lossterm.cli.catalogue_table import catalogue_text
from lossterm.cli.headless import run_headless
from lossterm.cli.problems_table import problems_text
from lossterm.cli.study_args import add_study_arguments
from lossterm.core.errors import LosstermError, UsageError
from lossterm.core.types import Optimizer
from lossterm.losses.own import load_loss_files
from lossterm.runtime.backend import choose_backend
from lossterm.runtime.cluster import close_all

DESCRIPTION = """\
Which loss should this network train with, and why?

lossterm trains the small Keras MLP from the classic loss-function tutorial on
three problems (regression, circles = binary, blobs = multiclass) with the loss
you pick, and shows how each loss learns. With no options it opens the TUI;
--headless runs the same engine and prints a report.

With neither --problem nor --loss, the headless report runs the tutorial's nine
experiments. --problem alone runs the tutorial's losses for that problem;
--loss all runs every loss that fits it."""

EPILOG = """\
examples:
  lossterm                                   open the TUI
  lossterm --headless                        the tutorial's nine experiments
  lossterm --headless --problem circles --loss all --format markdown
  lossterm --headless --loss hinge --epochs 50 --seed 3 --format json -o hinge.json
  lossterm --headless --seeds 10             the nine over 10 paired seeds, with verdicts
  lossterm --headless --problem circles --loss all --seeds 10
  lossterm --headless --data houses.csv --target price --loss mse --loss huber --seeds 10
  lossterm --headless --problem all --loss all --seeds 5
                                             a suite: every built-in problem, a verdict each
  lossterm --headless --data a.csv --data b.csv --target y --loss all --seeds 10
  lossterm --headless --problem regression --outliers 0.1 --loss all --seeds 10
  lossterm --headless --problem digits --loss cce --loss gce --noise-sweep 0,0.2,0.4,0.6 --seeds 5
                                             robustness curves: a study at each noise rate
  lossterm --headless --problem circles --loss bce --calibrate 20
                                             how often the protocol claims bce beats itself
  lossterm --headless --problem circles --loss bce --export-code bce.py
  lossterm report                            rebuild a report from the run history
  lossterm calc bce --actual 1,0,1 --predicted 0.9,0.2,0.6
  lossterm explain hinge                     formula, likelihood view, pitfalls
  lossterm --list-losses                     the loss catalogue
  lossterm --list-problems                   the built-in problems, their sizes and splits

exit codes: 0 ok, 1 a run failed (or stdout was gone: the report is saved, stderr says where),
  2 bad input (names, options, files), 130 interrupted, 143 SIGTERM, 129 SIGHUP"""


FORMAT_CHOICES = ("text", "markdown", "json")  # lossterm.core.types.Format, without its import

# Engine fields whose flag is not simply --field-with-dashes.
_FLAGS = {"data_seed": "--data-seed", "path": "--data", "hidden_units": "--layers"}


def _widths(text: str) -> tuple[int, ...]:
    """``64,32`` -> (64, 32): hidden layer widths, each a whole number of at least 1."""
    try:
        widths = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not widths like 64,32") from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every layer needs at least 1 unit")
    return widths


# NumPy's legacy seeding (which Keras uses) takes 0 .. 2**32 - 1; runs derive further seeds
# by adding (seed + k, tuning seeds + 1000, ...), so the user's half of that range leaves room.
SEED_MAX = 2**31 - 1


def _seed(text: str) -> int:
    """A seed NumPy, Keras and the backends all take: refused here, before TensorFlow loads,
    rather than as a failed run after it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"{text} is out of range: a seed is a whole number "
                                         f"from 0 to {SEED_MAX}")
    return value


def flag_for(field_name: str) -> str:
    """The command-line flag that sets an engine field (errors name fields, not flags)."""
    return _FLAGS.get(field_name, "--" + field_name.replace("_", "-"))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + line
        raise UsageError(f"{message} (see lossterm --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lossterm", description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--headless", action="store_true",
                   help="no TUI: train and print a report to stdout")
    p.add_argument("--list-losses", action="store_true",
                   help="print the loss catalogue (names, kinds, output layer, targets) and exit")
    p.add_argument("--list-problems", action="store_true",
                   help="print the built-in problems (kind, size, split, epochs, width) and exit")
    runs = p.add_argument_group("what to train")
    runs.add_argument("--problem", action="append", default=[], metavar="NAME",
                      help="the tutorial's regression, circles (binary) or blobs (multiclass), "
                           "or a dataset bundled with scikit-learn: iris, wine, breast_cancer, "
                           "digits, diabetes; or 'all': every one of them. Repeatable: several "
                           "problems (and --data files) run as one suite, a study and a "
                           "verdict each")
    runs.add_argument("--loss", action="append", default=[], metavar="NAME",
                      help="a loss name or alias (mse, bce, gce, ...), or 'all'; settings after "
                           "a colon, numbers only: gce:q=0.5, sce:alpha=0.1,beta=1.0; "
                           "repeatable")
    runs.add_argument("--loss-file", action="append", default=[], metavar="FILE.py:FUNCTION",
                      help="your own loss: a function (y_true, y_pred) -> one value per "
                           "sample, written with keras.ops, its kind (and optionally head, "
                           "encoding) set as attributes (my_loss.kind = 'binary') or after a "
                           "colon: losses.py:my_loss:kind=binary,head=sigmoid; joins the --loss "
                           "list. The file is your Python code and runs as such; a probe batch "
                           "checks the function before training; repeatable")
    runs.add_argument("--epochs", type=int, metavar="N",
                      help="epochs per run (default: the tutorial's, 100/200/100)")
    runs.add_argument("--seed", type=_seed, default=0, metavar="N",
                      help="seed for weights and shuffling (default 0)")
    runs.add_argument("--seeds", type=int, metavar="N",
                      help="repeat every run over N seeds (seed, seed+1, ...; the same for "
                           "every loss, so comparisons are paired); N > 1 reports means, 95%% "
                           "confidence intervals and paired t-tests (default 1; 10 in a study)")
    runs.add_argument("--backend", choices=("tensorflow", "jax", "torch"),
                      help="Keras backend (default: $KERAS_BACKEND, else tensorflow); "
                           "it must be installed")
    runs.add_argument("--jobs", type=int, metavar="N",
                      help="runs trained at once, on threads (default: the CPU count, up to 8); "
                           "with --cluster local, its worker processes")
    runs.add_argument("--cluster", metavar="ADDRESS",
                      help="train a study's groups (one loss's rates x seeds on one problem) as "
                           "tasks on a Dask cluster: 'local' (worker processes here; local:N), "
                           "'tcp://HOST:PORT' (a running scheduler) or 'ssh:HOST1,HOST2' (the "
                           "first host schedules); needs pip install 'lossterm[cluster]'. The "
                           "answers are the same as without it")
    runs.add_argument("--optimizer", default="sgd", type=str.lower,
                      choices=[str(o) for o in Optimizer],
                      help="keras.optimizers rule: sgd (the tutorial's, momentum 0.9), adam, "
                           "adamw or rmsprop, with Keras's defaults (default sgd)")
    runs.add_argument("--learning-rate", type=float, metavar="LR",
                      help="learning rate (default: the optimizer's usual one: sgd 0.01, "
                           "adam/adamw/rmsprop 0.001)")
    runs.add_argument("--batch-size", type=int, default=32, metavar="N",
                      help="mini-batch size (default 32)")
    runs.add_argument("--layers", type=_widths, metavar="W[,W...]",
                      help="hidden layer widths, input side first, e.g. 64,32 (default: one "
                           "layer, 25 units for regression, 50 otherwise)")
    runs.add_argument("--hidden-units", type=int, metavar="N",
                      help="one hidden layer of N units (the same as --layers N)")
    data = p.add_argument_group(
        "your own data (in place of the built-in problems, or beside those --problem names)")
    data.add_argument("--data", action="append", default=[], metavar="FILE.csv",
                      help="a CSV file with a header row; features numeric or low-cardinality "
                           "text. Repeatable: each file is a problem of the suite, read with "
                           "the same --target, --kind, --test-size, --raw-target and "
                           "--split-column (every file needs those columns); files of the "
                           "same name are told apart by their folders (a/data.csv)")
    data.add_argument("--target", action="append", metavar="COLUMN",
                      help="the column to predict; repeat it for several targets (each "
                           "leaves the features): numeric ones are a multi-output "
                           "regression, two-valued ones a multilabel problem")
    data.add_argument("--kind", choices=("regression", "binary", "multiclass", "multilabel"),
                      help="force the problem kind (default: inferred from the targets)")
    data.add_argument("--test-size", type=float, default=0.5, metavar="F",
                      help="share of rows held out for testing (default 0.5; stratified)")
    data.add_argument("--raw-target", action="store_true",
                      help="keep a regression target unscaled (default: standardized)")
    noise = p.add_argument_group("perturbations (training split only; the test split stays clean)")
    noise.add_argument("--label-noise", type=float, default=0.0, metavar="P",
                       help="flip a share P of class labels to another class (--noise-kind)")
    noise.add_argument("--noise-kind", choices=("symmetric", "asymmetric"), default="symmetric",
                       help="how a label flips: symmetric = exactly round(P·n) training rows, "
                            "drawn at random, each moved to a uniformly drawn other class (P is "
                            "the share of wrong labels, as in the SCE and NCE+RCE papers' code; "
                            "papers that redraw over all K classes leave only P·(K-1)/K "
                            "wrong); asymmetric = class i always to class i+1 mod K (the "
                            "papers' generic class-dependent form). On two classes both swap "
                            "0 and 1 (default symmetric)")
    noise.add_argument("--noise-sweep", metavar="R,R,...",
                       help="robustness curves: run the comparison at each label-noise rate "
                            "(e.g. 0,0.2,0.4,0.6; two or more in [0, 1)), training and "
                            "validation labels noisy, the test split clean; each point a fair "
                            "study (learning rate tuned per loss and rate) unless --no-tune; "
                            "reports each loss's clean-test metric against the rate; in the TUI "
                            "these are the rates the R key sweeps")
    noise.add_argument("--outliers", type=float, default=0.0, metavar="P",
                       help="move a share P of regression targets by 5-10 standard deviations")
    noise.add_argument("--imbalance", type=float, default=1.0, metavar="R",
                       help="keep only a share R of class 1's rows")
    noise.add_argument("--data-seed", type=_seed, default=0, metavar="N",
                       help="seed of the split and the perturbations (default 0)")
    add_study_arguments(p)
    history = p.add_argument_group("run history and exports")
    history.add_argument("--store", metavar="PATH",
                         help="SQLite file keeping every run and epoch (default: "
                              "$XDG_DATA_HOME/lossterm/runs.sqlite)")
    history.add_argument("--no-store", action="store_true", help="keep no history")
    history.add_argument("--fresh", action="store_true",
                         help="a study, sweep or calibration trains every run again instead of "
                              "resuming from the runs the store kept of the same command "
                              "(what ends is still kept)")
    history.add_argument("--export-csv", metavar="DIR",
                         help="write each run's epochs to DIR as CSVLogger's CSV files")
    history.add_argument("--export-code", metavar="FILE.py",
                         help="write a standalone Keras script reproducing the run (one run)")
    out = p.add_argument_group("report")
    out.add_argument("--format", choices=FORMAT_CHOICES, default="text",
                     help="report format (default text)")
    out.add_argument("-o", "--output", metavar="FILE",
                     help="write the report to FILE (atomically) instead of stdout")
    out.add_argument("--no-progress", action="store_true",
                     help="no progress bar on stderr (it is shown only on a terminal anyway)")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except LosstermError as exc:
        signals.say(f"error: {exc.render(flag_for)}")
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl+C, or SIGTERM/SIGHUP (lossterm.cli.signals)
        signals.say(signals.cause())
        return signals.exit_code()
    finally:
        close_all()  # a --cluster local's workers end with the command, quietly


def entry() -> None:
    """The console script: ``main``, then a fast exit when heavy work is loaded or loading.

    TensorFlow's own teardown at interpreter exit takes about a second on a
    2-core machine, and an import still running in a daemon thread (the TUI
    quit while TensorFlow was loading) cannot be interrupted. Everything
    lossterm writes is flushed by then, so the process leaves at once. A terminal that
    takes only ASCII gets ASCII (:mod:`lossterm.cli.ascii`), not a UnicodeEncodeError.
    """
    tolerate_narrow_encodings()
    code = main()
    loading = any(t.daemon and t.is_alive() for t in threading.enumerate())
    if loading or "tensorflow" in sys.modules:
        for stream in (sys.stdout, sys.stderr):
            try:  # a vanished terminal must not turn a finished run into a traceback
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def build_report_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lossterm report",
                description="Rebuild a report from the run history (the SQLite store).")
    p.add_argument("--store", metavar="PATH", help="the store (default: the usual one)")
    p.add_argument("--last", type=int, metavar="N", help="only the last N runs")
    p.add_argument("--format", choices=FORMAT_CHOICES, default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    p.add_argument("--export-csv", metavar="DIR", help="also write each run's epochs as CSV")
    return p


class _NumbersParser(_Parser):
    """A parser whose values may be negative numbers in any form: ``-1e-3``, ``-0.5,0.2``.

    argparse takes a value for a flag unless it looks like one of its few negative-number
    forms (``-1``, ``-.5``); every other token starting with '-' would be read as an
    unknown option. This parser's options are all long (``--actual``) or ``-h``, so a token
    of '-' then a digit, a point or ``inf`` is a number: a leading space makes argparse
    read it as a value, and the value parser strips it."""

    NEGATIVE = re.compile(r"-(\d|\.\d|inf)", re.IGNORECASE)

    def parse_known_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else list(args)
        args = [" " + a if self.NEGATIVE.match(a) else a for a in args]
        return super().parse_known_args(args, namespace)


def build_calc_parser() -> argparse.ArgumentParser:
    p = _NumbersParser(prog="lossterm calc",
                description="Compute a loss by hand: the NumPy reference, Keras and "
                            "scikit-learn side by side, and why they differ when they do.",
                epilog="examples:\n"
                       "  lossterm calc mse --actual 1 2 3 --predicted 1.5 2 2\n"
                       "  lossterm calc bce --actual 1,0,1,0 --predicted 0.9,0.2,0.6,0.1\n"
                       "  lossterm calc cce --actual '1,0,0;0,1,0;0,0,1' "
                       "--predicted '0.9,0.05,0.05;0.1,0.8,0.2;0.1,0.2,0.7'",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("loss", help="a loss name or alias (lossterm --list-losses)")
    p.add_argument("--actual", nargs="+", required=True, metavar="V",
                   help="targets: numbers separated by spaces or commas; rows by ';'")
    p.add_argument("--predicted", nargs="+", required=True, metavar="V",
                   help="predictions, shaped like the targets (rows of class scores for "
                        "multi-class losses)")
    p.add_argument("--reference-only", action="store_true",
                   help="only the NumPy reference: no Keras or scikit-learn import (fast)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def build_explain_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lossterm explain",
                description="What a loss is: formula, the problem and output layer it goes "
                            "with and why, target encoding, pitfalls, the metric to report.")
    p.add_argument("loss", help="a loss name or alias (lossterm --list-losses)")
    return p


SUBCOMMANDS = {
    "report": (build_report_parser, "lossterm.cli.history", "run_report"),
    "calc": (build_calc_parser, "lossterm.cli.calc", "run_calc"),
    "explain": (build_explain_parser, "lossterm.cli.calc", "run_explain"),
}


def _main(argv: list[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        make_parser, module, function = SUBCOMMANDS[argv[0]]
        args = make_parser().parse_args(argv[1:])

        return getattr(importlib.import_module(module), function)(args)
    args = build_parser().parse_args(argv)
    if args.list_losses:
        sys.stdout.write(catalogue_text())
        return 0
    if args.list_problems:
        sys.stdout.write(problems_text())
        return 0
    if args.backend or os.environ.get("KERAS_BACKEND"):
        choose_backend(args.backend)
    if args.loss_file:  # imports Keras, so after the backend is chosen

        args.loss += load_loss_files(args.loss_file)
    if args.headless:
        return run_headless(args)

    return launch(args)


if __name__ == "__main__":
    entry()

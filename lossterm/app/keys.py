"""The main screen's keys, and the settings they step through.

One list serves the footer, the help screen (``?``) and the command palette,
so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TypeVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

T = TypeVar("T")

SEED_CHOICES = (1, 3, 5, 10)
PERTURBATION_STEPS = {"label_noise": (0.0, 0.1, 0.2, 0.3), "outliers": (0.0, 0.05, 0.1, 0.2),
                      "imbalance": (1.0, 0.5, 0.2, 0.1)}

BINDINGS: list[BindingType] = [  # Textual's type for a BINDINGS list, so the App takes it
    Binding("t", "train", "Train", id="train", tooltip="train the selected problem and loss"),
    Binding("a", "train_all", "All", id="train_all",
            tooltip="queue every loss that fits the selected problem (the marked ones, "
                    "when two or more are marked)"),
    Binding("s", "stop", "Stop", id="stop",
            tooltip="stop the current run (or study) after this epoch"),
    Binding("S", "study", "Study", id="study",
            tooltip="a fair study of the problem's losses (or of two or more marked, else "
                    "overlaid): each tuned on validation, judged on test once over the "
                    "protocol's paired seeds (10; --seeds or , sets them; not n's); the "
                    "verdict opens when it ends. With two or more problems marked: one "
                    "study per problem, then the suite verdict across them"),
    Binding("R", "robustness", "Robustness", id="robustness", show=False,
            tooltip="robustness curves: the study at each label-noise rate (--noise-sweep, "
                    "default 0, 0.2, 0.4, 0.6; test clean, validation noisy); s stops it"),
    Binding("v", "compare", "Verdict", id="compare",
            tooltip="the verdict for the selected problem: its study, or one group of its "
                    "multi-seed runs (the selected run's settings, else the latest's)"),
    Binding("x", "export", "Export", id="export", show=False,
            tooltip="write the selected problem's verdict as the Markdown and JSON reports "
                    "--headless writes, in the folder lossterm started in"),
    Binding("B", "beside", "Beside", id="beside", show=False,
            tooltip="every verdict of this session side by side, one column per problem "
                    "(the same losses on two problems, or clean and perturbed)"),
    Binding("V", "past_studies", "Past studies", id="past_studies", show=False,
            tooltip="the studies and sweeps that ended on this store, newest first: reopen "
                    "one from its kept runs (nothing trains)"),
    Binding("space", "mark", "Mark", id="mark", show=False,
            tooltip="mark the selected loss (✓), or unmark it: with two or more marked on "
                    "the problem's kind, S studies and a queues exactly those. On the "
                    "problem list it marks the problem: S studies each marked problem and "
                    "the suite verdict across them"),
    Binding("u", "unmark", "Unmark", id="unmark", show=False,
            tooltip="unmark every marked problem and loss"),
    Binding("comma", "run_settings", "Settings", id="run_settings", key_display=",",
            show=False, tooltip="epochs, learning rate, optimizer, hidden layers, and a "
                                "study's tuning and final seeds, for what follows"),
    Binding("n", "seeds", "Seeds", id="seeds",
            tooltip="seeds per run of t and a: 1, 3, 5, 10 (curves show the mean and "
                    "min-max band)"),
    Binding("m", "switch_curves", "Curves", id="switch_curves",
            tooltip="curves: switch between the metric and the loss"),
    Binding("question_mark", "help", "Help", id="help", key_display="?",
            tooltip="this screen"),
    Binding("q", "quit", "Quit", id="quit", tooltip="quit, stopping any training"),
    Binding("e", "theory", "Theory", id="theory", show=False,
            tooltip="what the selected loss is: formula, likelihood view, pitfalls, shape"),
    Binding("o", "open_data", "Own data", id="open_data", show=False,
            tooltip="load a CSV file of your own (path and target column)"),
    Binding("L", "cycle('label_noise')", "Label noise", id="label_noise", show=False,
            tooltip="label noise on the training split: 0, 0.1, 0.2, 0.3"),
    Binding("O", "cycle('outliers')", "Outliers", id="outliers", show=False,
            tooltip="outlying regression targets in the training split: 0, 0.05, 0.1, 0.2"),
    Binding("I", "cycle('imbalance')", "Imbalance", id="imbalance", show=False,
            tooltip="share of class 1's training rows kept: 1, 0.5, 0.2, 0.1"),
    Binding("c", "clear", "Clear", id="clear", show=False, tooltip="remove finished runs"),
    Binding("r", "regions", "Regions", id="regions", show=False,
            tooltip="show a classifier's predicted regions behind the points"),
    Binding("tab", "focus_next", "Next pane", show=False, tooltip="move to the next pane"),
    Binding("shift+tab", "focus_previous", "Previous pane", show=False,
            tooltip="move to the previous pane"),
]

# Keys the footer drops below 96 columns, so Help and Quit stay on the row: the picker
# says "seeds per run 3 (n)" and the curves' title "(m: loss)" where they act.
WIDE_ONLY = frozenset({"seeds", "switch_curves"})

# The actions that act on the main screen's selection or panes: not run (nor shown) while
# another screen is on top of it (LosstermApp.check_action).
MAIN_SCREEN_ONLY = frozenset({"train", "train_all", "study", "robustness", "compare", "seeds",
                              "switch_curves", "cycle", "clear", "regions", "theory",
                              "open_data", "export", "past_studies", "beside", "mark",
                              "run_settings", "unmark"})

EVERYWHERE = [Binding("ctrl+p", "command_palette", "Commands",
                      tooltip="command palette: every action by name"),
              Binding("up,down,j,k", "", "Move", key_display="↑ ↓ j k", tooltip="move in a list")]


def next_step(steps: tuple[T, ...], now: object) -> T:
    """The step after ``now``, wrapping round; the first if ``now`` is not a step."""
    return steps[(steps.index(now) + 1) % len(steps)] if now in steps else steps[0]


def as_bindings(items: Iterable[BindingType]) -> list[Binding]:
    """A BINDINGS list as Binding objects: Textual also takes (key, action[, description])
    tuples there. Keys are left as written ("up,down" stays one row of the help)."""
    return [b if isinstance(b, Binding) else Binding(*b) for b in items]


def help_groups(main: Iterable[BindingType], table: Iterable[BindingType]
                ) -> list[tuple[str, list[Binding]]]:
    """The help screen's sections: the main screen's keys, the runs table's, everywhere."""
    return [("Main screen", as_bindings(main)), ("Runs table", as_bindings(table)),
            ("Everywhere", EVERYWHERE)]


def commands(bindings: Iterable[BindingType], run_action: Callable[[str], object]
             ) -> Iterator[SystemCommand]:
    """Every key's action in the command palette, but moving and quitting (there already)."""
    for binding in as_bindings(bindings):
        if binding.action not in ("quit", "focus_next", "focus_previous"):
            yield SystemCommand(binding.description, binding.tooltip,
                                partial(run_action, binding.action))

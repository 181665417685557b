"""Which of the board's runs ``v`` may judge together: one experiment, never a pool.

The board holds this session's runs and the store's history: runs of other epochs,
learning rates, backends or data sit side by side, and a paired test over all of
them would call those differences seed noise. So ``v`` takes the runs of one problem
grouped by the rule ``lossterm report`` uses
(:mod:`lossterm.analysis.experiments`: every setting but the seed), judges one group
(the selected run's, else the most recent run's), and says which settings those
are and how many others it left out. A group that cannot be judged (one loss, or
fewer than two seeds every loss trained to the end) gets a line saying what to
press instead of a verdict. No Textual here: the rules are tested without an app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lossterm.analysis.experiments import Entry, distinct, experiment_key, experiments
from lossterm.app.runs import RunView
from lossterm.training.records import DONE, RunResult

MIN_PAIRED_SEEDS = 2  # a paired test needs two differences to have a spread


@dataclass(frozen=True)
class RunGroup:
    """The runs of one (problem, settings): what ``v`` judges together."""

    problem: str
    settings: Mapping  # what every run trained with, the seed aside
    results: tuple[RunResult, ...]  # one per (loss, seed): the latest
    left_out: tuple[Mapping, ...] = ()  # the other settings runs of the problem used

    @property
    def losses(self) -> list[str]:
        """The losses with a seed trained to the end, first seen first."""
        return list(dict.fromkeys(r.loss for r in self.results if _good(r)))

    def paired_seeds(self) -> list[int]:
        """The seeds every one of :attr:`losses` trained to the end."""
        seeds = [{r.seed for r in self.results if r.loss == loss and _good(r)}
                 for loss in self.losses]
        return sorted(set.intersection(*seeds)) if seeds else []

    def line(self) -> str:
        """One line: the settings judged, and the other settings left out."""
        text = f"runs at {settings_text(self.settings)}"
        if not self.left_out:
            return text
        count = len(self.left_out)
        which = "; ".join(dict.fromkeys(difference(self.settings, s) for s in self.left_out))
        return (f"{text}; left out: {count} other setting{'s' if count > 1 else ''} "
                f"({which}): {_how_to_pick(count)}")

    def refusal(self, seeds_now: int = 1) -> str | None:
        """Why these runs get no verdict, saying what to press (``seeds_now``: the seeds
        per run ``n`` has set); None when they do."""
        where = f"{self.problem} ({settings_text(self.settings, short=True)})"
        others = len(self.left_out)
        also = (f"; {others} other setting{'s' if others > 1 else ''} left out "
                f"({_how_to_pick(others)})" if others else "")
        if len(self.losses) < 2:
            return (f"no verdict for {where}: train two or more losses over several seeds "
                    f"(n for seeds, then a), or S for a fair study{also}")
        if len(self.paired_seeds()) < MIN_PAIRED_SEEDS:
            one = all(len({r.seed for r in self.results if r.loss == loss and _good(r)})
                      < MIN_PAIRED_SEEDS for loss in self.losses)
            lead = "one seed per loss" if one else "fewer than 2 seeds shared by every loss"
            more = (f"press a to train every loss over {seeds_now} more seeds"
                    if seeds_now >= MIN_PAIRED_SEEDS else
                    f"press n to set seeds ≥ {MIN_PAIRED_SEEDS} and a to train")
            return f"{lead} on {where}: {more}, or S for a study{also}"
        return None


def _how_to_pick(groups: int) -> str:
    return ("select one of its runs, then v" if groups == 1 else
            "select a run of the one you want, then v")


def _good(result: RunResult) -> bool:
    return result.status == DONE and bool(result.records)


def board_entries(runs: Iterable[RunView]) -> list[Entry]:
    """Every finished run's seeds as the store lists runs: (order, settings, result),
    oldest first."""
    return [(run.id, run.settings, result) for run in runs if run.finished
            for result in run.results]


def pick_group(runs: Iterable[RunView], problem: str,
               selected: RunView | None = None) -> RunGroup | None:
    """The group ``v`` judges on ``problem``: ``selected``'s when it is a finished run of
    ``problem``, else the most recent finished run's. None when no run of ``problem``
    has finished."""
    entries = [e for e in board_entries(runs) if e[2].problem == problem]
    if not entries:
        return None
    groups = experiments(entries)
    chosen = (selected.settings if selected is not None and selected.finished
              and selected.config.problem_name == problem else entries[-1][1])
    key = (problem, experiment_key(chosen))
    results, _ = distinct(groups[key])
    left_out = tuple(group[-1][1] for k, group in groups.items() if k != key)
    settings = {k: v for k, v in chosen.items() if k != "seed"}
    return RunGroup(problem, settings, tuple(results), left_out)

# -- wording -------------------------------------------------------------------------


def _optimizer(settings: Mapping) -> str:
    name = str(settings.get("optimizer", "sgd"))
    text = f"{name} lr {settings['learning_rate']:g}" if "learning_rate" in settings else name
    if name == "sgd" and "momentum" in settings:
        text += f" momentum {settings['momentum']:g}"
    return text


def _part(settings: Mapping, key: str) -> str:
    """One setting as a person reads it: "5 epochs", "batch 32", "jax"."""
    value = settings.get(key)
    if key == "backend":
        return str(value) if value else "backend not recorded"
    if key == "data":
        return "other data" if value else "data not recorded"
    if value is None:
        return f"no {key.replace('_', ' ')}"
    if key in ("optimizer", "learning_rate", "momentum"):
        return _optimizer(settings)
    return {"epochs": f"{value} epochs", "batch_size": f"batch {value}",
            "hidden_units": f"{value} units", "checkpoint": f"{value} checkpoint",
            }.get(key, f"{key.replace('_', ' ')} {value}")


_ORDER = ("epochs", "optimizer", "batch_size", "hidden_units", "checkpoint",
          "checkpoint_metric", "backend")
_SHORT = ("epochs", "backend")  # what a one-line notice names


def settings_text(settings: Mapping, short: bool = False) -> str:
    """The settings of a group in one phrase: "5 epochs, sgd lr 0.01 momentum 0.9, batch
    32, 16 units, tensorflow" (``short``: epochs and backend only)."""
    keys = _SHORT if short else _ORDER + tuple(
        k for k in settings if k not in _ORDER + ("seed", "data", "learning_rate", "momentum"))
    return ", ".join(_part(settings, k) for k in keys
                     if k in settings or k == "backend")


def difference(chosen: Mapping, other: Mapping) -> str:
    """What ``other`` trained with that ``chosen`` did not: "200 epochs", "jax"."""
    keys = [k for k in dict.fromkeys([*chosen, *other])
            if k != "seed" and chosen.get(k) != other.get(k)]
    if any(k in keys for k in ("optimizer", "learning_rate", "momentum")):
        keys = [k for k in keys if k not in ("learning_rate", "momentum")]
        keys = keys if "optimizer" in keys else ["optimizer", *keys]
    return ", ".join(dict.fromkeys(_part(other, k) for k in keys)) or "the same settings"

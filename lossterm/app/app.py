"""The lossterm TUI: a thin App wiring the panes, the keys and the training worker.

Training runs in one Textual thread worker that takes runs off a queue and
calls the engine; every epoch reaches the UI thread as an ``EpochDone``
message. Widgets change only in message handlers, on the UI thread. Plots are
redrawn by a timer, at most five times a second, however fast epochs come.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header
from textual.worker import get_current_worker

from lossterm.app.messages import (
    BackendFailed,
    BackendReady,
    DataReady,
    HistoryLoaded,
)
from lossterm.app.runs import RunView
from lossterm.app.screens.help import HelpScreen
from lossterm.app.screens.open_data import OpenDataScreen
from lossterm.app.screens.theory import TheoryScreen
from lossterm.app.training import RunQueue, Trainer, engine_trainer, field_name
from lossterm.app.widgets.curves import Curves, Legend
from lossterm.app.widgets.picker import Picker
from lossterm.app.widgets.runs_table import RunsTable
from lossterm.app.widgets.scatter import DatasetScatter
from lossterm import pipeline
from lossterm.engine import PROBLEM_NAMES, Problem, RunConfig, get_problem
from lossterm.engine.data import DataOptions
from lossterm.engine.perturb import Perturbation
from lossterm.engine.plan import ALL
from lossterm.errors import LosstermError
from lossterm.options import Options

PLOT_INTERVAL = 0.2  # seconds between plot redraws while training
SEED_CHOICES = (1, 3, 5, 10)
PERTURBATION_STEPS = {"label_noise": (0.0, 0.1, 0.2, 0.3), "outliers": (0.0, 0.05, 0.1, 0.2),
                      "imbalance": (1.0, 0.5, 0.2, 0.1)}
HISTORY_ROWS = 30  # earlier runs listed from the store at start


def load_backend() -> str:
    from lossterm.engine.backend import describe_backend

    return describe_backend()


class LosstermApp(RunQueue, App):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "lossterm"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]
    SUB_TITLE = "which loss should this network train with, and why?"
    BINDINGS = [
        Binding("t", "train", "Train", id="train", tooltip="train the selected problem and loss"),
        Binding("a", "train_all", "All", id="train_all",
                tooltip="queue every loss that fits the selected problem"),
        Binding("s", "stop", "Stop", id="stop", tooltip="stop the current run after this epoch"),
        Binding("n", "seeds", "Seeds", id="seeds",
                tooltip="seeds per run: 1, 3, 5, 10 (curves show the mean and min-max band)"),
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

    def __init__(self, *, trainer: Trainer | None = None,
                 loader: Callable[[], str] | None = None,
                 base: RunConfig | None = None, problem: str | None = None,
                 loss: str | None = None, seeds: int = 1, store=None,
                 own_problems: list[Problem] = (),
                 perturbation: Perturbation | None = None, options: Options | None = None):
        super().__init__()
        self.store = store
        self.options = options or Options(base=base or RunConfig(problem="", loss=""))
        self.own_problems = {p.name: p for p in own_problems}  # own data, by its shown name
        self.extra_problems = [(p.name, p.kind) for p in own_problems]
        self.perturbation = perturbation or self.options.perturbation
        self._perturbed: dict[tuple[str, Perturbation], Problem] = {}
        self.seed_choices = tuple(sorted({*SEED_CHOICES, seeds}))  # --seeds 7 joins the cycle
        self.initial = (problem, loss)
        self.seeds = seeds
        self.trainer = trainer or engine_trainer
        self.loader = loader or load_backend
        self.runs: dict[int, RunView] = {}
        self.queue: deque[int] = deque()
        self.current: int | None = None
        self.show_regions = True
        self.data_ready = False
        self._plots_dirty = False
        self._ids = itertools.count(1)

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield Picker(*self.initial, seeds=self.seeds, extra=self.extra_problems,
                         problem_of=self.training_problem, id="picker")
            with Vertical(id="right"):
                with Horizontal(id="plots"):
                    yield DatasetScatter(id="scatter")
                    with Vertical(id="curves"):
                        yield Curves("loss", id="loss-curves")
                        yield Curves("metric", id="metric-curves")
                        yield Legend(id="legend")
        yield RunsTable(id="runs")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "loading TensorFlow…"
        self.query_one("#problems").focus()
        self.set_interval(PLOT_INTERVAL, self._flush_plots)
        self._update_curves()
        # Start loading only once the first frame is on screen: the import
        # thread holds the GIL for long stretches and would delay it.
        self.call_after_refresh(self._load)

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        """Wait for the loading thread, or stop waiting when the app quits.

        The imports themselves run in a daemon thread: a Textual thread worker
        that is still importing TensorFlow when the app quits would hold the
        exit for seconds (asyncio.run waits for its executor's threads).
        """
        loading = threading.Thread(target=self._load_in_background, name="lossterm-load",
                                   daemon=True)
        loading.start()
        worker = get_current_worker()
        while loading.is_alive() and not worker.is_cancelled:
            loading.join(0.1)

    def _load_in_background(self) -> None:
        for name in PROBLEM_NAMES:  # scikit-learn and the data first: fast, shown first
            get_problem(name)
        self.post_message(DataReady())
        if self.store is not None:
            self.post_message(HistoryLoaded([r for _, r in self.store.results(HISTORY_ROWS)]))
        try:
            self.post_message(BackendReady(self.loader()))
        except LosstermError as exc:
            self.post_message(BackendFailed(str(exc)))

    def on_data_ready(self, _: DataReady) -> None:
        self.data_ready = True
        picker = self.query_one(Picker)
        picker.data_ready = True
        picker.refresh_details()
        self._show_problem()

    def on_backend_ready(self, message: BackendReady) -> None:
        self.sub_title = message.description

    def on_backend_failed(self, message: BackendFailed) -> None:
        self.sub_title = "Keras could not be loaded"
        self.notify(message.error, severity="error", timeout=30)

    def on_picker_changed(self, _: Picker.Changed) -> None:
        self._show_problem()

    # -- actions --------------------------------------------------------------

    def action_train(self) -> None:
        picker = self.query_one(Picker)
        self._enqueue(picker.problem, [picker.loss])

    def action_train_all(self) -> None:
        self._enqueue(self.query_one(Picker).problem, [ALL])

    def training_problem(self, name: str) -> Problem:
        """The problem listed as ``name``, with the perturbations that apply to its kind.

        Each (problem, perturbation) is made once, so the scatter, the checks
        and the runs all see the same value.
        """
        key = (name, self.perturbation)
        if key not in self._perturbed:
            base = self.own_problems.get(name) or get_problem(name)
            options = replace(self.options, perturbation=self.perturbation)
            self._perturbed[key] = pipeline.perturbed(base, options)
        return self._perturbed[key]

    def action_stop(self) -> None:
        run = self.runs.get(self.current) if self.current else None
        if run is None:
            self.notify("nothing is training", severity="warning")
            return
        run.stop.set()
        self.notify(f"stopping {run.label} after this epoch")

    def action_clear(self) -> None:
        table = self.query_one(RunsTable)
        for run in [r for r in self.runs.values() if r.finished]:
            table.remove(run)
            del self.runs[run.id]
        self._update_curves()

    def action_seeds(self) -> None:
        later = [n for n in self.seed_choices if n > self.seeds]
        self.seeds = later[0] if later else self.seed_choices[0]
        self._show_settings()

    def action_cycle(self, name: str) -> None:
        steps = PERTURBATION_STEPS[name]
        now = getattr(self.perturbation, name)
        following = steps[(steps.index(now) + 1) % len(steps)] if now in steps else steps[0]
        self.perturbation = replace(self.perturbation, **{name: following})
        self._show_settings()
        self._show_problem()

    def _show_settings(self) -> None:
        self.query_one(Picker).show_settings(self.seeds, self.perturbation.describe())

    def action_theory(self) -> None:
        self.push_screen(TheoryScreen(self.query_one(Picker).loss))

    def action_open_data(self) -> None:
        self.push_screen(OpenDataScreen(self.options.data), self._open_data)

    def _open_data(self, answer: DataOptions | None) -> None:
        if answer is None:
            return
        try:
            [problem] = pipeline.load_problems(
                replace(self.options.with_data(answer), perturbation=Perturbation()))
        except LosstermError as exc:
            self.notify(exc.render(field_name), severity="error", timeout=15)
            return
        self.options = self.options.with_data(answer)
        self.own_problems[problem.name] = problem
        self._perturbed = {k: v for k, v in self._perturbed.items() if k[0] != problem.name}
        for line in problem.warnings:
            self.notify(line, severity="warning", timeout=10)
        self.query_one(Picker).add_problem(problem.name, problem.kind)
        self.notify(f"loaded {problem.description}")

    def action_regions(self) -> None:
        self.show_regions = not self.show_regions
        self._show_problem()

    def action_help(self) -> None:
        groups = [("Main screen", [b for b in self.BINDINGS]),
                  ("Runs table", RunsTable.BINDINGS),
                  ("Everywhere", [Binding("ctrl+p", "command_palette", "Commands",
                                          tooltip="command palette: every action by name"),
                                  Binding("up,down,j,k", "", "Move",
                                          key_display="↑ ↓ j k", tooltip="move in a list")])]
        self.push_screen(HelpScreen(groups))

    async def action_quit(self) -> None:
        self.queue.clear()
        for run in self.runs.values():
            run.stop.set()
        self.workers.cancel_group(self, "train")
        self.workers.cancel_group(self, "load")
        self.exit()

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action not in ("quit", "focus_next", "focus_previous"):
                yield SystemCommand(binding.description, binding.tooltip,
                                    partial(self.run_action, binding.action))

    def on_runs_table_overlay_toggled(self, message: RunsTable.OverlayToggled) -> None:
        run = self.runs[message.run_id]
        run.overlay = not run.overlay
        self.query_one(RunsTable).upsert(run)
        self._update_curves()

    # -- plots ----------------------------------------------------------------

    def shown_runs(self) -> list[RunView]:
        """The overlay if any run is in it, else the run training now or the latest."""
        overlay = [r for r in self.runs.values() if r.overlay]
        if overlay:
            return overlay
        latest = self.runs.get(self.current) if self.current else None
        if latest is None:
            started = [r for r in self.runs.values() if r.results or r.live]
            latest = started[-1] if started else None
        return [latest] if latest else []

    def _update_curves(self) -> None:
        runs = self.shown_runs()
        for curves in self.query(Curves):
            curves.set_runs(runs)
        self.query_one(Legend).show(runs)
        self._plots_dirty = False

    def _flush_plots(self) -> None:
        if self._plots_dirty:
            self._update_curves()

    def _show_problem(self) -> None:
        if not self.data_ready:
            return
        try:
            problem = self.training_problem(self.query_one(Picker).problem)
        except LosstermError as exc:  # e.g. imbalance that leaves no class-1 rows
            self.notify(exc.render(field_name), severity="error")
            return
        regions = None
        if self.show_regions:
            done = [r.regions for r in self.runs.values()
                    if r.regions is not None and r.jobs and r.jobs[0].problem is problem]
            regions = done[-1] if done else None
        self.query_one(DatasetScatter).show(problem, regions)


def make_app(*, trainer: Trainer | None = None, loader: Callable[[], str] | None = None,
             **options) -> LosstermApp:
    """The app, as the CLI and the tests build it (tests inject a fake trainer).

    ``options``: base (RunConfig), problem, loss, seeds, store, own_problems,
    perturbation, options (Options), as LosstermApp takes them.
    """
    return LosstermApp(trainer=trainer, loader=loader, **options)



"""The lossterm TUI: a thin App holding the run board and wiring panes, keys and workers.

State lives in a plain model, :class:`~lossterm.app.state.RunBoard`, held as
the App's ``board`` reactive. The runs table, the curves, the legend and the
scatter are bound to it (``data_bind``) and redraw themselves in their own
``watch_board``; a message handler here only changes the board and calls
``mutate_reactive`` once. Training runs in one Textual thread worker
(:func:`~lossterm.app.training.train_queue`) that reaches the UI thread only
through messages, never by setting a reactive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Header
from textual.worker import Worker, WorkerState, get_current_worker

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.app import keys
from lossterm.app.choose import ChooseActions
from lossterm.app.loading import load_backend, load_until_cancelled, loading_line
from lossterm.app.messages import (
    BackendFailed,
    BackendReady,
    DataReady,
    EpochDone,
    HistoryLoaded,
    RunFinished,
    SeedFinished,
    SeedStarted,
)
from lossterm.app.pending import Pending
from lossterm.app.resume import ResumeActions
from lossterm.app.runs import RunView
from lossterm.app.screens.help import HelpScreen
from lossterm.app.screens.open_data import OpenDataScreen
from lossterm.app.screens.theory import TheoryScreen
from lossterm.app.settings import Settings
from lossterm.app.state import OverlayRefused, RunBoard
from lossterm.app.training import Trainer, engine_trainer, field_name, train_queue
from lossterm.app.widgets.curves import Curves
from lossterm.app.widgets.footer import KeyFooter
from lossterm.app.widgets.legend import Legend
from lossterm.app.widgets.picker import Picker
from lossterm.app.widgets.runs_table import RunsTable
from lossterm.app.widgets.scatter import DatasetScatter
from lossterm.app.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall
from lossterm.core.errors import LosstermError
from lossterm.core.types import Status
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import Problem
from lossterm.losses.twonode import form_text, is_two_node
from lossterm.options import Options
from lossterm.training.plan import ALL
from lossterm.training.records import RunConfig

__all__ = ["LosstermApp", "Trainer", "engine_trainer", "make_app"]


class LosstermApp(ChooseActions, ResumeActions, App):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "lossterm"
    # below MIN_WIDTH x MIN_HEIGHT every screen shows its TooSmall notice instead
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (96, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (28, "-tall")]
    SUB_TITLE = "which loss should this network train with, and why?"
    BINDINGS = keys.BINDINGS

    board: var[RunBoard] = var(RunBoard, init=False)
    show_regions: var[bool] = var(True, init=False)

    def __init__(self, *, trainer: Trainer | None = None,
                 loader: Callable[[], str] | None = None,
                 base: RunConfig | None = None, problem: str | None = None,
                 loss: str | None = None, seeds: int = 1, store=None,
                 own_problems: Sequence[Problem] = (),
                 perturbation: Perturbation | None = None, options: Options | None = None,
                 catch_signals: bool = False,
                 study_trainer: Trainer | None = None):
        super().__init__()
        self.store = store
        # What was asked and is not finished, kept in the store as it changes: the next
        # start offers it again (q with runs queued, a signal, a dropped link, kill -9).
        self.pending = Pending(store.path if store is not None else None)
        self.catch_signals = catch_signals  # the real terminal: SIGTERM/SIGHUP end as q does
        options = options or Options(base=base or RunConfig(problem="", loss=""))
        self.settings = Settings(options, seeds, own_problems, perturbation)
        self.extra_problems = [(p.name, p.kind) for p in own_problems]
        self.initial = (problem, loss)
        self.trainer = trainer or engine_trainer
        self.study_trainer = study_trainer  # None: studies train on the engine
        self.loader = loader or load_backend
        self.data_ready = False
        # problem name -> its latest ProblemStudy or NoiseSweep (what v shows)
        self.studies: dict[str, ProblemStudy | NoiseSweep] = {}
        self.study_stop: threading.Event | None = None  # set while a study runs
        self.backend_line = ""

    @property
    def seeds(self) -> int:
        return self.settings.seeds

    @property
    def runs(self) -> dict[int, RunView]:
        """Every run on the board, by id (read-only use: change runs through the board)."""
        return self.board.runs

    def _board_changed(self) -> None:
        """Tell the widgets bound to the board that it changed (once per handler)."""
        self.mutate_reactive(LosstermApp.board)

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield Picker(*self.initial, seeds=self.seeds, extra=self.extra_problems,
                         problem_of=self.training_problem, id="picker")
            with Vertical(id="right"), Horizontal(id="plots"):
                yield DatasetScatter(id="scatter").data_bind(LosstermApp.board,
                                                             LosstermApp.show_regions)
                with Vertical(id="curves"):
                    yield Curves(id="curves-plot").data_bind(LosstermApp.board)
                    yield Legend(id="legend").data_bind(LosstermApp.board)
        yield RunsTable(id="runs").data_bind(LosstermApp.board)
        yield KeyFooter(keys.WIDE_ONLY)
        yield TooSmall()

    def on_mount(self) -> None:
        self.sub_title = loading_line()
        self.query_one("#problems").focus()
        if self.catch_signals:
            self._catch_signals()
        # Start loading only once the first frame is on screen: the import
        # thread holds the GIL for long stretches and would delay it.
        self.call_after_refresh(self._load)

    # -- loading --------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        worker = get_current_worker()
        load_until_cancelled(self.post_message, self.loader, self.store,
                             lambda: worker.is_cancelled)

    def on_data_ready(self, _: DataReady) -> None:
        self.data_ready = True
        picker = self.query_one(Picker)
        picker.data_ready = True
        picker.mark_losses()
        picker.refresh_details()
        self._show_problem()

    def on_backend_ready(self, message: BackendReady) -> None:
        self.backend_line = self.sub_title = message.description
        self._offer_left_behind()
        rates = self.settings.options.noise_rates
        if rates:  # asked for on the command line: say how to run it
            self.notify(f"--noise-sweep {','.join(f'{r:g}' for r in rates)}: R runs the "
                        "robustness sweep on the selected problem", timeout=10)
        if any(name.lower() == ALL for name in self.settings.options.losses):
            self.notify(f"--loss all: a trains every loss that fits the selected problem; S "
                        f"studies them all over {self.settings.study_seeds} paired seeds",
                        timeout=10)

    def on_backend_failed(self, message: BackendFailed) -> None:
        self.sub_title = "Keras could not be loaded"
        self.notify(message.error, severity="error", timeout=30)

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        self.board.add_history(message.results, message.settings)
        self._board_changed()

    # -- training -------------------------------------------------------------

    def _picked(self) -> Picker:
        """The picker, its selection taken from what its lists show this instant."""
        picker = self.query_one(Picker)
        if picker.sync():
            self._show_problem()
        return picker

    def action_train(self) -> None:
        picker = self._picked()
        self._enqueue(picker.problem, [picker.loss])

    def action_train_all(self) -> None:
        picker = self._picked()
        self._enqueue(picker.problem, picker.marked() or [ALL])

    def training_problem(self, name: str) -> Problem:
        """The problem listed as ``name``, perturbed as the keys L, O and I say."""
        return self.settings.problem(name)

    def _enqueue(self, problem: str, losses: list[str]) -> None:
        try:
            plan = self.settings.plan(problem, losses)
        except LosstermError as exc:
            self.notify(exc.render(field_name), severity="error", timeout=10)
            return
        for line in plan.skipped:
            self.notify(f"skipped {line}", severity="warning", timeout=10)
        jobs, moved = self.board.fresh_seeds(plan.runs, self.seeds)
        for line in moved:
            self.notify(line, timeout=8)
        if jobs:
            added = self.board.add_planned(jobs, self.seeds)
            self.pending.queued(added, problem, self.settings.perturbation)
            self._keep_pending()
            self._board_changed()
        self._start_worker()

    def _start_worker(self) -> None:
        busy = any(w.is_running for w in self.workers if w.group == "train")
        if self.board.has_queued and not busy:
            self._train_queue()

    @work(thread=True, group="train", exit_on_error=False)
    def _train_queue(self) -> None:
        worker = get_current_worker()
        train_queue(self.board.next_queued, self.trainer, self.store, self.post_message,
                    lambda: worker.is_cancelled)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "train" and event.state == WorkerState.SUCCESS:
            self._start_worker()  # something queued as the worker was finishing

    def on_seed_started(self, message: SeedStarted) -> None:
        if self.board.seed_started(message.run_id, message.seed):
            self._keep_pending()
            self._board_changed()

    def on_epoch_done(self, message: EpochDone) -> None:
        if self.board.epoch_done(message.run_id, message.record, message.seed):
            self._board_changed()

    def on_seed_finished(self, message: SeedFinished) -> None:
        run = self.board.seed_finished(message.run_id, message.result)
        if run is None:
            return
        result = message.result
        self._keep_pending()  # a seed that ended for good is not trained again
        if result.status in (Status.DIVERGED, Status.FAILED):
            self.notify(f"{run.label} seed {result.seed}: {result.status}, {result.message}",
                        severity="warning", timeout=10)
        self._board_changed()

    def on_run_finished(self, message: RunFinished) -> None:
        self.board.run_finished(message.run_id, message.error)
        self._keep_pending()
        if message.error:
            self.notify(message.error, severity="error", timeout=10)
        self._board_changed()

    def action_stop(self) -> None:
        if self.study_stop is not None:
            self.study_stop.set()
            self.notify("stopping the study after this epoch")
            return
        run = self.board.training
        if run is None:
            self.notify("nothing is training", severity="warning")
            return
        run.stop.set()
        self.notify(f"stopping {run.label} after this epoch")

    def action_clear(self) -> None:
        self.board.clear_finished()
        self._board_changed()

    def on_runs_table_overlay_toggled(self, message: RunsTable.OverlayToggled) -> None:
        try:
            changed = self.board.toggle_overlay(message.run_id)
        except OverlayRefused as why:
            self.notify(str(why), severity="warning", timeout=10)
            return
        if changed:
            self._board_changed()

    def action_switch_curves(self) -> None:
        curves = self.query_one(Curves)
        curves.which = "loss" if curves.which == "metric" else "metric"

    # -- settings and screens -------------------------------------------------

    def on_picker_changed(self, _: Picker.Changed) -> None:
        self._show_problem()

    def on_picker_chosen(self, _: Picker.Chosen) -> None:
        self.action_train()  # enter on a loss

    def action_seeds(self) -> None:
        self.settings.next_seeds()
        self._show_settings()

    def action_cycle(self, name: str) -> None:
        self.settings.cycle(name)
        picker = self._picked()
        kind = picker.kinds[picker.problem]
        value = getattr(self.settings.perturbation, name)
        own = self.settings.own.get(picker.problem)
        if own is not None and own.n_targets > 1 and value != getattr(Perturbation(), name):
            self.notify(f"{field_name(name)} {value:g} is kept for other problems; "
                        f"perturbations take one target column and {picker.problem} has "
                        f"{own.n_targets}", severity="warning", timeout=8)
        elif getattr(self.settings.perturbation.for_kind(kind), name) != value:
            self.notify(f"{field_name(name)} {value:g} is kept for other problems; it does not "
                        f"apply to {picker.problem} ({kind})", severity="warning", timeout=8)
        self._show_settings()
        picker.mark_losses()
        picker.refresh_details()
        self._show_problem()

    def action_regions(self) -> None:
        self.show_regions = not self.show_regions

    def _show_settings(self) -> None:
        self.query_one(Picker).show_settings(self.seeds, self.settings.perturbation)

    def _show_problem(self) -> None:
        if not self.data_ready:
            return
        try:
            problem = self.training_problem(self.query_one(Picker).problem)
        except LosstermError as exc:  # e.g. imbalance that leaves no class-1 rows
            self.notify(exc.render(field_name), severity="error")
            return
        self.query_one(DatasetScatter).show(problem)

    def action_theory(self) -> None:
        picker = self._picked()
        spec = picker.spec
        form = (f"{form_text(spec)} on {picker.problem}, a binary problem; below, the "
                "multiclass loss's own theory") if is_two_node(spec) else ""
        self.push_screen(TheoryScreen(picker.loss, form))

    def action_open_data(self) -> None:
        self.push_screen(OpenDataScreen(self.settings.options.last_data, self.settings.read_own,
                                        field_name), self._open_data)

    def _open_data(self, answer: tuple[Options, Problem] | None) -> None:
        """The dialog read the file (it stays open, saying why, when it cannot)."""
        if answer is None:
            return
        problem = self.settings.use_own(*answer)
        for line in problem.warnings:
            self.notify(line, severity="warning", timeout=10)
        self.query_one(Picker).add_problem(problem.name, problem.kind)
        self.notify(f"loaded {problem.description}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(keys.help_groups(self.BINDINGS, RunsTable.BINDINGS)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main screen's keys act on the main screen only: on the compare screen, t, a
        or S used to start work silently behind it. Off it they are neither run nor shown
        in its footer; s (stop), ? and the palette stay."""
        from textual.command import CommandPalette

        on_top = [s for s in self.screen_stack[1:] if not isinstance(s, CommandPalette)]
        return not (on_top and action in keys.MAIN_SCREEN_ONLY)

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = screen is self.screen_stack[0]  # the screen the palette was opened over
        yield from keys.commands([b for b in keys.as_bindings(self.BINDINGS) if main or
                                  b.action.split("(")[0] not in keys.MAIN_SCREEN_ONLY],
                                 self.run_action)


def make_app(*, trainer: Trainer | None = None, loader: Callable[[], str] | None = None,
             **options) -> LosstermApp:
    """The app, as the CLI and the tests build it (tests inject a fake trainer).

    ``options``: base (RunConfig), problem, loss, seeds, store, own_problems,
    perturbation, options (Options), study_trainer, as LosstermApp takes them.
    """
    return LosstermApp(trainer=trainer, loader=loader, **options)

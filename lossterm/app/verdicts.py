"""The App's studies, sweeps and verdicts: S, R and v, their workers and their messages.

A mixin of :class:`~lossterm.app.app.LosstermApp` (kept apart so the App stays a thin
wiring of panes and keys). A study (``S``) or a noise sweep (``R``) runs in one
thread worker of the ``study`` group; at most one at a time, ``s`` sets its stop
event. What ended last per problem is kept in ``self.studies``, and ``v`` shows
it — or one group of the problem's finished multi-seed runs, those sharing every
setting but the seed (:mod:`lossterm.app.groups`) — on the compare screen. Problems
are keyed by the name their runs and studies carry, the perturbation included.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from textual import work

from lossterm import service
from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.app.compare import CompareView, from_runs, from_study, from_sweep
from lossterm.app.export import write_reports
from lossterm.app.groups import pick_group
from lossterm.app.messages import StudyCurves, StudyDone, StudyProgress, SweepDone
from lossterm.app.pending import STUDY, SWEEP, Pending, study_item
from lossterm.app.runs import RunView
from lossterm.app.settings import Settings
from lossterm.app.state import RunBoard
from lossterm.app.watch import left_text
from lossterm.app.widgets.curves import Curves
from lossterm.app.widgets.legend import Legend
from lossterm.app.widgets.picker import Picker
from lossterm.core.errors import LosstermError, UsageError
from lossterm.data.perturb import Perturbation
from lossterm.data.problems import Problem, get_problem
from lossterm.options import Options
from lossterm.storage.store import Store
from lossterm.training.plan import ALL
from lossterm.training.records import RunResult

if TYPE_CHECKING:
    from textual.app import App


class VerdictHost(Protocol):
    """What these actions need of the App they are mixed into, besides Textual's own
    App (notify, push_screen, post_message, focused, sub_title). The mixin derives from
    it for the type checker, so mypy checks every use here against it, and the App's own
    definitions against it (a method or property missing from the App leaves it
    abstract: ``make_app`` would not type-check)."""

    settings: Settings
    studies: dict[str, ProblemStudy | NoiseSweep]  # what ended last per problem (v shows it)
    # Set while a study or sweep runs. The default is for mypy only (this class is never
    # a base at run time): without it, the first assignment in a method would narrow the
    # declared type to Event and reject the None that ends a study.
    study_stop: threading.Event | None = None
    backend_line: str  # the sub-title to restore when a study ends
    store: Store | None  # the run history; a study keeps its runs beside it and resumes
    study_trainer: service.Runner | None  # what trains a study's runs (None: the engine)
    pending: Pending  # the unfinished work, kept in the store for the next start

    @property
    def board(self) -> RunBoard: ...

    @property
    def seeds(self) -> int: ...

    def training_problem(self, name: str) -> Problem: ...

    def _picked(self) -> Picker: ...

    def _keep_pending(self) -> None: ...

    def _record_study(self, problem: str, result: ProblemStudy | NoiseSweep) -> None: ...

    def _reopen_latest(self, problem: str) -> bool: ...

    def _start_worker(self) -> None: ...

    def _board_changed(self) -> None: ...


if TYPE_CHECKING:
    class _Host(App[None], VerdictHost):
        """The App as the mixin sees it: Textual's App with the lossterm members."""
else:
    _Host = object  # at run time the mixin adds nothing to the App's classes


def _seed_span(count: int, first: int) -> str:
    """The final seeds a study trains, as its report names them: "(seeds 0-9)"."""
    return f"(seed {first})" if count == 1 else f"(seeds {first}–{first + count - 1})"


class VerdictActions(_Host):
    """The study, sweep and verdict actions of an App that is a :class:`VerdictHost`."""

    def _study_running(self) -> bool:
        if self.study_stop is not None:
            self.notify("a study is running: s stops it", severity="warning")
        return self.study_stop is not None

    def action_study(self) -> None:
        if self._study_running():
            return
        picker = self._picked()
        listed = picker.problem
        problem = self.training_problem(listed)
        marked = picker.marked() or self._marked_losses(problem.name)  # space in the list
        self._begin_study(listed, marked, self.settings.perturbation,
                          self.settings.study_seeds, self.settings.options)

    def _begin_study(self, listed: str, marked: list[str], perturbation: Perturbation,
                     seeds: int, options: Options | None = None) -> None:
        """Study ``marked`` (none: every loss) on ``listed`` perturbed by ``perturbation``,
        ``seeds`` final seeds, under ``options`` (default: this session's); kept as
        unfinished work until it ends."""
        options = options or self.settings.options
        problem = self.settings.problem(listed, perturbation)
        self.study_stop = threading.Event()
        which = (f"{len(marked)} losses, {', '.join(marked)}" if marked
                 else "every loss that fits it")
        self.notify(f"study of {problem.name} comparing {which}: tuning each one's learning "
                    f"rate on validation, then {seeds} "
                    f"paired final seeds {_seed_span(seeds, options.base.seed)} "
                    "(--seeds or , sets them; n is seeds per run, for t and a); s stops it",
                    timeout=10)
        self.pending.study = study_item(STUDY, listed, perturbation, marked or [ALL], seeds,
                                        options)
        self._keep_pending()
        self._run_study(problem, marked or [ALL], self.study_stop, replace(options, seeds=seeds))

    def _marked_losses(self, problem: str) -> list[str]:
        """The losses of the runs overlaid (space in the runs table) on ``problem``, when
        there are two or more: S's choice when fewer than two losses are marked in the
        picker. Otherwise none (S takes every loss)."""
        losses = list(dict.fromkeys(r.config.loss_name for r in self.board.overlay
                                    if r.config.problem_name == problem))
        return losses if len(losses) >= 2 else []

    @work(thread=True, group="study", exit_on_error=False)
    def _run_study(self, problem: Problem, losses: list[str], stop: threading.Event,
                   options: Options) -> None:
        from lossterm.app.study import study_worker

        study_worker(problem, losses, options, stop, self.post_message, store=self.store,
                     runner=self.study_trainer)

    def action_robustness(self) -> None:
        if self._study_running():
            return
        self._begin_sweep(self._picked().problem, self.settings.perturbation,
                          self.settings.study_seeds)

    def _begin_sweep(self, listed: str, perturbation: Perturbation, seeds: int,
                     options: Options | None = None) -> None:
        """The robustness sweep of ``listed`` (clean: the sweep adds the noise of
        ``perturbation``'s kind), ``seeds`` final seeds, under ``options`` (default: this
        session's); kept as unfinished work until it ends."""
        options = options or self.settings.options
        problem = self.settings.own.get(listed) or get_problem(listed)
        rates = options.noise_rates or service.DEFAULT_NOISE_RATES
        self.study_stop = threading.Event()
        self.notify(f"robustness of {problem.name}: a study at each label-noise rate "
                    f"({', '.join(f'{r:g}' for r in rates)}; "
                    f"{perturbation.noise_kind}; {seeds} paired seeds per rate, --seeds or "
                    ", sets them); s stops it", timeout=10)
        self.pending.study = study_item(SWEEP, listed, perturbation, [ALL], seeds, options)
        self._keep_pending()
        self._run_sweep(problem, self.study_stop, perturbation, replace(options, seeds=seeds))

    @work(thread=True, group="study", exit_on_error=False)
    def _run_sweep(self, problem: Problem, stop: threading.Event, perturbation: Perturbation,
                   options: Options) -> None:
        from lossterm.app.study import sweep_worker

        sweep_worker(problem, [ALL], options, perturbation, stop, self.post_message,
                     store=self.store, runner=self.study_trainer)

    def on_study_progress(self, message: StudyProgress) -> None:
        if self.study_stop is not None:  # not one that ended (a worker's late message)
            self.sub_title = progress_line(message)
            for legend in self.screen_stack[0].query(Legend):
                legend.show_progress(progress_pieces(message))

    def on_study_curves(self, message: StudyCurves) -> None:
        """The study's runs as they train, in the main screen's curves pane (until it ends)."""
        if self.study_stop is not None:
            live_view(self, message)

    def on_study_done(self, message: StudyDone) -> None:
        self._ended(message.problem, message.study, message.error)

    def on_sweep_done(self, message: SweepDone) -> None:
        sweep = message.sweep
        if sweep is not None and sweep.stopped:
            self.notify(f"sweep stopped: {len(sweep.points)} of {len(sweep.rates)} rates "
                        "done", timeout=6)
        self._ended(message.problem, sweep, message.error)

    def _ended(self, problem: str, result: ProblemStudy | NoiseSweep | None, error: str) -> None:
        """A study or sweep ended: its verdict opens, or why there is none is said."""
        self.study_stop = None
        self.sub_title = self.backend_line
        live_view(self, None)
        if result is not None:
            self._record_study(problem, result)  # listed with what asked for it (V reopens)
        self.pending.study = None  # ended, with a verdict or without: nothing to offer again
        self._keep_pending()
        if result is None:
            self.notify(error, severity="warning", timeout=10)
            return
        self.studies[problem] = result
        self._open_compare(problem)

    def action_compare(self) -> None:
        """The verdict on the run selected in the runs table (when the table has focus),
        else on the problem the picker and the perturbation keys select now."""
        selected = self._selected_run()
        if selected is not None:
            self._open_compare(selected.config.problem_name, selected)
            return
        picker = self._picked()
        try:  # the perturbed problem's name: what its runs and studies are kept under
            problem = self.training_problem(picker.problem).name
        except LosstermError:  # e.g. an imbalance that leaves no class-1 rows
            problem = picker.problem
        self._open_compare(problem)

    def _selected_run(self) -> RunView | None:
        """The finished run under the runs table's cursor while the table has focus."""
        from lossterm.app.widgets.runs_table import RunsTable

        table = self.focused
        if not isinstance(table, RunsTable):
            return None
        run = self.board.get(table.selected_run_id())
        return run if run is not None and run.finished else None

    def _open_compare(self, problem: str, selected: RunView | None = None) -> None:
        """The problem's study or sweep if one ended, else one group of its runs (the
        selected run's, else the latest's: :func:`~lossterm.app.groups.pick_group`)."""
        from lossterm.app.screens.compare import CompareScreen

        if problem in self.studies:
            done = self.studies[problem]
            view = from_sweep(done) if isinstance(done, NoiseSweep) else from_study(done)
        else:
            view = self._runs_view(problem, selected)
        if view is not None:
            self.push_screen(CompareScreen(
                view, export=lambda: self.export_verdict(problem, selected)))

    def _runs_view(self, problem: str, selected: RunView | None) -> CompareView | None:
        """The compare view of one group of ``problem``'s runs, or None after a
        notification saying why there is none and what to press."""

        group = pick_group(self.board, problem, selected)
        why: str | None
        if group is None and self._reopen_latest(problem):  # a study of an earlier session
            return None
        if group is None:
            why = (f"no verdict for {problem} yet: S runs a fair study, or train two or more "
                   "losses over several seeds (n, then a)")
        else:
            why = group.refusal(self.seeds)
            view = None if why else from_runs(problem, list(group.results), group.line())
            if view is not None:
                return view
        self.notify(why or f"no verdict for {problem}", timeout=10)
        return None

    # -- side by side --------------------------------------------------------------

    def action_beside(self) -> None:
        """Every study and sweep of this session (reopened ones too) side by side."""
        from lossterm.app.screens.beside import BesideScreen

        views = [from_sweep(done) if isinstance(done, NoiseSweep) else from_study(done)
                 for done in self.studies.values()]
        shown = [v for v in views if v is not None]
        if len(shown) < 2:
            self.notify("side by side needs two verdicts: S on another problem, or on this "
                        "one perturbed (L, O, I); V reopens past ones", timeout=10)
            return
        self.push_screen(BesideScreen(shown))

    # -- export ------------------------------------------------------------------

    def action_export(self) -> None:
        """The verdict on the problem the picker and perturbation keys select now."""
        picker = self._picked()
        try:
            problem = self.training_problem(picker.problem).name
        except LosstermError:
            problem = picker.problem
        self.export_verdict(problem)

    def export_verdict(self, problem: str, selected: RunView | None = None) -> None:
        """Write ``problem``'s verdict (its study or sweep, else one group of its runs) as
        the Markdown and JSON reports ``--headless`` writes, and say where."""
        verdict: ProblemStudy | NoiseSweep | list[RunResult] | None = self.studies.get(problem)
        if verdict is None:
            group = pick_group(self.board, problem, selected)
            if group is None or group.refusal(self.seeds):
                self.notify(f"no verdict on {problem} to export yet: S runs a study",
                            severity="warning", timeout=8)
                return
            verdict = list(group.results)
        try:
            written = write_reports(verdict, problem, self.backend_line)
        except (OSError, UsageError) as exc:
            self.notify(f"the verdict could not be written: {exc}", severity="error",
                        timeout=15)
            return
        self.notify(f"verdict written: {written[0]} (and {written[1].name})", timeout=15)

def progress_line(message: StudyProgress) -> str:
    """The header while a study trains: its phase, its runs done of every phase's, the
    share done (epochs of the runs training included) and, once runs have ended, the time
    left at the pace so far, said to be an estimate."""
    return f"study of {message.problem}: " + ", ".join(progress_pieces(message))


def progress_pieces(message: StudyProgress) -> list[str]:
    """The progress in pieces a narrow pane can wrap: phase and runs, share, time left."""
    pieces = [f"{message.phase}, {message.overall_done}/{message.overall_total} runs",
              f"{message.fraction:.0%}"]
    if message.left is not None:
        pieces.append(f"{left_text(message.left)} (estimate)")
    return pieces


def live_view(app: App[None], message: StudyCurves | None) -> None:
    """Show a study's live curves on the main screen (None: back to the run board's)."""
    main = app.screen_stack[0]
    for curves in main.query(Curves):
        curves.show_live(message)
    for legend in main.query(Legend):
        legend.show_live(message)

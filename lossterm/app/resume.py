"""The App's kept work: unfinished work offered on start, finished studies reopened.

A mixin of :class:`~lossterm.app.app.LosstermApp`, over the study actions (it restarts
a study or sweep through them). What is kept, and how an item becomes jobs again, is
:mod:`lossterm.app.pending`; the offer itself is
:class:`~lossterm.app.screens.resume.ResumeScreen`.
"""

from __future__ import annotations

import asyncio
import signal
import threading

from textual import work

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.study.sweep_result import NoiseSweep
from lossterm.app.compare import from_study, from_sweep
from lossterm.app.past import StudyReopened, problem_of, reopen_worker
from lossterm.app.pending import SWEEP, describe, options_from, perturbation_of, restore
from lossterm.app.screens.resume import ResumeScreen
from lossterm.app.screens.studies import StudiesScreen
from lossterm.app.verdicts import VerdictActions
from lossterm.app.widgets.runs_table import RunsTable
from lossterm.core.errors import LosstermError
from lossterm.data.problems import Problem
from lossterm.storage.pending import FinishedStudy
from lossterm.training.plan import ALL


class ResumeActions(VerdictActions):
    """Keeping the App's unfinished work and offering an earlier session's."""

    signalled = 0  # the signal that is ending the App, if one is

    # -- ending: what was cut is kept ----------------------------------------------

    async def action_quit(self) -> None:
        self._close()

    def _close(self, return_code: int = 0) -> None:
        """Stop every run and the study after their epoch (the runs are kept as
        ``stopped``: the process waits for the training threads), keep the unfinished
        work as it stands for the next start, and exit."""
        self.pending.closing = True
        self.board.stop_all()
        if self.study_stop is not None:
            self.study_stop.set()
        self.workers.cancel_group(self, "train")
        self.workers.cancel_group(self, "load")
        self.exit(return_code=return_code)

    def _signalled(self, signum: int) -> None:
        """SIGTERM or SIGHUP (the SSH link dropped): end as q does, exit 128 + signal.
        A second signal while ending is ignored: the stop is on its way."""
        if self.signalled:
            return
        self.signalled = signum
        self._close(128 + signum)

    def on_unmount(self) -> None:
        self.pending.close()

    def _catch_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal gone) end the App as q does, on its loop."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self._signalled, signum)

    # -- the queue, run by run ---------------------------------------------------------

    def on_runs_table_dropped(self, message: RunsTable.Dropped) -> None:
        """d on a run: a queued one leaves the queue; the one training stops after its
        epoch (kept as stopped); a finished one stays (c clears finished runs)."""
        run = self.board.get(message.run_id)
        if run is None:
            return
        if self.board.drop_queued(run.id) is not None:
            self.notify(f"{run.label} taken off the queue", timeout=5)
            self._keep_pending()
            self._board_changed()
        elif not run.finished:
            run.stop.set()
            self.notify(f"stopping {run.label} after this epoch", timeout=5)
        else:
            self.notify(f"{run.label} has ended: c clears finished runs", timeout=5)

    # -- unfinished work -------------------------------------------------------------

    def _keep_pending(self) -> None:
        """Keep the unfinished work in the store as it stands now."""
        self.pending.save(self.board, lambda line: self.notify(line, severity="warning",
                                                               timeout=10))

    def _offer_left_behind(self) -> None:
        """Once per start: offer the work an earlier lossterm on this store left unfinished."""
        if self.pending.offered:
            return
        self.pending.offered = True
        items = self.pending.left_behind()
        if items:
            self.push_screen(ResumeScreen(describe(items)),
                             lambda answer: self._take_left_behind(items, bool(answer)))

    def _take_left_behind(self, items: list[dict], answer: bool) -> None:
        """Queue the offered work again (``answer``), or forget it; either way the earlier
        session's rows go, and what is queued now is kept as this session's."""
        self.pending.forget_left_behind()
        if not answer:
            self.notify("the unfinished work was forgotten", timeout=6)
            return
        runs, studies, refused = restore(items, self.settings)
        for line in refused:
            self.notify(line, severity="warning", timeout=10)
        for item, jobs in runs:
            added = self.board.add_planned(jobs, len(jobs))
            self.pending.queued(added, item["problem"], perturbation_of(item))
        if runs:
            self._board_changed()
        if studies and self.study_stop is None:
            item = studies[0]  # one study at a time; the others are said
            if item["kind"] == SWEEP:
                self._begin_sweep(item["problem"], perturbation_of(item), item["seeds"],
                                  options_from(item, self.settings.options))
            else:
                self._begin_study(item["problem"], [x for x in item["losses"] if x != ALL],
                                  perturbation_of(item), item["seeds"],
                                  options_from(item, self.settings.options))
            for other in studies[1:]:
                self.notify(f"{other['kind']} of {other['problem']} not started: one at a "
                            "time (start it with S or R)", severity="warning", timeout=10)
        self._keep_pending()
        self._start_worker()

    # -- finished studies ----------------------------------------------------------

    def _record_study(self, problem: str, result: ProblemStudy | NoiseSweep) -> None:
        """List a study that ended with a verdict, with what asked for it (to reopen)."""
        item, kept = self.pending.study, self.pending.finished
        if item is None or kept is None:
            return
        view = from_sweep(result) if isinstance(result, NoiseSweep) else from_study(result)
        if view is not None:
            kept.record(item, problem, view.verdict)

    def action_past_studies(self) -> None:
        kept = self.pending.finished
        if kept is None:
            self.notify("no store (--no-store): studies are not kept", severity="warning")
            return
        studies = kept.listed()
        if not studies:
            self.notify("no study has ended on this store yet: S runs one", timeout=8)
            return
        self.push_screen(StudiesScreen(studies), self._reopen)

    def _reopen_latest(self, problem: str) -> bool:
        """Reopen the latest finished study of ``problem`` on the store, if one is listed."""
        kept = self.pending.finished
        if kept is None:
            return False
        found = [s for s in kept.listed() if s.problem == problem]
        if found:
            self._reopen(found[0])
        return bool(found)

    def _reopen(self, past: FinishedStudy | None) -> None:
        if past is None or self._study_running() or self.store is None:
            return
        try:
            problem = problem_of(past.item, self.settings)
        except LosstermError as exc:
            self.notify(f"the {past.kind} of {past.problem} cannot be reopened: {exc}",
                        severity="warning", timeout=10)
            return
        self.study_stop = threading.Event()  # one study worker at a time
        self.sub_title = f"reopening the {past.kind} of {past.problem} from its kept runs…"
        self._run_reopen(past.item, problem)

    @work(thread=True, group="study", exit_on_error=False)
    def _run_reopen(self, item: dict, problem: Problem) -> None:
        assert self.store is not None
        reopen_worker(item, problem, self.settings, self.post_message, self.store)

    def on_study_reopened(self, message: StudyReopened) -> None:
        self.study_stop = None
        self.sub_title = self.backend_line
        if message.result is None:
            self.notify(message.error, severity="warning", timeout=10)
            return
        self.studies[message.problem] = message.result
        self._open_compare(message.problem)

"""The App's unfinished-work actions: kept in the store as it changes, offered on start.

A mixin of :class:`~lossterm.app.app.LosstermApp`, over the study actions (it restarts
a study or sweep through them). What is kept, and how an item becomes jobs again, is
:mod:`lossterm.app.pending`; the offer itself is
:class:`~lossterm.app.screens.resume.ResumeScreen`.
"""

from __future__ import annotations

from lossterm.app.pending import SWEEP, describe, perturbation_of, restore
from lossterm.app.screens.resume import ResumeScreen
from lossterm.app.verdicts import VerdictActions
from lossterm.training.plan import ALL


class ResumeActions(VerdictActions):
    """Keeping the App's unfinished work and offering an earlier session's."""

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
                self._begin_sweep(item["problem"], perturbation_of(item), item["seeds"])
            else:
                self._begin_study(item["problem"], [x for x in item["losses"] if x != ALL],
                                  perturbation_of(item), item["seeds"])
            for other in studies[1:]:
                self.notify(f"{other['kind']} of {other['problem']} not started: one at a "
                            "time (start it with S or R)", severity="warning", timeout=10)
        self._keep_pending()
        self._start_worker()

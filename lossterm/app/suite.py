"""``S`` with two or more problems marked: one study per marked problem, then the suite
verdict across them (average ranks, Friedman, Holm-adjusted Wilcoxon pairs, the
critical-difference diagram, IQM and P(A > B)) on :class:`~lossterm.app.screens.suite.SuiteScreen`.

A mixin of :class:`~lossterm.app.app.LosstermApp` over the study actions. The studies go
through the same service path as ``--headless --problem a --problem b``
(``service.study_work`` over the problems, then ``service.run_study``), in one thread
worker of the ``study`` group, so ``s`` stops it and the header shows its progress as a
single study's. One problem marked, or none: ``S`` studies the selected problem as before.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from textual import work

from lossterm.app.compare import from_study
from lossterm.app.pending import STUDY, study_item
from lossterm.app.suite_message import SuiteDone
from lossterm.app.verdicts import VerdictActions, live_view
from lossterm.core.errors import LosstermError
from lossterm.data.problems import Problem
from lossterm.options import Options
from lossterm.training.plan import ALL


class SuiteActions(VerdictActions):
    """``S`` on two or more marked problems; otherwise the single study of VerdictActions."""

    def action_study(self) -> None:
        if self._study_running():
            return
        picker = self._picked()
        listed = picker.marked_problems()
        if len(listed) < 2:
            super().action_study()
            return
        try:
            problems = [self.training_problem(name) for name in listed]
        except LosstermError as exc:  # e.g. an imbalance that leaves no class-1 rows
            self.notify(str(exc), severity="error", timeout=10)
            return
        # each kind's marked losses when two or more are marked on it, else every loss that
        # fits (a loss names one kind: the kinds' studies are asked for apart)
        losses: dict[str, list[str]] = {}
        for name in listed:
            kind = picker.kinds[name]
            marked = picker.marked_on(kind)
            losses.setdefault(kind, marked if len(marked) >= 2 else [ALL])
        self._begin_suite(listed, problems, losses)

    def _begin_suite(self, listed: list[str], problems: list[Problem],
                     losses: dict[str, list[str]]) -> None:
        seeds, options = self.settings.study_seeds, self.settings.options
        self.study_stop = threading.Event()
        which = "; ".join(f"{kind}: " + (f"{len(names)} losses, {', '.join(names)}"
                                         if names != [ALL] else "every loss that fits")
                          for kind, names in losses.items())
        self.notify(f"suite study of {len(problems)} problems ({', '.join(listed)}) comparing "
                    f"{which}; one study per problem, {seeds} paired final seeds each, then "
                    "the verdict across them; s stops it", timeout=10)
        self._run_suite(listed, problems, losses, self.study_stop,
                        replace(options, seeds=seeds))

    @work(thread=True, group="study", exit_on_error=False)
    def _run_suite(self, listed: list[str], problems: list[Problem],
                   losses: dict[str, list[str]], stop: threading.Event,
                   options: Options) -> None:
        from lossterm.app.suite_study import suite_worker

        suite_worker(listed, problems, losses, options, stop, self.post_message,
                     store=self.store, runner=self.study_trainer)

    def on_suite_done(self, message: SuiteDone) -> None:
        """Each problem's study is kept as a single study's is (``v`` on it, ``B``, ``V``
        after a restart), then the suite screen opens; or why there is none is said."""
        from lossterm.app.screens.suite import SuiteScreen

        self.study_stop = None
        self.sub_title = self.backend_line
        live_view(self, None)
        if not message.studies:
            self.notify(message.error, severity="warning", timeout=10)
            return
        kept, options = self.pending.finished, message.options or self.settings.options
        for listed, study in zip(message.problems, message.studies):
            self.studies[study.problem] = study
            view = from_study(study)
            if kept is not None and view is not None:  # V lists it, to reopen alone
                kept.record(study_item(STUDY, listed, self.settings.perturbation,
                                       [s.loss for s in study.losses], options.seeds,
                                       options), study.problem, view.verdict)
        self.push_screen(SuiteScreen(message.studies, message.suites))

"""Choosing what the next runs and studies are: marked losses (space) and ``,``'s settings.

A mixin of :class:`~lossterm.app.app.LosstermApp`, over the study actions (kept apart
so the App stays a thin wiring). Marks live in the picker, per kind of problem
(:meth:`~lossterm.app.widgets.picker.Picker.marked`); ``S`` and ``a`` read them. Problems
marked on the problem list make ``S`` a suite study (:mod:`lossterm.app.suite`). The
settings replace the session's options (``Settings.options``): the runs planned and the
studies begun after the dialog use them, and a study keeps them with its pending item,
so a resumed study asks for the same runs.
"""

from __future__ import annotations

from lossterm.app.screens.run_settings import RunSettingsScreen, describe
from lossterm.app.suite import SuiteActions
from lossterm.options import Options


class ChooseActions(SuiteActions):
    """``space`` marks the selected loss (or problem, on the problem list), ``u`` unmarks
    them all; ``,`` opens the settings of what follows."""

    def action_mark(self) -> None:
        picker = self._picked()
        if self.focused is picker.query_one("#problems"):  # the problem under the cursor
            picker.toggle_problem_mark()
            return
        refused = picker.toggle_mark()
        if refused:
            self.notify(refused, severity="warning", timeout=6)

    def action_unmark(self) -> None:
        count = self._picked().clear_marks()
        self.notify(f"{count} marks cleared" if count else "nothing is marked", timeout=4)

    def action_run_settings(self) -> None:
        self.push_screen(RunSettingsScreen(self.settings.options), self._use_settings)

    def _use_settings(self, options: Options | None) -> None:
        """The dialog's options, from the next run and study on (None: cancelled)."""
        if options is None or options == self.settings.options:
            return
        self.settings.options = options
        self.notify(f"from now on: {describe(options)}", timeout=8)

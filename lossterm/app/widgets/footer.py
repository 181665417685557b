"""The footer that keeps ``?`` (help) and ``q`` (quit) on screen at 80 columns.

Textual's footer lists every shown key left to right and cuts the row where the
terminal ends: at 80 columns the main screen's nine keys and the palette's
``^p`` do not fit, so Help and Quit — the two a newcomer looks for — were cut
first. Below ``COMPACT_BELOW`` columns this footer drops the keys that
:data:`lossterm.app.keys.WIDE_ONLY` names (they stay in ``?`` help and the
command palette, and the screen names them where they act) and packs the rest
tighter, so the row ends with Help, Quit and the palette.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

COMPACT_BELOW = 96  # columns: the app's "-narrow" breakpoint


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that sheds ``wide_only`` actions at narrow widths."""

    def __init__(self, wide_only: frozenset[str] = frozenset(), **kwargs):
        super().__init__(**kwargs)
        self.wide_only = wide_only
        self._narrow = False

    def compose(self):
        for widget in super().compose():
            if getattr(widget, "action", None) in self.wide_only:  # a FooterKey
                widget.display = not self._narrow
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        """Shed or show the wide-only keys in place (no recompose: a footer caught
        between compositions would be drawn blank)."""
        self._narrow = event.size.width < COMPACT_BELOW
        self.compact = self._narrow
        for widget in self.children:
            if getattr(widget, "action", None) in self.wide_only:
                widget.display = not self._narrow

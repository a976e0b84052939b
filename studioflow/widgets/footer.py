"""The footer of every screen: Textual's, with the ways out and the help kept in view.

Textual lists the focused widget's keys, then the screen's, then the app's, and a
terminal too narrow for all of them cuts the end off. `?` (every key) and `q` (quit,
or back) must never be what is cut: when the keys do not all fit, they come first.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The actions of `?`, `q` (the app's quit) and a sub-screen's `q`/escape (back).
FIRST = ("help", "quit", "app.pop_screen")
PALETTE_WIDTH = 12  # "^p palette" on the right


class KeysFooter(Footer):
    _drawn: tuple[object, ...] | None = None  # what the keys were last composed from

    def _what_is_shown(self) -> tuple[object, ...] | None:
        if not self._bindings_ready:
            return None
        bindings = self.screen.active_bindings.values()
        return (self.app.size.width, *((b.key, b.action, b.description, b.show, on, tip) for _, b, on, tip in bindings))

    async def recompose(self) -> None:
        # Textual composes the footer again whenever bindings are refreshed (every focus change,
        # every redraw of the board); most of those show the very same keys, and each compose
        # mounts a widget per key, which at start-up competes with loading the write path.
        if self.is_attached and self._what_is_shown() != self._drawn:
            await super().recompose()

    def compose(self) -> ComposeResult:
        self._drawn = self._what_is_shown()
        shown = list(super().compose())
        keys = [w for w in shown if isinstance(w, FooterKey)]
        # A key is drawn " key description " (the palette's own key is docked apart).
        needed = sum(len(k.key_display) + len(k.description) + 3 for k in keys) + PALETTE_WIDTH
        if needed <= self.app.size.width:
            yield from shown
            return
        first = [k for k in keys if k.action in FIRST]
        yield from first + [w for w in shown if w not in first]

    def on_resize(self) -> None:
        self.refresh(recompose=True)  # what fits depends on the width

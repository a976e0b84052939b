"""What the board's columns and the task list share: a list drawn line by line (`render_line`),
so that 10,000 rows mount one widget, not 10,000."""

from __future__ import annotations

from textual.reactive import reactive
from textual.scroll_view import ScrollView


class LinesView(ScrollView):
    """A list that draws its own lines: a thin scrollbar, never a horizontal one; `cursor` is the
    line highlighted (None: none). Its height is measured by `_resize_virtual`, on mount and on
    every resize (and by the list itself when its lines change)."""

    DEFAULT_CSS = """
    LinesView {
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    cursor: reactive[int | None] = reactive(None)

    def on_mount(self) -> None:
        self._resize_virtual()

    def on_resize(self) -> None:
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        raise NotImplementedError

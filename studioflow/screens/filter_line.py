"""The filter line of the board and the task list: `/` shows it, what is typed filters the
screen at once, enter goes back to the list (the line hides when empty), escape empties it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.screen import Screen
from textual.widgets import Input

if TYPE_CHECKING:
    _Mixed = Screen[Any]  # FilterLine is only ever mixed into a screen
else:
    _Mixed = object


class FilterLine(_Mixed):
    """Mixed into a screen that has a hidden Input with the id FILTER_ID (bind `/` to `filter` and
    escape to `clear_filter`). The screen redraws for `filter_text` in `_show_filtered` and says
    where the keys go once the line is left in `_leave_filter`."""

    FILTER_ID: ClassVar[str]
    filter_text: str

    def _show_filtered(self) -> None:
        raise NotImplementedError

    def _leave_filter(self) -> None:
        raise NotImplementedError

    def action_filter(self) -> None:
        field = self.query_one(f"#{self.FILTER_ID}", Input)
        field.display = True
        field.focus()

    # Named handlers, not @on: Textual finds these on a mixin too (it walks the MRO).
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == self.FILTER_ID:
            self.filter_text = event.value
            self._show_filtered()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == self.FILTER_ID:
            self._leave_filter()
            if not self.filter_text:
                event.input.display = False

    def action_clear_filter(self) -> None:
        field = self.query_one(f"#{self.FILTER_ID}", Input)
        self._leave_filter()
        field.display = False
        if self.filter_text:
            field.value = ""  # posts Input.Changed, which redraws

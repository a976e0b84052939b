"""One board column drawn line by line: a 10,000-card column mounts one widget, not 10,000.

The column knows only how many cards it holds and how to ask for a page of them; it
draws the cards in view and keeps the pages it has read until told they changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from studioflow.widgets.colours import component_style, status_style
from studioflow.widgets.due import due_text
from studioflow.widgets.lines import LinesView
from studioflow.workflow.board.board import CardView

CARD_HEIGHT = 4  # title, client + status, due + tasks, a blank line between cards
PAGE = 50

FetchCards = Callable[[int, int], list[CardView]]  # (offset, limit) -> cards


class CardColumn(LinesView, can_focus=False):
    """The cards of one stage; the board moves its cursor, the column only draws."""

    COMPONENT_CLASSES = {
        "card--title",
        "card--meta",
        "card--cursor",
        "card--overdue",
        "card--today",
        "card--empty",
    }

    DEFAULT_CSS = """
    CardColumn > .card--title { text-style: bold; }
    CardColumn > .card--meta { color: $foreground-muted; }
    CardColumn > .card--cursor { background: $primary 35%; }
    CardColumn > .card--overdue { color: $text-error; text-style: bold; }
    CardColumn > .card--today { color: $text-warning; text-style: bold; }
    CardColumn > .card--empty { color: $foreground-disabled; text-style: italic; }
    """

    def __init__(
        self, stage_id: int, count: int, fetch: FetchCards, *, id: str | None = None, noun: str = "job"
    ) -> None:
        super().__init__(id=id)
        self.noun = noun  # what the cards are, for the empty column's "(no jobs)"
        self.stage_id = stage_id
        self.count = count
        self._fetch = fetch
        self._pages: dict[int, list[CardView]] = {}
        self.today = date.today()

    def reload(self, count: int) -> None:
        """The column's cards changed: forget every page and redraw."""
        self.count = count
        self._pages.clear()
        self.today = date.today()
        if self.cursor is not None and self.cursor >= count:
            self.cursor = count - 1 if count else None
        self._resize_virtual()
        self.refresh()

    def card(self, index: int) -> CardView | None:
        """The card at `index`, read from the store when its page is not held yet."""
        if not 0 <= index < self.count:
            return None
        page = index // PAGE
        cards = self._pages.get(page)
        if cards is None:
            cards = self._pages[page] = self._fetch(page * PAGE, PAGE)
        offset = index - page * PAGE
        return cards[offset] if offset < len(cards) else None

    def watch_cursor(self, cursor: int | None) -> None:
        if cursor is not None:
            self.scroll_to_region(
                Region(0, cursor * CARD_HEIGHT, max(self.size.width, 1), CARD_HEIGHT), animate=False, immediate=True
            )
        self.refresh()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, max(self.count, 1) * CARD_HEIGHT)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        line_y = y + self.scroll_offset.y
        index, row = divmod(line_y, CARD_HEIGHT)
        if self.count == 0:
            if line_y == 1:
                return self._strip(
                    [(f" (no {self.noun}s)", component_style(self, "card--empty"))], width, base
                )
            return Strip.blank(width, base)
        card = self.card(index)
        if card is None or row == CARD_HEIGHT - 1:
            return Strip.blank(width, base)
        style = base
        if index == self.cursor:
            style = base + component_style(self, "card--cursor")
        return self._strip(self._card_line(card, row), width, style)

    def _card_line(self, card: CardView, row: int) -> list[tuple[str, Style]]:
        title = component_style(self, "card--title")
        meta = component_style(self, "card--meta")
        if row == 0:
            return [(" " + card.title, title)]
        if row == 1:
            parts = [(" " + (card.client or ("no client" if card.kind == "jobs" else "—")), meta)]
            if card.status:
                parts.append(("  ● " + card.status, status_style(self, card.status_colour)))
            return parts
        due, due_class = due_text(card.due_on, self.today)
        parts = [(" " + due, component_style(self, due_class))] if due else []
        if card.tasks_total:
            parts.append(((" · " if due else " ") + f"✓ {card.tasks_total - card.tasks_open}/{card.tasks_total}", meta))
        if card.detail:
            parts.append(((" · " if parts else " ") + card.detail, meta))
        return parts

    def _strip(self, parts: list[tuple[str, Style]], width: int, style: Style) -> Strip:
        segments = [Segment(text, style + part_style) for text, part_style in parts]
        strip = Strip(segments).crop(0, width - 1)
        # Long titles end in an ellipsis rather than being cut mid-word without a sign.
        if strip.cell_length >= width - 1 and Strip(segments).cell_length > width - 1:
            strip = Strip(segments).crop(0, width - 2)
            strip = Strip([*strip, Segment("…", style)])
        return strip.extend_cell_length(width, style)

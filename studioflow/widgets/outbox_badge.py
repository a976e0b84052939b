"""A small outbox indicator: how many messages wait, are held, or failed."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from studioflow.widgets.colours import theme_style


class OutboxBadge(Static):
    """Follows the app's `outbox_counts` (state -> count); says when mail stays on this machine."""

    DEFAULT_CSS = """
    OutboxBadge {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "outbox_counts", self.show_counts)
        # Its colours are the theme's: drawn again in a theme picked from the palette.
        self.app.theme_changed_signal.subscribe(self, lambda _: self.show_counts(self.app.outbox_counts))  # type: ignore[attr-defined]

    def show_counts(self, counts: dict[str, int]) -> None:
        parts: list[tuple[int, str, str | Style]] = [
            (counts.get("queued", 0) + counts.get("sending", 0), "queued", "dim"),
            (counts.get("held", 0), "held", theme_style(self, "warning", bold=True)),
            (counts.get("failed", 0), "failed", theme_style(self, "error", bold=True)),
        ]
        text = Text("✉ ", style="dim")
        if counts.get("mail_local"):
            # No mail server: nothing leaves the machine, and the badge says so every time.
            text.append("local only", style=theme_style(self, "local", bold=True))
            parts.insert(0, (counts.get("kept_locally", 0), "kept locally", theme_style(self, "local")))
            text.append(" · ", style="dim")
        shown = [(n, what, style) for n, what, style in parts if n]
        for i, (n, what, style) in enumerate(shown):
            text.append(f"{n} {what}", style=style)
            if i < len(shown) - 1:
                text.append(" · ", style="dim")
        if not shown:
            text.append("outbox clear", style="dim")
        self.update(text)

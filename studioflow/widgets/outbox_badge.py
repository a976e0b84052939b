"""A small outbox indicator: how many messages wait, are held, or failed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


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

    def show_counts(self, counts: dict[str, int]) -> None:
        parts = [
            (counts.get("queued", 0) + counts.get("sending", 0), "queued", "dim"),
            (counts.get("held", 0), "held", "bold yellow"),
            (counts.get("failed", 0), "failed", "bold red"),
        ]
        text = Text("✉ ", style="dim")
        if counts.get("mail_local"):
            # No mail server: nothing leaves the machine, and the badge says so every time.
            text.append("local only", style="bold magenta")
            parts.insert(0, (counts.get("kept_locally", 0), "kept locally", "magenta"))
            text.append(" · ", style="dim")
        shown = [(n, what, style) for n, what, style in parts if n]
        for i, (n, what, style) in enumerate(shown):
            text.append(f"{n} {what}", style=style)
            if i < len(shown) - 1:
                text.append(" · ", style="dim")
        if not shown:
            text.append("outbox clear", style="dim")
        self.update(text)

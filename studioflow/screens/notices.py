"""One line on what automations did, said the same way after any move, check-off or status change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


def tell_fired(screen: Screen[Any], result: object) -> None:
    """Say what fired ("email queued to …; 3 task(s) from …; all tasks done: moved on to …"),
    and send what it queued once due, in the background. Nothing is said when nothing fired."""
    fired = getattr(result, "fired", ())
    if fired:
        screen.notify("; ".join(fired), title="Automations", timeout=8)
        screen.app.deliver()  # type: ignore[attr-defined]

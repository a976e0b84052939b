"""Due dates as a person reads them: relative to today, with a style class for urgency."""

from __future__ import annotations

from datetime import date


def due_text(due: date | None, today: date) -> tuple[str, str]:
    """("due in 3 days", style class) for a due date, relative so it reads at a glance."""
    if due is None:
        return "", "card--meta"
    days = (due - today).days
    if days < 0:
        return f"{-days} day{'s' if days < -1 else ''} overdue", "card--overdue"
    if days == 0:
        return "due today", "card--today"
    if days == 1:
        return "due tomorrow", "card--meta"
    return f"due in {days} days", "card--meta"

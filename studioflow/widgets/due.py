"""Due dates as a person reads them: relative to today, with a style class for urgency."""

from __future__ import annotations

from datetime import date, datetime


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


def done_text(done_at: datetime | None, today: date) -> str:
    """ "done today", "done yesterday", "done 3 days ago" (in local time)."""
    if done_at is None:
        return ""
    days = (today - done_at.astimezone().date()).days
    if days <= 0:
        return "done today"
    if days == 1:
        return "done yesterday"
    return f"done {days} days ago"

"""The job page's form values: dates and times shown in and read from one-line fields."""

from __future__ import annotations

from datetime import date, datetime

from studioflow.errors import StudioflowError
from studioflow.workflow.money import invoices
from studioflow.workflow.views import local_minute


def when(moment: datetime | None) -> str:
    return local_minute(moment) if moment else ""  # empty, not "-": it also fills form fields


def parse_when(text: str, what: str) -> datetime:
    """ "2026-06-13 14:00" in local time → aware datetime; a refusal names the field."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise StudioflowError(f"{what} {text.strip()!r} is not a date and time (YYYY-MM-DD HH:MM)") from None
    return value.astimezone() if value.tzinfo is None else value


def parse_day(text: str, what: str, default: date | None = None) -> date | None:
    if not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StudioflowError(f"{what} {text.strip()!r} is not a date (YYYY-MM-DD)") from None


def parse_quantity(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise StudioflowError(f"the quantity {text.strip()!r} is not a whole number") from None


def parse_price(values: dict[str, str]) -> int:
    return invoices.parse_cents(values["price"].strip() or "0", "the unit price")

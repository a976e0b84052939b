"""The job page's form values: dates and times shown in and read from one-line fields.

The parsing rules are the shared ones (`workflow/values.py`), the CLI's too."""

from __future__ import annotations

from datetime import date, datetime

from studioflow.workflow.values import parse_cents, parse_date, parse_moment, parse_quantity
from studioflow.workflow.views import local_minute

__all__ = ["parse_day", "parse_moment", "parse_price", "parse_quantity", "when"]


def when(moment: datetime | None) -> str:
    return local_minute(moment) if moment else ""  # empty, not "-": it also fills form fields


def parse_day(text: str, what: str, default: date | None = None) -> date | None:
    return parse_date(text, what) if text.strip() else default


def parse_price(values: dict[str, str]) -> int:
    return parse_cents(values["price"].strip() or "0", "the unit price")

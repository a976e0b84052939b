"""How a value is typed and shown, the same in the TUI's forms, the CLI's arguments and the
files read: money in integer cents, dates, moments (a date and a time), whole quantities.

A refusal is one line that names the field (`what`) and repeats what was typed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from studioflow.errors import StudioflowError

MAX_CENTS = 10**12  # ten billion: past that an amount is a typo


def _typed(what: str, text: str) -> str:
    return f"{what} {text!r}" if what else repr(text)


def parse_date(text: str, what: str = "") -> date:
    """ "2026-06-13" → a date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StudioflowError(f"{_typed(what, text.strip())} is not a date (YYYY-MM-DD)") from None


def parse_moment(text: str, what: str = "") -> datetime:
    """ "2026-06-13 14:00" in local time (or with an offset) → an aware datetime."""
    try:
        value = datetime.fromisoformat(text.strip())
        return value.astimezone() if value.tzinfo is None else value
    except (ValueError, OverflowError):  # OverflowError: a time at the very edge of the calendar
        raise StudioflowError(f"{_typed(what, text.strip())} is not a date and time (YYYY-MM-DD HH:MM)") from None


def parse_quantity(text: str, what: str = "the quantity") -> int:
    """ "3" → 3 (whether it may be 0 or less is the service's to say)."""
    try:
        return int(text.strip())
    except ValueError:
        raise StudioflowError(f"{_typed(what, text.strip())} is not a whole number") from None


def parse_cents(text: str, what: str = "an amount") -> int:
    """ "12", "12.5" or "1,234.56" (dollars, euros...) → cents; refused below 0 or past the cent."""
    cleaned = text.strip().replace(",", "").lstrip("$€£")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StudioflowError(f"{what} {text!r} is not an amount (e.g. 1250 or 1250.50)") from None
    if not value.is_finite() or value < 0:
        raise StudioflowError(f"{what} cannot be negative ({text})")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise StudioflowError(f"{what} {text!r} has a fraction of a cent")
    if cents > MAX_CENTS:
        raise StudioflowError(f"{what} {text!r} is too large")
    return int(cents)


def money(cents: int) -> str:
    """1234567 → "12,345.67" (no currency: the practice knows its own)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def quantity_times(quantity: int, unit_cents: int, times: str = "\u00d7") -> str:
    """An invoice line's quantity and unit price: "2 x 450.00" with the multiplication sign
    (`times` "x" where only ASCII will do, e.g. an email)."""
    return f"{quantity} {times} {money(unit_cents)}"

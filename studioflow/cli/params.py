"""What an argument may be: dates, numbers, delays, choices. A value that is not one is a usage
error (one line, exit 2), reported by click with the argument's name."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from studioflow.cli.services import quickadd
from studioflow.errors import StudioflowError
from studioflow.workflow import values


class Parsed(click.ParamType):
    """A value read by a function that raises ValueError (or StudioflowError) with the reason."""

    def __init__(self, name: str, parse: Callable[[str], Any]) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):  # a default, or a value converted already
            return value
        try:
            return self._parse(value)
        except (ValueError, StudioflowError) as exc:
            self.fail(str(exc), param, ctx)


class OneOf(click.Choice):
    """A choice, refused in argparse's words ("invalid choice: 'fax' (choose from ...)")."""

    def __init__(self, choices: Sequence[Any]) -> None:
        super().__init__([str(choice) for choice in choices])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        shown = ", ".join(repr(choice) for choice in self.choices)
        self.fail(f"invalid choice: {value!r} (choose from {shown})", param, ctx)


def parse_year(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) <= 9999:
        raise ValueError(f"{text!r} is not a year (1 to 9999)")
    return int(text)


def parse_positive(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) < 2**63:
        raise ValueError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def parse_delay(text: str) -> int:
    """ "2d", "4h", "30m" or minutes as a number -> minutes."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm]?)\s*", text)
    if match is None:
        raise ValueError(f"{text!r} is not a delay (e.g. 2d, 4h, 30m)")
    return int(match[1]) * {"d": 1440, "h": 60, "m": 1, "": 1}[match[2]]


def parse_due(text: str) -> date:
    return quickadd.parse_due(text, date.today())


def parse_priority(text: str) -> int:
    return quickadd.parse_priority(text)


DATE = Parsed("date", values.parse_date)
DATETIME = Parsed("datetime", values.parse_moment)
YEAR = Parsed("year", parse_year)
POSITIVE = Parsed("positive", parse_positive)
DELAY = Parsed("delay", parse_delay)
DUE = Parsed("due", parse_due)
PRIORITY = Parsed("priority", parse_priority)
FILE = click.Path(path_type=Path)  # completes file names
ON_OFF = OneOf(("on", "off"))


def dry_run_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--dry-run", is_flag=True, help="show what would happen and what would fire; write nothing")(f)


def no_automations_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-automations", is_flag=True, help="a correction: fire no automation (recorded in the job's history)"
    )(f)


def stacked(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The arguments and options a family of commands shares, as one decorator (applied as if
    written one above the other, in this order)."""

    def apply(command: Any) -> Any:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def record_id(name: str) -> Callable[[Any], Any]:
    """The ID argument of a command about one record known by its number (`event delete ID`)."""
    return click.argument(name, metavar="ID", type=POSITIVE)


def new_place(first: str) -> Callable[[Any], Any]:
    """`--to N` of a reorder command: the row's new place, counted from 1 (`first` says what 1 is)."""
    return click.option("--to", type=POSITIVE, required=True, metavar="N", help=f"new place, 1 = {first}")

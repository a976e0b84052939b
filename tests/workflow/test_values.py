"""One parser and formatter per value type (workflow/values.py), shared by the job page's forms,
the CLI's arguments, invoice lines and CSV imports: the same input gives the same value or refusal."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from studioflow.errors import StudioflowError
from studioflow.workflow import values
from studioflow.workflow.money import invoices


def test_dates_and_moments() -> None:
    assert values.parse_date(" 2026-06-13 ", "the due date") == date(2026, 6, 13)
    with pytest.raises(StudioflowError, match=r"^the due date '13/06/2026' is not a date \(YYYY-MM-DD\)$"):
        values.parse_date("13/06/2026", "the due date")
    with pytest.raises(StudioflowError, match=r"^'soon' is not a date \(YYYY-MM-DD\)$"):
        values.parse_date("soon")
    local = values.parse_moment("2026-06-13 14:00")
    assert local.tzinfo is not None
    assert local.replace(tzinfo=None) == datetime(2026, 6, 13, 14, 0)
    offset = values.parse_moment("2026-06-13T14:00+02:00", "the start")
    assert offset.astimezone(UTC) == datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    assert offset.utcoffset() == timezone(timedelta(hours=2)).utcoffset(None)
    with pytest.raises(StudioflowError, match=r"^the start '14:00 tomorrow' is not a date and time"):
        values.parse_moment("14:00 tomorrow", "the start")


def test_quantities_and_money() -> None:
    assert values.parse_quantity(" 3 ") == 3
    with pytest.raises(StudioflowError, match=r"^the quantity '1.5' is not a whole number$"):
        values.parse_quantity("1.5")
    assert values.parse_cents("$1,234.56", "the price") == 123456
    with pytest.raises(StudioflowError, match="fraction of a cent"):
        values.parse_cents("1.005")
    assert (values.money(123456789), values.money(-5)) == ("1,234,567.89", "-0.05")
    assert values.quantity_times(2, 45000) == "2 \u00d7 450.00"
    assert values.quantity_times(2, 45000, "x") == "2 x 450.00"
    # Invoice lines typed in the job page's editor read quantities by the same rule.
    assert invoices.parse_lines("2 | Album | 450\n") == [("Album", 2, 45000)]
    with pytest.raises(StudioflowError, match=r"^line 1: the quantity 'two' is not a whole number$"):
        invoices.parse_lines("two | Album | 450\n")


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "studioflow", "--db", str(tmp_path / "cli.db"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_the_cli_refuses_by_the_same_parsers(tmp_path: Path) -> None:
    bad_day = cli(tmp_path, "invoice", "add", "--line", "Album", "1", "950", "--due", "13/06/2026")
    assert bad_day.returncode == 2
    assert "'13/06/2026' is not a date (YYYY-MM-DD)" in bad_day.stderr
    bad_moment = cli(tmp_path, "event", "add", "Shoot", "--start", "tomorrow")
    assert bad_moment.returncode == 2
    assert "'tomorrow' is not a date and time (YYYY-MM-DD HH:MM)" in bad_moment.stderr
    bad_quantity = cli(tmp_path, "invoice", "add", "--line", "Album", "1.5", "950")
    assert bad_quantity.returncode == 2
    assert bad_quantity.stderr.strip().endswith("the quantity of 'Album' '1.5' is not a whole number")
    assert len(bad_quantity.stderr.strip().splitlines()) == 1

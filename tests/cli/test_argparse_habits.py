"""What a script written against the argparse CLI may lean on keeps working on click:
`-h`, long options cut short, a negative number as a value, one-line refusals for options
that exclude each other and for a group without its command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, DemoIds
from .test_cli import assert_refused, dump


def test_h_is_help_everywhere(cli: Cli) -> None:
    assert cli("-h").ok().startswith("Usage: studioflow [OPTIONS]")
    assert "--to S" in cli("job", "move", "-h").ok()


def test_a_group_without_its_command_is_one_line(cli: Cli) -> None:
    assert_refused(cli("job"), match="studioflow job: Missing command.")


def test_a_long_option_may_be_cut_short_where_it_is_the_only_one(cli: Cli, demo_db: Path) -> None:
    listed = cli("job", "list", "--pipe", "leads", "--st", "email lead", "--js", "--db", demo_db).json()
    assert listed
    assert {(job["pipeline"], job["stage"]) for job in listed} == {("Leads", "Email Lead")}
    # A value is never read as an option: this --al is the client's notes, not --allow-duplicate.
    made = cli("client", "add", "Dana Ray", "--notes", "--al", "--json", "--db", demo_db).json()
    assert made["notes"] == "--al"


def test_a_negative_number_is_a_value_refused_by_the_service(cli: Cli, demo_db: Path, ids: DemoIds) -> None:
    before = dump(demo_db)
    job = ids.jobs["Okafor wedding"]
    assert_refused(cli("mileage", "add", "--job", job, "-3", "--db", demo_db), match="negative")
    assert_refused(cli("stage", "wait", "Leads", "Email Lead", "-2", "--db", demo_db), match="negative")
    assert dump(demo_db) == before
    waited = cli("stage", "wait", "Leads", "Email Lead", "--json", "--db", demo_db, "--", "3").json()
    assert [s["due_in_days"] for s in waited["stages"] if s["name"] == "Email Lead"] == [3]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("template", "add", "T", "--channel", "sms"), "one of --body, --body-file is required"),
        (("template", "add", "T", "--channel", "sms", "--body", "x", "--body-file", "f"), "--body-file is not allowed"),
        (("savedtasks", "apply", "Wedding prep"), "one of --job, --project is required"),
        (("stage", "wait", "Leads", "Email Lead", "2", "--clear"), "--clear is not allowed with DAYS"),
        (("outbox", "retry"), "one of [ID]..., --failed is required"),
        (("invoice", "edit", "INV-0001", "--due", "2027-01-01", "--no-due"), "--no-due is not allowed"),
        (("agenda", "--days", "31"), "--days"),
    ],
)
def test_usage_errors_are_one_line_naming_the_command(
    cli: Cli, demo_db: Path, args: tuple[str, ...], match: str
) -> None:
    before = dump(demo_db)
    assert_refused(cli(*args, "--db", demo_db), match=match)
    assert dump(demo_db) == before

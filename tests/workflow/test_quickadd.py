"""The quick-add syntax: every word, every refusal, and no input that raises anything else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.workflow.tasks.quickadd import (
    QuickTask,
    complete_owner,
    parse,
    parse_due,
    parse_priority,
    parse_saved_item,
    partial_owner,
    saved_item_text,
)

MONDAY = date(2026, 3, 2)


def outcome(text: str, today: date) -> tuple[QuickTask | None, str]:
    """The parsed task, or None and the error's message: parse must raise nothing else."""
    try:
        return parse(text, today), ""
    except StudioflowError as exc:
        return None, str(exc)


FRIDAY = date(2026, 3, 6)


def test_the_example_of_the_issue() -> None:
    task = parse('Call Anna about album due:fri !high @"Smith wedding"', MONDAY)
    assert task == QuickTask("Call Anna about album", FRIDAY, 3, "Smith wedding")


def test_words_may_come_in_any_order_and_the_title_is_single_spaced() -> None:
    task = parse("!low   @Studio  Back up   due:tomorrow  the archive", MONDAY)
    assert task == QuickTask("Back up the archive", MONDAY + timedelta(days=1), 1, "Studio")


def test_a_plain_title() -> None:
    assert parse("  Renew insurance ", MONDAY) == QuickTask("Renew insurance", None, 0, None)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("today", MONDAY),
        ("TODAY", MONDAY),
        ("tomorrow", date(2026, 3, 3)),
        ("tue", date(2026, 3, 3)),
        ("wednesday", date(2026, 3, 4)),
        ("fri", FRIDAY),
        ("sun", date(2026, 3, 8)),
        ("mon", date(2026, 3, 9)),  # the next Monday: a weekday never means today
        ("+0d", MONDAY),
        ("+3d", date(2026, 3, 5)),
        ("+2w", date(2026, 3, 16)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2025-01-01", date(2025, 1, 1)),  # a past date is allowed: a task already late
    ],
)
def test_due_words(word: str, expected: date) -> None:
    assert parse_due(word, MONDAY) == expected
    assert parse(f"Task due:{word}", MONDAY).due_on == expected


def test_a_weekday_typed_on_that_day_means_a_week_later() -> None:
    assert parse_due("fri", FRIDAY) == FRIDAY + timedelta(days=7)
    assert parse_due("sat", FRIDAY) == FRIDAY + timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Task due:", "no due date given"),
        ("Task due:someday", "unknown due date 'someday'"),
        ("Task due:fr", "unknown due date 'fr'"),
        ("Task due:2026-02-30", "not a real date"),
        ("Task due:2026-2-3", "unknown due date"),
        ("Task due:+99999w", "too far ahead"),
        ("Task due:+3m", "unknown due date"),
        ("Task due:today due:fri", "two due dates"),
        ("Task !urgent", "unknown priority '!urgent'"),
        ("Task !low !high", "two priorities"),
        ("Task @a @b", "two @ names"),
        ('Task @"Smith wedding', "missing its closing quote"),
        ('Task @""', "the name after @ cannot be empty"),
        ("due:today !high @Smith", "a task title cannot be empty"),
        ("", "a task title cannot be empty"),
        ("x" * 201, "too long"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(StudioflowError, match=message):
        parse(text, MONDAY)


def test_a_date_past_the_calendar_is_refused() -> None:
    with pytest.raises(StudioflowError, match="past the last date"):
        parse("Task due:tomorrow", date.max)


def test_punctuation_alone_stays_in_the_title() -> None:
    assert parse("Call Anna ! @ now!!", MONDAY).title == "Call Anna ! @ now!!"
    assert parse("Mail anna@example.com", MONDAY).owner is None


@pytest.mark.parametrize(("word", "priority"), [("!low", 1), ("!medium", 2), ("!med", 2), ("!HIGH", 3), ("2", 2)])
def test_priorities(word: str, priority: int) -> None:
    assert parse_priority(word) == priority


def test_completion_of_the_name_being_typed() -> None:
    assert partial_owner("Call Anna @Smi") == "Smi"
    assert partial_owner('Call Anna @"Smith w') == "Smith w"
    assert partial_owner("@") == ""
    assert partial_owner("Call Anna @Smith ") is None
    assert partial_owner("mail anna@example") is None
    assert complete_owner("Call Anna @smi", "Smith wedding") == 'Call Anna @"Smith wedding" '
    assert complete_owner('Call @"Smith w', "Studio") == "Call @Studio "
    done = complete_owner("Call Anna @smi", "Smith wedding")
    assert parse(done, MONDAY).owner == "Smith wedding"


@given(st.text(max_size=300), st.dates(min_value=date(1, 1, 1), max_value=date.max))
def test_any_input_gives_a_task_or_a_clear_error(text: str, today: date) -> None:
    task, message = outcome(text, today)
    if task is None:
        assert message
        assert "\n" not in message
        return
    assert task.title
    assert task.title == task.title.strip()
    assert 0 <= task.priority <= 3


@given(st.lists(st.sampled_from(["due:fri", "due:+3d", "!high", "!low", "@Studio", '@"A b"', "word", "x!", "@"])))
def test_any_mix_of_known_words_gives_a_task_or_a_clear_error(words: list[str]) -> None:
    task, message = outcome(" ".join(words), MONDAY)
    if task is None:
        assert message
        assert "\n" not in message
        return
    assert set(task.title.split()) <= {"word", "x!", "@"}


def test_saved_items_as_typed() -> None:
    assert parse_saved_item("Send contract +3 !high") == ("Send contract", 3, 3)
    assert parse_saved_item("  Plan   the day +0d") == ("Plan the day", 0, 0)
    assert parse_saved_item("Call") == ("Call", None, 0)
    with pytest.raises(StudioflowError, match="unknown priority"):
        parse_saved_item("Call !soon")


@given(st.text(alphabet="ab +!3dhighlow", max_size=30))
def test_a_saved_item_reads_back_as_written(text: str) -> None:
    try:
        item = parse_saved_item(text)
    except StudioflowError:
        return
    assert parse_saved_item(saved_item_text(*item)) == item

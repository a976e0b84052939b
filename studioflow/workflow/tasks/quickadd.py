"""The inline quick-add syntax: `Call Anna about album due:fri !high @"Smith wedding"`.

A pure parser (text + today -> fields, or a StudioflowError); the task services resolve
the `@` name to a job or project. Words mean:

- `due:WHEN`: `today`, `tomorrow`, a weekday (`fri`, `friday`), `+3d`, `+2w`, `YYYY-MM-DD`.
  A weekday is the next such day strictly after today: `due:fri` typed on a Friday is
  the Friday a week later (for today, say `today`).
- `!low`, `!medium`, `!high`: the priority (a lone `!` is part of the title).
- `@name` or `@"a name with spaces"`: the job or project the task belongs to.
- every other word is the title, in order, single-spaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from studioflow.errors import StudioflowError
from studioflow.workflow.lookup import MAX_DAYS, clean_name

PRIORITY_WORDS = {"none": 0, "low": 1, "medium": 2, "med": 2, "high": 3}
PRIORITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DUE_HELP = "use today, tomorrow, a weekday, +3d, +2w or YYYY-MM-DD"
_OFFSET = re.compile(r"\+([0-9]{1,6})([dw])")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class QuickTask:
    title: str
    due_on: date | None
    priority: int
    owner: str | None  # the name after `@`, not yet resolved


def parse_due(text: str, today: date) -> date:
    """One due word (`today`, `fri`, `+3d`, `2026-03-02`...) as a date."""
    try:
        return _due(text, today)
    except OverflowError:
        raise StudioflowError(f"due {text.strip()!r} is past the last date a calendar holds") from None


def _due(text: str, today: date) -> date:
    word = text.strip().casefold()
    if not word:
        raise StudioflowError(f"no due date given: {DUE_HELP}")
    if word in ("today", "tod"):
        return today
    if word in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            ahead = (index - today.weekday() - 1) % 7 + 1  # 1..7: never today
            return today + timedelta(days=ahead)
    match = _OFFSET.fullmatch(word)
    if match:
        days = int(match[1]) * (7 if match[2] == "w" else 1)
        if days > MAX_DAYS:
            raise StudioflowError(f"due {text.strip()!r} is too far ahead (at most {MAX_DAYS} days)")
        return today + timedelta(days=days)
    if _ISO.fullmatch(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            raise StudioflowError(f"{text.strip()!r} is not a real date") from None
    raise StudioflowError(f"unknown due date {text.strip()!r}: {DUE_HELP}")


def parse_priority(text: str) -> int:
    """`low`, `medium`, `high` (or `none`, or 0-3) as a priority number."""
    word = text.strip().casefold().removeprefix("!")
    if word in PRIORITY_WORDS:
        return PRIORITY_WORDS[word]
    if word in ("0", "1", "2", "3"):
        return int(word)
    raise StudioflowError(f"unknown priority {text.strip()!r}: use low, medium or high")


def tokens(text: str) -> list[tuple[str, bool]]:
    """The words of `text` as (word, quoted); `@"two words"` is one word `@two words`."""
    words: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text.startswith('@"', i):
            end = text.find('"', i + 2)
            if end < 0:
                raise StudioflowError('an @"name" is missing its closing quote')
            words.append(("@" + text[i + 2 : end], True))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        words.append((text[start:i], False))
    return words


def parse(text: str, today: date) -> QuickTask:
    """The task described by one line of quick-add text."""
    title: list[str] = []
    due: date | None = None
    priority: int | None = None
    owner: str | None = None
    for word, quoted in tokens(text):
        if word[:4].casefold() == "due:":
            if due is not None:
                raise StudioflowError("two due dates given: keep one due:")
            due = parse_due(word[4:], today)
        elif word.startswith("!") and len(word) > 1 and word[1:].isalnum():
            if priority is not None:
                raise StudioflowError("two priorities given: keep one of !low, !medium, !high")
            priority = parse_priority(word)
        elif word.startswith("@") and (len(word) > 1 or quoted):
            if owner is not None:
                raise StudioflowError("two @ names given: a task belongs to one job or project")
            owner = clean_name(word[1:], "the name after @")
        else:
            title.append(word)
    return QuickTask(clean_name(" ".join(title), "a task title"), due, priority or 0, owner)


def owner_word(name: str) -> str:
    """How a job or project name is written after `@` (quoted when it has spaces)."""
    return f'@"{name}"' if any(ch.isspace() for ch in name) or not name else f"@{name}"


def partial_owner(text: str) -> str | None:
    """The `@name` being typed at the end of `text` (without the @), for completion; else None."""
    match = re.search(r'(?:^|\s)@"([^"]*)$', text) or re.search(r'(?:^|\s)@([^\s"]*)$', text)
    return None if match is None else match[1]


def complete_owner(text: str, name: str) -> str:
    """`text` with the `@name` being typed at its end replaced by the chosen name."""
    match = re.search(r'(?:^|\s)(@"[^"]*|@[^\s"]*)$', text)
    head = text if match is None else text[: match.start(1)]
    return f"{head}{owner_word(name)} "


def parse_saved_item(text: str) -> tuple[str, int | None, int]:
    """A saved list's item as typed: `Send contract +3 !high` -> (title, due offset in days, priority)."""
    title, offset, priority = [], None, 0
    for word in text.split():
        match = re.fullmatch(r"\+([0-9]{1,6})d?", word)
        if match:
            offset = int(match[1])
        elif word.startswith("!") and len(word) > 1 and word[1:].isalnum():
            priority = parse_priority(word)
        else:
            title.append(word)
    return " ".join(title), offset, priority


def saved_item_text(title: str, offset: int | None, priority: int) -> str:
    """The other way: what `parse_saved_item` reads back as the same item."""
    days = "" if offset is None else f" +{offset}d"
    mark = f" !{PRIORITY_NAMES[priority]}" if priority else ""
    return f"{title}{days}{mark}"

"""Every command's arguments, fuzzed: whatever is typed ends in exit 0 or 2 with at most one line on
stderr, never a traceback or an internal error (exit 1). In process, so hundreds of runs take seconds."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioflow.cli import build_parser, main

EXAMPLES = 200
# The database's own files among the file names, so every writer meets the output-path rule too.
FILE_NAMES = ["out.json", "studioflow.db", "studioflow.db-wal", "studioflow.db.v1-backup", ".", "x" * 300, "-"]
EDGE_DATES = [
    "9999-12-31",
    "0001-01-01",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "2026-02-29",
    "2024-02-29T12:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1970-01-01",
    "today",
    "+99999999999d",
]
NAMES = ["Wedding", "Weddings", "Tax season", "Inquiry", "Booked", "Ava Martinez", "1", "2", "3", "25", "Smith wedding"]


def leaf_commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command, e.g. ("job", "move"), with its parser."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[path] = parser
            return
        for name, sub in subs[0].choices.items():
            walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


COMMANDS = leaf_commands()

text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None), max_size=40)
values = st.one_of(
    text,
    st.sampled_from(NAMES),
    st.sampled_from(EDGE_DATES),
    st.integers(-(10**30), 10**30).map(str),
    st.integers(0, 40).map(str),
    st.text(min_size=1000, max_size=3000),
    st.just(""),
)


@st.composite
def argv_of(draw: Any, path: tuple[str, ...]) -> list[str]:
    parser = COMMANDS[path]
    argv = list(path)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest in ("db",):
            continue
        if path == ("demo",) and action.dest == "force":
            continue  # writing the whole demo again costs a second and finds nothing new
        if action.option_strings and not (action.required or draw(st.booleans())):
            continue
        is_file = action.dest in ("file", "body_file")
        one = st.sampled_from(FILE_NAMES) if is_file else values
        if action.choices is not None and draw(st.booleans()):
            one = st.sampled_from([str(c) for c in action.choices])
        nargs = action.nargs
        if nargs == 0:
            count = 0
        elif isinstance(nargs, int):
            count = nargs
        elif nargs in ("*", "?"):
            count = draw(st.integers(0, 2))
        elif nargs == "+":
            count = draw(st.integers(1, 3))
        else:
            count = 1
        words = [draw(one) for _ in range(count)]
        if action.option_strings:
            # A value that starts with '-' goes after '=', as a person would have to type it.
            if count == 1 and words[0].startswith("-"):
                argv.append(f"{action.option_strings[0]}={words[0]}")
                continue
            argv.append(action.option_strings[0])
        argv += words
    return argv


commands = st.sampled_from(sorted(COMMANDS)).flatmap(argv_of)


def test_every_command_is_covered() -> None:
    assert len(COMMANDS) > 60
    assert ("job", "move") in COMMANDS


def test_fuzzed_arguments_end_in_exit_0_or_2_and_one_line(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "studioflow.db"
    shutil.copyfile(demo_template, db)
    monkeypatch.chdir(tmp_path)  # where the file names above land
    monkeypatch.setenv("STUDIOFLOW_SMTP_PASSWORD", "unused")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(argv=commands)
    def run(argv: list[str]) -> None:
        try:
            code = main([*argv, "--db", str(db)])
        except SystemExit as usage:  # argparse: a usage error (2), or --help (0)
            code = int(usage.code or 0)
        err = capsys.readouterr().err
        assert code in (0, 2), f"{argv!r} exited {code}: {err}"
        assert "Traceback" not in err, argv
        assert "internal error" not in err, argv
        assert err.count("\n") <= 1 or err.startswith("usage"), f"{argv!r}: {err}"

    run()

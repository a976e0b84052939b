"""Every command's arguments, fuzzed: whatever is typed ends in exit 0 or 2 with at most one line on
stderr, never a traceback or an internal error (exit 1). In process, so hundreds of runs take seconds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioflow.cli import main, studioflow

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


def leaf_commands() -> dict[tuple[str, ...], click.Command]:
    """Every command, e.g. ("job", "move"), with its click command."""
    found: dict[tuple[str, ...], click.Command] = {}

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        if not isinstance(command, click.Group):
            found[path] = command
            return
        context = click.Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None, (*path, name)
            walk(sub, (*path, name))

    walk(studioflow, ())
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
    argv = list(path)
    for param in COMMANDS[path].params:
        if param.name == "db":
            continue
        if path == ("demo",) and param.name == "force":
            continue  # writing the whole demo again costs a second and finds nothing new
        is_option = isinstance(param, click.Option)
        if is_option and not (param.required or draw(st.booleans())):
            continue
        is_file = param.name in ("file", "body_file")
        one = st.sampled_from(FILE_NAMES) if is_file else values
        if isinstance(param.type, click.Choice) and draw(st.booleans()):
            one = st.sampled_from([str(c) for c in param.type.choices])
        if is_option and param.is_flag:
            count = 0
        elif param.nargs == -1:
            count = draw(st.integers(1 if param.required else 0, 3))
        elif not param.required and not is_option:
            count = draw(st.integers(0, 1))
        else:
            count = param.nargs
        words = [draw(one) for _ in range(count)]
        if is_option:
            # A value that starts with '-' goes after '=', as a person would have to type it.
            if count == 1 and words[0].startswith("-"):
                argv.append(f"{param.opts[0]}={words[0]}")
                continue
            argv.append(param.opts[0])
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
        except SystemExit as usage:  # not expected: main returns the exit status
            code = int(usage.code or 0)
        err = capsys.readouterr().err
        assert code in (0, 2), f"{argv!r} exited {code}: {err}"
        assert "Traceback" not in err, argv
        assert "internal error" not in err, argv
        assert err.count("\n") <= 1 or err.startswith("usage"), f"{argv!r}: {err}"

    run()

"""The one $EDITOR helper (screens/editor.py): real editor processes on a headless app."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.app import App

from studioflow.errors import StudioflowError
from studioflow.screens.editor import edit_in_editor, edit_in_terminal, editor_command


def script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture(autouse=True)
def no_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


async def test_the_editor_edits_a_private_file_that_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen"
    editor = script(tmp_path, "ed.sh", f'echo "$1" > {seen}; printf " and more" >> "$1"')
    monkeypatch.setenv("EDITOR", str(editor))
    app = App[None]()
    async with app.run_test():
        assert edit_in_editor(app, "notes") == "notes and more"
    used = Path(seen.read_text().strip())
    assert used.name == "notes.md"
    assert not used.parent.exists()  # the folder and the file in it are gone


async def test_visual_wins_over_editor_and_arguments_are_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    visual = script(tmp_path, "visual.sh", 'printf "%s" "$1" > "$2"')  # writes its first argument
    monkeypatch.setenv("EDITOR", str(script(tmp_path, "other.sh", 'printf other > "$1"')))
    monkeypatch.setenv("VISUAL", f"{visual} 'two words'")
    assert editor_command() == [str(visual), "two words"]
    app = App[None]()
    async with app.run_test():
        assert edit_in_editor(app, "") == "two words"


async def test_in_terminal_only_runs_nothing_without_a_terminal_or_an_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = tmp_path / "ran"
    app = App[None]()
    async with app.run_test():
        assert editor_command() is None
        assert edit_in_terminal(app, "notes") is None  # no editor set: the caller edits in place
        monkeypatch.setenv("EDITOR", str(script(tmp_path, "ed.sh", f"touch {ran}")))
        assert edit_in_terminal(app, "notes") is None  # headless: no terminal to hand over
    assert not ran.exists()


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ("exit 3", "the editor exited with status 3: notes left as they were"),
        (r'printf "\377\376" > "$1"', "the notes are not UTF-8 text: left as they were"),
    ],
)
async def test_a_failed_edit_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, refusal: str
) -> None:
    monkeypatch.setenv("EDITOR", str(script(tmp_path, "ed.sh", body)))
    app = App[None]()
    async with app.run_test():
        with pytest.raises(StudioflowError) as caught:
            edit_in_editor(app, "notes")
    assert str(caught.value) == refusal


async def test_an_editor_that_cannot_start_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", str(tmp_path / "no-such-editor"))
    app = App[None]()
    async with app.run_test():
        with pytest.raises(StudioflowError, match=r"cannot start the editor '.*no-such-editor'"):
            edit_in_editor(app, "notes")

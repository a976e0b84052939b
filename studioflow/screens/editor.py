"""Text edited in the user's own editor ($VISUAL, else $EDITOR), the terminal handed over to it."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported

from studioflow.errors import StudioflowError

FALLBACK = "vi"  # what a Unix user expects when neither variable is set


def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split as a shell would; None when neither is set."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    return shlex.split(chosen) if chosen and chosen.strip() else None


def edit_in_editor(app: App[Any], text: str) -> str:
    """`text` as edited in the user's editor (vi when none is set); with no terminal to hand over
    (tests, the web) the editor still runs, with no input."""
    edited = _edit(app, editor_command() or [FALLBACK], text, headless=True)
    assert edited is not None  # headless runs it too
    return edited


def edit_in_terminal(app: App[Any], text: str) -> str | None:
    """`text` as edited in the user's editor; None (nothing run) when no editor is set or there
    is no terminal to hand over, for a caller that then edits in place."""
    command = editor_command()
    return None if command is None else _edit(app, command, text, headless=False)


def _edit(app: App[Any], command: list[str], text: str, headless: bool) -> str | None:
    """The one way an editor runs: a private temporary file, always removed. A refusal is one
    line (the editor cannot start, exits with an error, or leaves text that is not UTF-8), and
    the text is then left as it was."""
    with tempfile.TemporaryDirectory(prefix="studioflow-") as folder:
        path = Path(folder) / "notes.md"
        path.write_text(text, encoding="utf-8")
        try:
            try:
                with app.suspend():
                    done = subprocess.run([*command, str(path)], check=False)
            except SuspendNotSupported:
                if not headless:
                    return None
                done = subprocess.run([*command, str(path)], check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise StudioflowError(f"cannot start the editor {command[0]!r}: {exc.strerror}") from None
        if done.returncode != 0:
            raise StudioflowError(f"the editor exited with status {done.returncode}: notes left as they were")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise StudioflowError("the notes are not UTF-8 text: left as they were") from None

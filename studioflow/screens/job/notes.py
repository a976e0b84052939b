"""The job page's Notes tab: the job's notes in markdown, edited in $VISUAL/$EDITOR or in place."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import SuspendNotSupported
from textual.binding import Binding
from textual.widgets import Markdown

from studioflow.screens.dialogs import TextDialog
from studioflow.screens.job.base import JobPageBase
from studioflow.workflow.jobs import jobs

TAB = "notes"
KEYS = [Binding("e", "edit_notes", "Edit notes", id="job.edit_notes")]


class NotesTab(JobPageBase):
    def _load_notes(self) -> None:
        text = jobs.get_notes(self.db, self.job_id)
        self.query_one("#job-notes", Markdown).update(text or "*No notes yet: press e to write some.*")

    def action_edit_notes(self) -> None:
        notes = jobs.get_notes(self.db, self.job_id)
        edited = self._edit_in_editor(notes)
        if edited is not None:
            if edited != notes:
                self._save_notes(edited)
            return
        # No terminal to hand over (or no editor): edit in place.
        self.app.push_screen(TextDialog("Notes (markdown)", notes), self._save_notes)

    def _save_notes(self, text: str | None) -> None:
        if text is not None:
            self._run(lambda: jobs.set_notes(self.db, self.job_id, text), "Notes saved (u to undo).")

    def _edit_in_editor(self, text: str) -> str | None:
        """The text after $VISUAL/$EDITOR ran on it in the terminal; None when that cannot be done."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return None
        fd, name = tempfile.mkstemp(suffix=".md", prefix="studioflow-notes-")
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            try:
                with self.app.suspend():
                    done = subprocess.run([*shlex.split(editor), str(path)], check=False)
            except SuspendNotSupported:
                return None
            except OSError as exc:
                self.notify(f"Cannot run the editor {editor!r}: {exc.strerror}", severity="error")
                return None
            if done.returncode != 0:
                self.notify(f"The editor exited with status {done.returncode}; notes not changed.", severity="warning")
                return text
            return path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)

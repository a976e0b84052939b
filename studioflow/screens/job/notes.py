"""The job page's Notes tab: the job's notes in markdown, edited in $VISUAL/$EDITOR or in place."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Markdown

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import TextDialog
from studioflow.screens.editor import edit_in_terminal
from studioflow.screens.job.base import JobPageBase
from studioflow.widgets.keys import key_for, undo_hint
from studioflow.workflow.jobs import jobs

TAB = "notes"
KEYS = [Binding("e", "edit_notes", "Edit notes", id="job.edit_notes")]


class NotesTab(JobPageBase):
    def _load_notes(self) -> None:
        none = f"*No notes yet: press {key_for(self, 'edit_notes', 'e')} to write some.*"
        self.query_one("#job-notes", Markdown).update(jobs.get_notes(self.db, self.job_id) or none)

    def action_edit_notes(self) -> None:
        notes = jobs.get_notes(self.db, self.job_id)
        try:
            edited = edit_in_terminal(self.app, notes)
        except StudioflowError as exc:
            self.notify(str(exc), severity="error")
            return
        if edited is None:  # no terminal to hand over (or no editor): edit in place
            self.app.push_screen(TextDialog("Notes (markdown)", notes), self._save_notes)
        elif edited != notes:
            self._save_notes(edited)

    def _save_notes(self, text: str | None) -> None:
        if text is not None:
            self._run(lambda: jobs.set_notes(self.db, self.job_id, text), f"Notes saved {undo_hint(self)}.")

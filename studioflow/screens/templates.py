"""Message templates: a list to pick from, and an editor whose preview is rendered live
against a real job, so a typo in a placeholder shows before anything is saved or sent."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static, TextArea

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import (
    ListDialog,
    NewEntry,
    PickerDialog,
    PromptDialog,
    confirm,
    list_dialog,
    refill,
)
from studioflow.screens.effects import run_effect, studio
from studioflow.store import Database
from studioflow.widgets.footer import KeysFooter
from studioflow.workflow.jobs import jobs


class TemplatesDialog(ListDialog[str]):
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="templates.close"),
        Binding("n", "new", "New", id="templates.new"),
        Binding("e,enter", "edit", "Edit", id="templates.edit"),
        Binding("d", "delete", "Delete", id="templates.delete"),
    ]

    def compose(self) -> ComposeResult:
        yield list_dialog("Message templates", "templates-list")

    def _reload(self) -> None:
        from studioflow.workflow.automations import templates  # jinja2 only when templates are wanted

        options = self.query_one(OptionList)
        found = templates.list_templates(self.db)
        self.rows = [t.name for t in found]
        refill(options, [f"{t.name}  ({t.channel})" for t in found])

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        name = self._row()
        if name is not None:
            self.app.push_screen(TemplateEditor(self.db, name), lambda _: self._reload())

    @work(exclusive=True, group="new-template")
    async def action_new(self) -> None:
        channel = await self.app.push_screen_wait(
            PickerDialog("A template for", [("email", "email"), ("text (sms)", "sms")])
        )
        if not isinstance(channel, str):
            return
        name = await self.app.push_screen_wait(PromptDialog("Template name", placeholder="e.g. Thanks for booking"))
        if name:
            await self.app.push_screen_wait(TemplateEditor(self.db, None, name.strip(), channel))
            self._reload()

    def action_delete(self) -> None:
        name = self._row()
        if name is None:
            return
        from studioflow.workflow.automations import templates

        def delete() -> None:
            run_effect(self, lambda: templates.delete_template(self.db, name), lambda _: self._reload())

        confirm(self, f"Delete template “{name}”?", "Delete it", delete)


class TemplateEditor(Screen[None]):
    """Edit subject and body; the right-hand side shows them filled in for a real job."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="template.save"),
        Binding("ctrl+j", "pick_job", "Preview job", id="template.job"),
        Binding("escape", "app.pop_screen", "Cancel", id="template.cancel"),
    ]

    def __init__(self, db: Database, name: str | None, new_name: str = "", channel: str = "email") -> None:
        super().__init__()
        from studioflow.workflow.automations import templates

        self.db = db
        self.name_ = name or new_name
        self.existing = name is not None
        view = templates.get_template(db, name) if name is not None else None
        self.channel = view.channel if view else channel
        self.subject = view.subject if view else ""
        self.body = view.body if view else ""
        first = jobs.list_jobs(db)
        self.job_id: int | None = first[0].id if first else None
        self.job_title = first[0].title if first else "sample values"

    def compose(self) -> ComposeResult:
        yield Label(f"Template “{self.name_}” ({self.channel})", classes="dialog-title")
        with Horizontal():
            with Vertical(id="template-fields"):
                yield Label("Subject")
                subject = Input(self.subject, id="template-subject", placeholder="e.g. Thanks, {{ client.first_name }}")
                subject.disabled = self.channel == "sms"
                yield subject
                yield Label("Body (placeholders: client.first_name, job.due, event.date, invoice.owed, me.name, …)")
                yield TextArea(self.body, id="template-body")
            with Vertical(id="template-preview-side"):
                yield Label("", id="template-preview-title")
                yield Static("", id="template-preview")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._preview()
        self.query_one("#template-body" if self.channel == "sms" else "#template-subject").focus()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._preview()

    def _texts(self) -> tuple[str, str]:
        subject = "" if self.channel == "sms" else self.query_one("#template-subject", Input).value
        return subject, self.query_one("#template-body", TextArea).text

    def _preview(self) -> None:
        from studioflow.workflow.automations import templates

        subject, body = self._texts()
        self.query_one("#template-preview-title", Label).update(f"Preview for {self.job_title} (ctrl+j: another job)")
        shown = self.query_one("#template-preview", Static)
        try:
            me = studio(self).config.me()  # read once by the app
            rendered_subject, rendered_body = templates.preview_draft(
                self.db, self.channel, subject, body, self.job_id, me
            )
            empty = templates.blanks(subject, body, templates.draft_context(self.db, self.job_id, me))
        except StudioflowError as exc:
            shown.update(f"[b $text-error]Cannot be saved:[/] {_plain(str(exc))}")
            return
        # Exactly what would be sent, blanks included; what has no value here is named first.
        flag = f"[b $text-warning]No value here, sent blank:[/] {', '.join(empty)}\n\n" if empty else ""
        head = f"[b]Subject:[/b] {_plain(rendered_subject)}\n\n" if self.channel == "email" else ""
        shown.update(flag + head + _plain(rendered_body))

    def action_pick_job(self) -> None:
        choices = [(f"{j.title} ({j.client or 'no client'})", j.id) for j in jobs.list_jobs(self.db)]

        def picked(job_id: int | NewEntry | None) -> None:
            if isinstance(job_id, int):
                self.job_id = job_id
                self.job_title = next(label for label, value in choices if value == job_id)
                self._preview()

        self.app.push_screen(PickerDialog("Preview against which job?", choices), picked)

    def action_save(self) -> None:
        from studioflow.workflow.automations import templates

        subject, body = self._texts()

        def save() -> object:
            if self.existing:
                return templates.update_template(self.db, self.name_, subject, body)
            return templates.create_template(self.db, self.name_, self.channel, subject, body)

        run_effect(self, save, lambda _: self.dismiss(None), said=f"Template “{self.name_}” saved.")


def _plain(text: str) -> str:
    """Text shown as it is (square brackets are not markup here)."""
    from rich.markup import escape

    return escape(text)

"""The job page's Clients tab: the job's clients with their roles; add, remove, make primary."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from studioflow.screens.dialogs import NewEntry, PickerDialog, PromptDialog
from studioflow.screens.job.base import JobPageBase
from studioflow.widgets.keys import undo_hint
from studioflow.workflow.people import clients, jobclients

TAB = "clients"
KEYS = [
    Binding("a", "add_client", "Add client", id="job.add_client"),
    Binding("d", "remove_client", "Remove client", id="job.remove_client"),
    Binding("p", "primary_client", "Make primary", id="job.primary_client"),
    Binding("r", "client_role", "Role", id="job.client_role"),
]


class ClientsTab(JobPageBase):
    def _load_clients(self) -> None:
        rows = [
            (str(c.client_id), ("★" if c.primary else "", Text(c.name), Text(c.role), c.email, c.phone))
            for c in jobclients.list_job_clients(self.db, self.job_id)
        ]
        self._fill("job-clients", rows)

    def action_add_client(self) -> None:
        on_job = {c.client_id for c in jobclients.list_job_clients(self.db, self.job_id)}
        choices = [(c.name, c.id) for c in clients.list_clients(self.db) if c.id not in on_job]

        def picked(choice: int | NewEntry | None) -> None:
            if choice is None:
                return

            def with_role(role: str | None) -> None:
                if role is None:
                    return
                new = choice.text if isinstance(choice, NewEntry) else None  # made with the link, in one step
                client = None if isinstance(choice, NewEntry) else choice
                self._run(lambda: jobclients.add_job_client(self.db, self.job_id, client, role, new_client=new))

            self.app.push_screen(PromptDialog("Role on this job (e.g. bride, payer; may be empty)"), with_role)

        self.app.push_screen(PickerDialog("Add a client to the job", choices, new_label="new client"), picked)

    def action_remove_client(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is None:
            return
        name = next(c.name for c in jobclients.list_job_clients(self.db, self.job_id) if c.client_id == client_id)

        def remove() -> None:
            jobclients.remove_job_client(self.db, self.job_id, client_id)

        self._confirm_delete(f"Take {name} off this job", remove, f"{name} is no longer on this job.")

    def action_primary_client(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is not None:
            self._run(
                lambda: jobclients.set_primary(self.db, self.job_id, client_id),
                f"Primary client changed {undo_hint(self)}.",
            )

    def action_client_role(self) -> None:
        client_id = self._selected("job-clients", "client")
        if client_id is None:
            return
        current = next(c.role for c in jobclients.list_job_clients(self.db, self.job_id) if c.client_id == client_id)

        def save(role: str | None) -> None:
            if role is not None:
                self._run(lambda: jobclients.set_role(self.db, self.job_id, client_id, role))

        self.app.push_screen(PromptDialog("Role on this job", current), save)

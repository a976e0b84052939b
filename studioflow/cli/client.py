"""`studioflow client …`, `status …` and `jobclient …`: the people served, the flags a job can
carry, and who takes part in a job."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import JOB, client_names, status_names
from studioflow.cli.frame import Section
from studioflow.cli.services import clients, jobclients, reads
from studioflow.cli.tracking import tracking_commands
from studioflow.errors import StudioflowError
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.workflow.views import ClientView

CLIENT = click.argument("client", shell_complete=client_names)


client = Section("client", help="clients")


@client.command("add", help="add a client (refused when the name exists, unless --allow-duplicate)")
@click.argument("name")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.option("--tag", "tags", multiple=True, metavar="T", help="a tag (repeat)")
@click.option("--notes", default="")
@click.option("--allow-duplicate", is_flag=True, help="add it even if a client has that name")
def add_client(
    db: Database, name: str, email: str, phone: str, tags: tuple[str, ...], notes: str, allow_duplicate: bool
) -> ClientView:
    try:
        return clients.add_client(db, name, email, phone, tags, notes, allow_duplicate=allow_duplicate)
    except clients.DuplicateClient as exc:
        raise StudioflowError(f"{exc}; --allow-duplicate adds a second one") from None


client.calls("list", "list clients", service=lambda: reads.list_clients)


client.calls("show", "show a client: jobs, events, invoices", CLIENT, service=lambda: clients.client_page)


tracking_commands(client, "clients")


@client.command("edit", help="change a client's name, email, phone, tags or notes (undoable)")
@CLIENT
@click.option("--name")
@click.option("--email", help="'' for none")
@click.option("--phone", help="'' for none")
@click.option("--tag", "tags", multiple=True, metavar="T", help="a tag (repeat; replaces the tags)")
@click.option("--no-tags", is_flag=True, help="remove every tag")
@click.option("--notes")
@click.option("--allow-duplicate", is_flag=True, help="rename even to a name another client has")
def edit_client(
    db: Database,
    client: str,
    name: str | None,
    email: str | None,
    phone: str | None,
    tags: tuple[str, ...],
    no_tags: bool,
    notes: str | None,
    allow_duplicate: bool,
) -> ClientView:
    if no_tags and tags:
        raise StudioflowError("give either --tag or --no-tags")
    new_tags = [] if no_tags else list(tags) or None
    if all(field is None for field in (name, email, phone, new_tags, notes)):
        raise StudioflowError("nothing to change: give --name, --email, --phone, --tag, --no-tags or --notes")
    return clients.edit_client(
        db, client, name=name, email=email, phone=phone, tags=new_tags, notes=notes, allow_duplicate=allow_duplicate
    )


@client.command("delete", help="delete a client: its jobs, events and invoices stay (undoable)")
@CLIENT
def delete_client(db: Database, client: str) -> str:
    links = clients.delete_client(db, client)
    return f"deleted client {links.id} {links.name}: {links.consequence()} (`studioflow undo` brings it back)"


client.calls(
    "merge",
    "fold duplicate client B into the original A: jobs, roles, events, invoices, history (undoable)",
    click.argument("original", metavar="A", shell_complete=client_names),
    click.argument("duplicate", metavar="B", shell_complete=client_names),
    service=lambda: clients.merge_clients,
)


STATUS = click.argument("status", shell_complete=status_names)


status = Section("status", help="custom job statuses that flag blockers")


status.calls(
    "add",
    "add a job status",
    click.argument("name"),
    click.option("--colour", "--color", "colour", default="yellow", help="a colour name or #rrggbb"),
    service=lambda: clients.add_status,
)


status.calls("list", "list job statuses", service=lambda: clients.list_statuses)


status.calls("rename", "rename a job status", STATUS, click.argument("name"), service=lambda: clients.rename_status)


status.calls("colour", "change its colour", STATUS, click.argument("colour"), service=lambda: clients.recolour_status)


@status.command("delete", help="delete a job status: the jobs holding it lose it (undoable)")
@STATUS
def delete_status(db: Database, status: str) -> str:
    name = clients.get_status(db, status).name
    held = clients.delete_status(db, status)
    return f"deleted status {name}: {held} job(s) lost it (`studioflow undo` brings it back)"


jobclient = Section(
    "jobclient", help="the clients of a job, each with a role (bride, payer...); one is the primary client"
)


jobclient.calls("list", "list a job's clients", JOB, service=lambda: jobclients.list_job_clients)


jobclient.calls(
    "add",
    "add a client",
    JOB,
    CLIENT,
    click.option("--role", default="", metavar="R", help='e.g. "bride" or "payer"'),
    service=lambda: jobclients.add_job_client,
)


jobclient.calls("remove", "take a client off", JOB, CLIENT, service=lambda: jobclients.remove_job_client)


jobclient.calls("primary", "make the primary client", JOB, CLIENT, service=lambda: jobclients.set_primary)


jobclient.calls("role", "set a client's role", JOB, CLIENT, click.argument("role"), service=lambda: jobclients.set_role)

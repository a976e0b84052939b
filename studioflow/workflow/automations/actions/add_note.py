"""add_note: append a line to the card's notes, written like a message ("Called {{ client.first_name }}").

The line is a template with the placeholders of message templates, checked when the
rule is saved and rendered in the same sandbox when it fires. Jobs, clients and
invoices have notes; events have none, so the action is refused on their pipelines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studioflow.errors import StudioflowError
from studioflow.workflow.automations.actions.base import Action, Firing, Param, register

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store.models import Client, Invoice, Job, Pipeline
    from studioflow.workflow.automations.automations import Effect

KINDS = ("jobs", "clients", "invoices")  # the cards with a notes field


def _setup(_session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    from studioflow.workflow.automations import templates  # jinja2 only when a note is set up

    text = values["text"].strip()
    if not text:
        raise StudioflowError("add_note needs the line to add")
    try:
        # A trial render on sample values, as for a message template: a typo in a
        # placeholder is refused now, not when a card moves.
        templates.check_template("sms", "", text)
    except StudioflowError as exc:
        raise StudioflowError(f"the note {text!r}: {exc}") from None
    return {"text": text}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Client, Invoice, Job, utcnow
    from studioflow.workflow.automations import templates
    from studioflow.workflow.automations.automations import Effect, render_context
    from studioflow.workflow.jobs import journal

    session, subject = firing.session, firing.subject
    row: Job | Client | Invoice | None
    if isinstance(subject, Job):
        row = subject
    elif subject.kind == "clients":
        row = session.get(Client, subject.id)
    elif subject.kind == "invoices":
        row = session.get(Invoice, subject.id)
    else:
        return Effect(f"not run: {subject.kind} have no notes")
    if row is None:
        return Effect("not run: the card is gone")
    text = firing.params.get("text", "")
    try:
        _, rendered = templates.render("", text, render_context(session, subject, firing.visit))
    except StudioflowError as exc:
        return Effect(f"not run: the note could not be filled in: {exc}")
    line = " ".join(rendered.split())  # one line, whatever the placeholders held
    if not line:
        return Effect("not run: the note came out empty")
    # Joins the move's undo entry; a job's snapshot there already covers its notes.
    with journal.recording(session, "add a note") as rec:
        if not isinstance(row, Job):
            rec.watch_rows("client" if isinstance(row, Client) else "invoice", [row.saved_id])
        row.notes = f"{row.notes.rstrip()}\n{line}" if row.notes.strip() else line
        if isinstance(row, Job):
            row.updated_at = utcnow()
        session.flush()
    return Effect(f"note added: {line}")


register(
    Action(
        name="add_note",
        label="add a line to the notes",
        word="note",
        order=100,
        setup=_setup,
        run=_run,
        target=lambda _session, params: str(params.get("text", "")),
        describe=lambda text: f"add the note {text!r}",
        params=(
            Param(
                "text",
                "text",
                "--text",
                "add_note: the line to add, with placeholders as in templates",
                needs="the line to add",
                metavar="T",
                ask="Which line should it add to the notes?",
                placeholder="e.g. Called {{ client.first_name }}",
            ),
        ),
        kinds=KINDS,
    )
)

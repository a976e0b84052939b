"""send_invoice (a job stage): a new invoice like a model one, for the job's payer, emailed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.workflow.automations.actions.base import Action, Firing, Param, register
from studioflow.workflow.automations.actions.common import days_param, template_id, template_name, template_param

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store import Database
    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _choices(db: Database, _pipeline_id: int) -> list[tuple[str, int]]:
    from studioflow.workflow.money import invoices

    return [(f"{i.number}  {i.client or ''}", i.id) for i in invoices.list_invoices(db)]


def _setup(session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    from studioflow.workflow import lookup

    template = template_id(session, values["template"], "email")
    lookup.check_days(values["days"], "an invoice's term")
    model = lookup.invoice(session, values["from_invoice"])
    return {"template_id": template, "invoice_id": model.id, "days": values["days"]}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Invoice, Job
    from studioflow.workflow.automations.automations import Effect, queue_message
    from studioflow.workflow.jobs import journal, tracking
    from studioflow.workflow.money import invoices

    session, subject = firing.session, firing.subject
    if not isinstance(subject, Job):
        return Effect("not run: a new invoice is made for a job")
    model = session.get(Invoice, firing.params.get("invoice_id"))
    if model is None:
        return Effect("not run: its model invoice was deleted")
    invoice = invoices.copy_invoice(session, model, subject, int(firing.params.get("days", 0)))
    if invoice is None:
        return Effect("not run: the job has no client to bill")
    journal.note(session, "invoice", invoice.saved_id)
    sent = queue_message(firing, invoice)
    tracking.enter_default(session, "invoices", invoice.saved_id)
    return Effect(f"invoice {invoice.number} made; {sent.text}", sent.message)


def _target(session: Session, params: Mapping[str, Any]) -> str:
    from studioflow.store.models import Invoice

    model = session.get(Invoice, params.get("invoice_id"))
    like = "(deleted invoice)" if model is None else model.number
    return f"like {like}, due in {params.get('days', 0)} days, with {template_name(session, params)!r}"


register(
    Action(
        name="send_invoice",
        label="make and email a new invoice (a job stage)",
        word="invoice",
        order=80,
        setup=_setup,
        run=_run,
        target=_target,
        describe=lambda target: f"send a new invoice {target}",
        params=(
            Param(
                "from_invoice",
                "model invoice",
                "--from-invoice",
                "send_invoice: the invoice to copy (lines, tax)",
                needs="the invoice to copy (its lines and tax)",
                metavar="I",
                ask="Copy which invoice (lines, tax)?",
                choices=_choices,
                empty="no invoices yet to copy",
            ),
            days_param(
                "send_invoice: the new invoice is due N days after it is made",
                needs="the days until the new invoice is due",
                ask="Due how many days after it is made?",
                default="14",
            ),
            template_param("email", "send_invoice: the letter it is emailed with"),
        ),
        channel="email",
    )
)

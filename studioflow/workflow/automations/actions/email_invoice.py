"""email_invoice (an invoice stage): the invoice again, under the automation's reminder letter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.workflow.automations.actions.base import Action, Firing, register
from studioflow.workflow.automations.actions.common import template_id, template_name, template_param

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _setup(session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    return {"template_id": template_id(session, values["template"], "email")}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Invoice
    from studioflow.workflow.automations.automations import Effect, queue_message
    from studioflow.workflow.jobs.subjects import Tracked

    subject = firing.subject
    if not isinstance(subject, Tracked) or subject.kind != "invoices":
        return Effect("not run: only an invoice can be emailed again")
    invoice = firing.session.get_one(Invoice, subject.id)
    if invoice.status in ("paid", "void"):
        return Effect(f"not run: invoice {invoice.number} is {invoice.status}")
    if invoice.status == "draft":
        invoice.status = "sent"
    return queue_message(firing, invoice)


def _target(session: Session, params: Mapping[str, Any]) -> str:
    return template_name(session, params)


register(
    Action(
        name="email_invoice",
        label="email the invoice again (an invoice stage)",
        word="invoice",
        order=90,
        setup=_setup,
        run=_run,
        target=_target,
        describe=lambda letter: f"email the invoice with {letter!r}",
        params=(template_param("email", "email_invoice: the reminder letter"),),
        kinds=("invoices",),
        channel="email",
    )
)

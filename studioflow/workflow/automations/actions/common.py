"""Parameters and look-ups that several actions share: a message template, a number of days."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.errors import StudioflowError
from studioflow.workflow.automations.actions.base import Param

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store import Database


def template_param(channel: str, help: str) -> Param:
    """The message template of an action that writes to the client by `channel`."""

    def choices(db: Database, _pipeline_id: int) -> list[tuple[str, int]]:
        from studioflow.workflow.automations import templates  # jinja2 only when templates are wanted

        return [(t.name, t.id) for t in templates.list_templates(db) if t.channel == channel]

    return Param(
        "template",
        "template",
        "--template",
        help,
        needs="a template",
        metavar="T",
        ask="Which template?",
        choices=choices,
        empty=f"no {channel} templates yet (studioflow template add)",
    )


def template_id(session: Session, ref: int | str, channel: str) -> int:
    """The template named (or numbered) `ref`, which must be written for `channel`."""
    from studioflow.store.models import MessageTemplate
    from studioflow.workflow import lookup

    found = lookup.find(session, MessageTemplate, ref, "template")
    if found.channel != channel:
        raise StudioflowError(f"template {found.name!r} is for {found.channel}, not {channel}")
    return found.saved_id


def template_name(session: Session, params: Mapping[str, Any]) -> str:
    from studioflow.store.models import MessageTemplate

    template = session.get(MessageTemplate, params.get("template_id"))
    return "(deleted template)" if template is None else template.name


def days_param(help: str, needs: str, ask: str, default: str) -> Param:
    return Param("days", "days", "--days", help, needs=needs, number=True, metavar="N", ask=ask, default=default)

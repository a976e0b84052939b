"""send_email and send_sms: a message to the card's client, from a template, through the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.workflow.automations.actions.base import Action, Firing, register
from studioflow.workflow.automations.actions.common import template_id, template_name, template_param

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _message(name: str, channel: str, label: str, word: str, order: int) -> Action:
    def setup(session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
        return {"template_id": template_id(session, values["template"], channel)}

    def run(firing: Firing) -> Effect:
        from studioflow.workflow.automations.automations import queue_message

        return queue_message(firing)

    def target(session: Session, params: Mapping[str, Any]) -> str:
        return template_name(session, params)

    return Action(
        name=name,
        label=label,
        word=word,
        order=order,
        setup=setup,
        run=run,
        target=target,
        describe=lambda letter: f"send {'email' if channel == 'email' else 'text'} {letter!r}",
        params=(template_param(channel, "send_email/send_sms: the message template"),),
        channel=channel,
    )


register(_message("send_email", "email", "send an email", "email", 10))
register(_message("send_sms", "sms", "send a text", "text", 20))

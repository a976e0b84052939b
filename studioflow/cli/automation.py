"""`studioflow automation …` and `template …`: what a stage does, and the messages it sends."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from studioflow.cli.complete import ON_PIPELINE, PIPELINE, STAGE, job_ids, stage_names, status_names
from studioflow.cli.files import read_text
from studioflow.cli.frame import Section
from studioflow.cli.params import DELAY, ON_OFF, OneOf, new_place, record_id
from studioflow.cli.services import automation_rules, templates
from studioflow.config import load_me
from studioflow.store import Database
from studioflow.store.choices import AUTOMATION_TRIGGERS, CHANNELS
from studioflow.workflow.automations import actions  # plain data: what `automation add` offers

if TYPE_CHECKING:
    from studioflow.workflow.views import RenderedView, TemplateView

if TYPE_CHECKING:
    from studioflow.workflow.automations.automation_rules import AutomationView

ID = record_id("automation_id")


automation = Section("automation", help="what a stage does when a job enters it, leaves it or gets a status")


def action_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per parameter of the registry's actions, its help naming the actions that use it."""
    for key, users in reversed(list(actions.params_by_key())):  # applied last first: help lists them in order
        param = users[0][1]
        helps = dict.fromkeys(p.help for _, p in users)  # the same words once: "send_email/send_sms: …"
        number = int if param.number else str
        command = click.option(param.option, key, type=number, metavar=param.metavar, help="; ".join(helps))(command)
    return command


@automation.command("add", help="add an automation to a stage")
@PIPELINE
@STAGE
@click.option("--on", "trigger", required=True, type=OneOf(AUTOMATION_TRIGGERS), help="when it fires")
@click.option("--status", metavar="S", shell_complete=status_names, help="with --on status: the status it waits for")
@click.option("--action", required=True, type=OneOf(actions.names()))
@action_options
@click.option("--delay", type=DELAY, default=0, metavar="D", help="messages: send later, e.g. 2d or 4h")
@click.option("--tag", "tags", multiple=True, metavar="T", help="only for clients with this tag")
@click.option("--keep", is_flag=True, help="a delayed message still goes if the job moves on")
@click.option(
    "--reentry",
    default="every",
    metavar="R",
    help="when the job comes back to the stage: every (visit, the default), first (visit only), "
    "or days:N (not again within N days)",
)
def add_automation(
    db: Database,
    pipeline: str,
    stage: str,
    trigger: str,
    status: str | None,
    action: str,
    delay: int,
    tags: tuple[str, ...],
    keep: bool,
    reentry: str,
    **action_params: Any,
) -> AutomationView:
    return automation_rules.add_automation(
        db,
        pipeline,
        stage,
        trigger,
        action,
        status=status,
        delay_minutes=delay,
        required_tags=list(tags),
        keep_on_leave=keep,
        reentry=reentry,
        **action_params,
    )


automation.calls(
    "list",
    "list",
    ON_PIPELINE,
    click.option("--stage", metavar="S", shell_complete=stage_names, help="needs --pipeline"),
    service=lambda: automation_rules.list_automations,
)


for verb, enabled in (("enable", True), ("disable", False)):

    def switch(db: Database, automation_id: int, enabled: bool = enabled) -> AutomationView:
        return automation_rules.set_enabled(db, automation_id, enabled)

    automation.command(verb, help=f"{verb} an automation")(ID(switch))


automation.calls("move", "reorder", ID, new_place("fires first"), service=lambda: automation_rules.move_automation)


automation.calls(
    "delete",
    "delete an automation",
    ID,
    service=lambda: automation_rules.delete_automation,
    said="automation {automation_id} deleted",
)


@automation.command("automove", help="advance jobs once the tasks a stage made are all done (on/off)")
@PIPELINE
@STAGE
@click.argument("state", type=ON_OFF)
def auto_move(db: Database, pipeline: str, stage: str, state: str) -> str:
    automation_rules.set_auto_move(db, pipeline, stage, state == "on")
    return f"auto-move {state} for {stage!r}"


TEMPLATE = click.argument("template")


template = Section(
    "template", help="message templates: an email or a text with placeholders like {{ client.first_name }}"
)


@template.command("add", help="add a message template", one_of=[("body", "body_file")])
@click.argument("name")
@click.option("--channel", required=True, type=OneOf(CHANNELS))
@click.option("--subject", default="", metavar="S", help="the email's subject (a text has none)")
@click.option("--body", metavar="B")
@click.option(
    "--body-file", metavar="F", type=click.Path(allow_dash=True), help="read the body from a file ('-' for stdin)"
)
def add_template(
    db: Database, name: str, channel: str, subject: str, body: str | None, body_file: str | None
) -> TemplateView:
    if body is None:
        body = sys.stdin.read() if body_file == "-" else read_text(body_file or "")
    return templates.create_template(db, name, channel, subject, body)


template.calls("list", "list message templates", service=lambda: templates.list_templates)


template.calls("show", "show a template", TEMPLATE, service=lambda: templates.get_template)


@template.command("preview", help="show a template rendered for a job")
@TEMPLATE
@click.option("--job", required=True, metavar="J", shell_complete=job_ids)
def preview_template(db: Database, template: str, job: str) -> RenderedView:
    from studioflow.workflow.views import RenderedView

    me = load_me()
    channel = templates.get_template(db, template).channel
    subject, body = templates.preview(db, template, job, me)
    return RenderedView(channel, subject, body)


@template.command("delete", help="delete a template")
@TEMPLATE
def delete_template(db: Database, template: str) -> str:
    view = templates.delete_template(db, template)
    return f"template {view.id} {view.name!r} deleted"

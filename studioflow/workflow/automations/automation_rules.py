"""Setting up a stage's automations: add, list, enable/disable, reorder, delete; auto-move.

What they do when they fire is `automations.py`; this module only checks and stores
the rules, so a bad rule is refused when it is made, not when a job moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import (
    AUTOMATION_ACTIONS,
    AUTOMATION_TRIGGERS,
    Automation,
    Invoice,
    JobStatus,
    MessageTemplate,
    Pipeline,
    SavedTaskList,
    Stage,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations.automations import delay_text
from studioflow.workflow.jobs.pipelines import reorder_rows

MAX_DELAY_MINUTES = 365 * 24 * 60
MOVING_ACTIONS = ("move_to_pipeline",)
MESSAGE_ACTIONS = ("send_email", "send_sms", "send_invoice", "email_invoice")
JOB_ONLY_ACTIONS = ("set_status", "set_due")  # statuses and due dates are a job's


@dataclass(frozen=True)
class AutomationView:
    id: int
    pipeline: str
    stage_id: int
    stage: str
    trigger: str
    status: str | None  # the status a `status` trigger waits for
    action: str
    target: str  # what the action uses: a template, a list, a status, "+3 days", "Pipeline › Stage"
    delay_minutes: int
    required_tags: tuple[str, ...]
    keep_on_leave: bool
    enabled: bool
    position: int
    summary: str  # the rule in one line, for lists
    reentry: str = "every"  # every | first | days:N


def add_automation(
    db: Database,
    pipeline: int | str,
    stage: int | str,
    trigger: str,
    action: str,
    *,
    status: int | str | None = None,
    template: int | str | None = None,
    saved_list: int | str | None = None,
    to_status: int | str | None = None,
    days: int | None = None,
    to_pipeline: int | str | None = None,
    to_stage: int | str | None = None,
    from_invoice: int | str | None = None,
    delay_minutes: int = 0,
    required_tags: Sequence[str] = (),
    keep_on_leave: bool = False,
    reentry: str = "every",
) -> AutomationView:
    """Add a rule at the end of the stage's automations; every part is checked first."""
    reentry = check_reentry(reentry)
    if trigger not in AUTOMATION_TRIGGERS:
        raise StudioflowError(f"a trigger is one of {', '.join(AUTOMATION_TRIGGERS)}, not {trigger!r}")
    if action not in AUTOMATION_ACTIONS:
        raise StudioflowError(f"an action is one of {', '.join(AUTOMATION_ACTIONS)}, not {action!r}")
    if not 0 <= delay_minutes <= MAX_DELAY_MINUTES:
        raise StudioflowError("a delay is between 0 and 365 days")
    if delay_minutes and action not in MESSAGE_ACTIONS:
        raise StudioflowError("only messages can be delayed")
    if action in MOVING_ACTIONS and trigger in ("complete", "skip"):
        raise StudioflowError("a job can be moved on entering a stage or on a status, not while it is leaving one")
    tags = [lookup.clean_name(t, "a tag").casefold() for t in required_tags]
    with db.write() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        stage_row = lookup.stage(session, pipeline_row, stage)
        if pipeline_row.kind != "jobs" and (action in JOB_ONLY_ACTIONS or trigger == "status"):
            what = f"a {trigger} trigger" if trigger == "status" else action
            raise StudioflowError(f"{what} is for job pipelines; {pipeline_row.name!r} tracks {pipeline_row.kind}")
        if action == "email_invoice" and pipeline_row.kind != "invoices":
            raise StudioflowError(
                f"email_invoice is for invoice pipelines; {pipeline_row.name!r} tracks {pipeline_row.kind}"
            )
        status_id = _trigger_status(session, trigger, status)
        params = _params(
            session, action, pipeline_row, template, saved_list, to_status, days, to_pipeline, to_stage, from_invoice
        )
        last = session.exec(select(func.max(Automation.position)).where(Automation.stage_id == stage_row.id)).one()
        automation = Automation(
            stage_id=stage_row.saved_id,
            trigger=trigger,
            status_id=status_id,
            action=action,
            params=params,
            delay_minutes=delay_minutes,
            required_tags=tags,
            keep_on_leave=keep_on_leave,
            position=(last or 0) + 1,
            reentry=reentry,
        )
        session.add(automation)
        session.flush()
        return _views(session, Automation.id == automation.id)[0]


def edit_automation(db: Database, automation_id: int, trigger: str, action: str, **options: Any) -> AutomationView:
    """Change a rule in place: same id, place and run ledger (so it does not fire again in
    a visit where it already ran); the new parts are checked as `add_automation` does."""
    with db.write() as session:
        old = _get(session, automation_id)
        stage = session.get_one(Stage, old.stage_id)
        draft = add_automation(db, stage.pipeline_id, stage.saved_id, trigger, action, **options)
        new = session.get_one(Automation, draft.id)
        changed = (
            "trigger",
            "status_id",
            "action",
            "params",
            "delay_minutes",
            "required_tags",
            "keep_on_leave",
            "reentry",
        )
        for field in changed:
            setattr(old, field, getattr(new, field))
        session.delete(new)
        session.flush()
        return _views(session, Automation.id == old.id)[0]


REENTRY_RULES = ("every", "first", "days:N")
MAX_REENTRY_DAYS = 3650


def check_reentry(rule: str) -> str:
    """`every` visit (the default), `first` visit of the job only, or `days:N` (not again within N days)."""
    rule = rule.strip().lower()
    if rule in ("every", "first"):
        return rule
    days = rule.removeprefix("days:")
    if rule.startswith("days:") and days.isdigit() and 1 <= int(days) <= MAX_REENTRY_DAYS:
        return f"days:{int(days)}"
    raise StudioflowError(f"a re-entry rule is every, first or days:N (N from 1 to {MAX_REENTRY_DAYS}), not {rule!r}")


def reentry_text(rule: str) -> str:
    if rule == "first":
        return "first visit only"
    if rule.startswith("days:"):
        days = int(rule.removeprefix("days:"))
        return f"not again within {days} day{'s' if days != 1 else ''}"
    return "every visit"


def list_automations(
    db: Database, pipeline: int | str | None = None, stage: int | str | None = None
) -> list[AutomationView]:
    with db.read() as session:
        conditions: list[Any] = []
        if pipeline is not None:
            pipeline_row = lookup.pipeline(session, pipeline)
            conditions.append(Stage.pipeline_id == pipeline_row.id)
            if stage is not None:
                conditions.append(Automation.stage_id == lookup.stage(session, pipeline_row, stage).id)
        elif stage is not None:
            raise StudioflowError("a stage is only meaningful with its pipeline")
        return _views(session, *conditions)


def set_enabled(db: Database, automation_id: int, enabled: bool) -> AutomationView:
    with db.write() as session:
        automation = _get(session, automation_id)
        automation.enabled = enabled
        session.flush()
        return _views(session, Automation.id == automation.id)[0]


def delete_automation(db: Database, automation_id: int) -> None:
    with db.write() as session:
        session.delete(_get(session, automation_id))


def move_automation(db: Database, automation_id: int, place: int) -> list[AutomationView]:
    """Put a rule at `place` (1 = first to fire) among its stage's automations."""
    with db.write() as session:
        automation = _get(session, automation_id)
        rows = list(
            session.exec(
                select(Automation)
                .where(Automation.stage_id == automation.stage_id)
                .order_by(col(Automation.position), col(Automation.id))
            ).all()
        )
        reorder_rows(rows, automation, place, "an automation")
        session.flush()
        return _views(session, Automation.stage_id == automation.stage_id)


def set_auto_move(db: Database, pipeline: int | str, stage: int | str, on: bool) -> None:
    """Let a stage move its jobs on once the tasks its automations made are all done."""
    with db.write() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        stage_row = lookup.stage(session, pipeline_row, stage)
        stages = lookup.ordered_stages(session, pipeline_row.saved_id)
        if on and stages[-1].id == stage_row.id:
            raise StudioflowError(f"{stage_row.name!r} is the last stage: there is nowhere to move jobs on to")
        stage_row.auto_move = on


def auto_move(db: Database, stage_id: int) -> bool:
    """Whether the stage moves its jobs on once the tasks its automations made are done."""
    with db.read() as session:
        stage = session.get(Stage, stage_id)
        if stage is None:
            raise StudioflowError(f"no stage {stage_id}")
        return stage.auto_move


def _get(session: Session, automation_id: int) -> Automation:
    automation = session.get(Automation, automation_id)
    if automation is None:
        raise StudioflowError(f"no automation {automation_id}")
    return automation


def _trigger_status(session: Session, trigger: str, status: int | str | None) -> int | None:
    if trigger == "status":
        if status is None:
            raise StudioflowError("a status trigger needs the status it waits for")
        return lookup.status(session, status).id
    if status is not None:
        raise StudioflowError("only a status trigger waits for a status")
    return None


def _params(
    session: Session,
    action: str,
    pipeline: Pipeline,
    template: int | str | None,
    saved_list: int | str | None,
    to_status: int | str | None,
    days: int | None,
    to_pipeline: int | str | None,
    to_stage: int | str | None,
    from_invoice: int | str | None = None,
) -> dict[str, Any]:
    """The action's parameters, each looked up and checked; unused ones are refused."""
    given = {
        "template": template,
        "saved list": saved_list,
        "status to set": to_status,
        "days": days,
        "pipeline": to_pipeline,
        "stage": to_stage,
        "model invoice": from_invoice,
    }
    needs = {
        "send_email": ("template",),
        "send_sms": ("template",),
        "create_tasks": ("saved list",),
        "set_status": ("status to set",),
        "set_due": ("days",),
        "move_to_pipeline": ("pipeline", "stage"),
        "archive": (),
        "send_invoice": ("model invoice", "days", "template"),
        "email_invoice": ("template",),
    }[action]
    extra = [name for name, value in given.items() if value is not None and name not in needs]
    if extra:
        raise StudioflowError(f"{action} does not use a {extra[0]}")
    if action in MESSAGE_ACTIONS:
        if template is None:
            raise StudioflowError(f"{action} needs a template")
        found = lookup.find(session, MessageTemplate, template, "template")
        channel = "sms" if action == "send_sms" else "email"
        if found.channel != channel:
            raise StudioflowError(f"template {found.name!r} is for {found.channel}, not {channel}")
        if action != "send_invoice":
            return {"template_id": found.id}
        if from_invoice is None:
            raise StudioflowError("send_invoice needs the invoice to copy (its lines and tax)")
        if days is None:
            raise StudioflowError("send_invoice needs the days until the new invoice is due")
        lookup.check_days(days, "an invoice's term")
        model = lookup.invoice(session, from_invoice)
        return {"template_id": found.id, "invoice_id": model.id, "days": days}
    if action == "create_tasks":
        if saved_list is None:
            raise StudioflowError("create_tasks needs a saved task list")
        return {"list_id": lookup.saved_list(session, saved_list).id}
    if action == "set_status":
        if to_status is None:
            raise StudioflowError("set_status needs the status to set")
        return {"status_id": lookup.status(session, to_status).id}
    if action == "set_due":
        if days is None:
            raise StudioflowError("set_due needs a number of days, 0 or more")
        lookup.check_days(days, "a due date")
        return {"days": days}
    if action == "move_to_pipeline":
        if to_pipeline is None:
            raise StudioflowError("move_to_pipeline needs the pipeline to move to")
        target = lookup.pipeline(session, to_pipeline)
        if target.id == pipeline.id:
            raise StudioflowError("move_to_pipeline moves a job to another pipeline, not its own")
        if target.kind != pipeline.kind:
            raise StudioflowError(f"{target.name!r} tracks {target.kind}; move_to_pipeline stays with {pipeline.kind}")
        stage_id = None if to_stage is None else lookup.stage(session, target, to_stage).id
        return {"pipeline_id": target.id, "stage_id": stage_id}
    return {}


def _views(session: Session, *conditions: Any) -> list[AutomationView]:
    query = (
        select(Automation, Stage, Pipeline.name)
        .join(Stage, col(Stage.id) == Automation.stage_id)
        .join(Pipeline, col(Pipeline.id) == Stage.pipeline_id)
        .where(*conditions)
        .order_by(col(Pipeline.position), col(Stage.position), col(Automation.position), col(Automation.id))
    )
    views = []
    for automation, stage, pipeline_name in session.exec(query).all():
        status = None if automation.status_id is None else session.get(JobStatus, automation.status_id)
        target = _target(session, automation)
        views.append(
            AutomationView(
                id=automation.saved_id,
                pipeline=pipeline_name,
                stage_id=stage.saved_id,
                stage=stage.name,
                trigger=automation.trigger,
                status=None if status is None else status.name,
                action=automation.action,
                target=target,
                delay_minutes=automation.delay_minutes,
                required_tags=tuple(automation.required_tags),
                keep_on_leave=automation.keep_on_leave,
                enabled=automation.enabled,
                position=automation.position,
                summary=_summary(automation, status, target),
                reentry=automation.reentry,
            )
        )
    return views


def _target(session: Session, automation: Automation) -> str:
    params = automation.params
    if automation.action in MESSAGE_ACTIONS:
        template = session.get(MessageTemplate, params.get("template_id"))
        letter = "(deleted template)" if template is None else template.name
        if automation.action != "send_invoice":
            return letter
        model = session.get(Invoice, params.get("invoice_id"))
        like = "(deleted invoice)" if model is None else model.number
        return f"like {like}, due in {params.get('days', 0)} days, with {letter!r}"
    if automation.action == "create_tasks":
        saved = session.get(SavedTaskList, params.get("list_id"))
        return "(deleted list)" if saved is None else saved.name
    if automation.action == "set_status":
        status = session.get(JobStatus, params.get("status_id"))
        return "(deleted status)" if status is None else status.name
    if automation.action == "set_due":
        return f"+{params.get('days', 0)} days"
    if automation.action == "move_to_pipeline":
        pipeline = session.get(Pipeline, params.get("pipeline_id"))
        stage = session.get(Stage, params.get("stage_id")) if params.get("stage_id") else None
        if pipeline is None:
            return "(deleted pipeline)"
        return pipeline.name + (f" › {stage.name}" if stage else "")
    return ""


def _summary(automation: Automation, status: JobStatus | None, target: str) -> str:
    when = {"enter": "on entering", "complete": "on completing", "skip": "on skipping"}.get(
        automation.trigger, f"on status {status.name if status else '?'!r}"
    )
    what = {
        "send_email": f"send email {target!r}",
        "send_sms": f"send text {target!r}",
        "create_tasks": f"create tasks from {target!r}",
        "set_status": f"set status {target!r}",
        "set_due": f"set due {target}",
        "move_to_pipeline": f"move to {target}",
        "archive": "archive the job",
        "send_invoice": f"send a new invoice {target}",
        "email_invoice": f"email the invoice with {target!r}",
    }[automation.action]
    parts = [when, what]
    if automation.delay_minutes:
        parts.append("after " + delay_text(automation.delay_minutes))
    if automation.required_tags:
        parts.append("if tagged " + ", ".join(automation.required_tags))
    if automation.keep_on_leave:
        parts.append("(kept on leaving)")
    if automation.reentry != "every":
        parts.append(f"({reentry_text(automation.reentry)})")
    if not automation.enabled:
        parts.append("[disabled]")
    return " ".join(parts)

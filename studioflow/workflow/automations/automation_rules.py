"""Setting up a stage's automations: add, list, enable/disable, reorder, delete; auto-move.

What they do when they fire is `automations.py`; this module only checks and stores
the rules, so a bad rule is refused when it is made, not when a job moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import AUTOMATION_TRIGGERS
from studioflow.store.models import (
    Automation,
    JobStatus,
    Pipeline,
    Stage,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations import actions
from studioflow.workflow.automations.automations import delay_text
from studioflow.workflow.jobs.pipelines import after_last, in_order, reorder_rows

MAX_DELAY_MINUTES = 365 * 24 * 60


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
    db: Database, pipeline: int | str, stage: int | str, trigger: str, action: str, **options: Any
) -> AutomationView:
    """Add a rule at the end of the stage's automations; every part is checked first (see `_rule`)."""
    with db.write() as session:
        pipeline_row = lookup.pipeline(session, pipeline)
        stage_row = lookup.stage(session, pipeline_row, stage)
        automation = Automation(
            stage_id=stage_row.saved_id,
            position=after_last(session, Automation.position, Automation.stage_id == stage_row.id),
            **_rule(session, pipeline_row, trigger, action, **options),
        )
        session.add(automation)
        session.flush()
        return _views(session, Automation.id == automation.id)[0]


def edit_automation(db: Database, automation_id: int, trigger: str, action: str, **options: Any) -> AutomationView:
    """Change a rule in place: same id, place and run ledger (so it does not fire again in
    a visit where it already ran); the new parts are checked as `add_automation` does."""
    with db.write() as session:
        automation = _get(session, automation_id)
        pipeline_row = session.get_one(Pipeline, session.get_one(Stage, automation.stage_id).pipeline_id)
        for field, value in _rule(session, pipeline_row, trigger, action, **options).items():
            setattr(automation, field, value)
        session.flush()
        return _views(session, Automation.id == automation.id)[0]


def _rule(
    session: Session,
    pipeline_row: Pipeline,
    trigger: str,
    action: str,
    *,
    status: int | str | None = None,
    delay_minutes: int = 0,
    required_tags: Sequence[str] = (),
    keep_on_leave: bool = False,
    reentry: str = "every",
    **values: Any,
) -> dict[str, Any]:
    """The parts of a rule for a stage of `pipeline_row`, checked, as its columns hold them.

    `values` are the action's parameters by their keys in the registry (template=,
    saved_list=, days=, text=...); one the action does not use is refused."""
    reentry = check_reentry(reentry)
    if trigger not in AUTOMATION_TRIGGERS:
        raise StudioflowError(f"a trigger is one of {', '.join(AUTOMATION_TRIGGERS)}, not {trigger!r}")
    spec = actions.get(action)
    if not 0 <= delay_minutes <= MAX_DELAY_MINUTES:
        raise StudioflowError("a delay is between 0 and 365 days")
    if delay_minutes and not spec.channel:
        raise StudioflowError("only messages can be delayed")
    if spec.moves and trigger in ("complete", "skip"):
        raise StudioflowError("a job can be moved on entering a stage or on a status, not while it is leaving one")
    actions.check_kind(spec, pipeline_row)
    if pipeline_row.kind != "jobs" and trigger == "status":
        raise StudioflowError(
            f"a status trigger is for job pipelines; {pipeline_row.name!r} tracks {pipeline_row.kind}"
        )
    return {
        "trigger": trigger,
        "status_id": _trigger_status(session, trigger, status),
        "action": action,
        "params": actions.check_params(session, spec, pipeline_row, values),
        "delay_minutes": delay_minutes,
        "required_tags": [lookup.clean_name(t, "a tag").casefold() for t in required_tags],
        "keep_on_leave": keep_on_leave,
        "reentry": reentry,
    }


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
        pipeline_row, stage_row = lookup.narrow_rows(session, pipeline, stage)
        conditions: list[Any] = []
        if pipeline_row is not None:
            conditions.append(Stage.pipeline_id == pipeline_row.id)
        if stage_row is not None:
            conditions.append(Automation.stage_id == stage_row.id)
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
        rows = in_order(session, Automation, Automation.stage_id == automation.stage_id)
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
        spec = actions.REGISTRY.get(automation.action)  # None: a rule from a newer studioflow
        target = "" if spec is None else spec.target_of(session, automation.params)
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


def _summary(automation: Automation, status: JobStatus | None, target: str) -> str:
    when = {"enter": "on entering", "complete": "on completing", "skip": "on skipping"}.get(
        automation.trigger, f"on status {status.name if status else '?'!r}"
    )
    spec = actions.REGISTRY.get(automation.action)
    what = f"{automation.action} (an action this version does not know)" if spec is None else spec.describe(target)
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

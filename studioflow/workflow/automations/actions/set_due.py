"""set_due: the job is due some days after the automation fires."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from studioflow.workflow.automations.actions.base import Action, Firing, register
from studioflow.workflow.automations.actions.common import days_param

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _setup(_session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    from studioflow.workflow import lookup

    lookup.check_days(values["days"], "a due date")
    return {"days": values["days"]}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Job, utcnow
    from studioflow.workflow.automations.automations import Effect

    job = firing.subject
    if not isinstance(job, Job):
        return Effect("not run: set_due is for jobs only")
    job.due_on = date.today() + timedelta(days=int(firing.params.get("days", 0)))
    job.updated_at = utcnow()
    return Effect(f"due date set to {job.due_on.isoformat()}")


register(
    Action(
        name="set_due",
        label="set the job's due date",
        word="due date",
        order=50,
        setup=_setup,
        run=_run,
        target=lambda _session, params: f"+{params.get('days', 0)} days",
        describe=lambda target: f"set due {target}",
        params=(
            days_param(
                "set_due: due N days after it fires",
                needs="a number of days, 0 or more",
                ask="Due how many days after it fires?",
                default="7",
            ),
        ),
        kinds=("jobs",),  # due dates are a job's
    )
)

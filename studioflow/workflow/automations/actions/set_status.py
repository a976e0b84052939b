"""set_status: give the job a status (which may fire the stage's status automations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.workflow.automations.actions.base import Action, Firing, Param, register

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store import Database
    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _choices(db: Database, _pipeline_id: int) -> list[tuple[str, int]]:
    from studioflow.workflow.people import clients

    return [(s.name, s.id) for s in clients.list_statuses(db)]


def _setup(session: Session, _pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    from studioflow.workflow import lookup

    return {"status_id": lookup.status(session, values["to_status"]).id}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Job, JobStatus, utcnow
    from studioflow.workflow.automations.automations import Effect, status_changed

    job = firing.subject
    if not isinstance(job, Job):
        return Effect("not run: set_status is for jobs only")
    status = firing.session.get(JobStatus, firing.params.get("status_id"))
    if status is None:
        return Effect("not run: its status was deleted")
    job.status_id = status.id
    job.updated_at = utcnow()
    firing.session.flush()
    status_changed(firing.session, job, firing.depth + 1)
    return Effect(f"status set to {status.name!r}")


def _target(session: Session, params: Mapping[str, Any]) -> str:
    from studioflow.store.models import JobStatus

    status = session.get(JobStatus, params.get("status_id"))
    return "(deleted status)" if status is None else status.name


register(
    Action(
        name="set_status",
        label="set the job's status",
        word="status",
        order=40,
        setup=_setup,
        run=_run,
        target=_target,
        describe=lambda target: f"set status {target!r}",
        params=(
            Param(
                "to_status",
                "status to set",
                "--to-status",
                "set_status: the status to set",
                needs="the status to set",
                metavar="S",
                ask="Set which status?",
                choices=_choices,
                empty="no job statuses yet",
            ),
        ),
        kinds=("jobs",),  # statuses are a job's
    )
)

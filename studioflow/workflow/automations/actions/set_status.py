"""set_status: give the job a status (which may fire the stage's status automations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.workflow.automations.actions.base import Action, Firing, Param, Record, register

if TYPE_CHECKING:
    from studioflow.store import Database
    from studioflow.workflow.automations.automations import Effect


def _choices(db: Database, _pipeline_id: int) -> list[tuple[str, int]]:
    from studioflow.workflow.people import clients

    return [(s.name, s.id) for s in clients.list_statuses(db)]


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


register(
    Action(
        "set_status", "set the job's status", word="status", order=40, kinds=("jobs",),  # statuses are a job's
        run=_run, describe=lambda target: f"set status {target!r}",
        params=(
            Param("to_status", "set_status: the status to set", noun="status to set", metavar="S",
                  needs="the status to set",
                  record=Record("JobStatus", "status", "status_id", "(deleted status)"),
                  ask="Set which status?", choices=_choices, empty="no job statuses yet"),
        ),
    )
)  # fmt: skip

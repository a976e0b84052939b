"""archive: the job is archived (hidden from the board); a tracked card is taken off its pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.workflow.automations.actions.base import Action, Firing, register

if TYPE_CHECKING:
    from studioflow.workflow.automations.automations import Effect


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import utcnow
    from studioflow.workflow.automations.automations import Effect, untrack
    from studioflow.workflow.jobs import subjects
    from studioflow.workflow.jobs.subjects import Tracked

    job = firing.subject
    if isinstance(job, Tracked):
        untrack(firing.session, job)
        return Effect(f"{subjects.NOUN[job.kind]} taken off the pipeline")
    job.archived = True
    job.updated_at = utcnow()
    return Effect("job archived")


register(
    Action(
        name="archive",
        label="archive the job (or take the card off its pipeline)",
        word="archive",
        order=70,
        setup=lambda _session, _pipeline, _values: {},
        run=_run,
        target=lambda _session, _params: "",
        describe=lambda _target: "archive the job",
    )
)

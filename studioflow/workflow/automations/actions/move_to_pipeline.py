"""move_to_pipeline: the card goes on to another pipeline of its kind (its first stage, or one named)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from studioflow.errors import StudioflowError
from studioflow.workflow.automations.actions.base import Action, Firing, Param, register

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store import Database
    from studioflow.store.models import Pipeline
    from studioflow.workflow.automations.automations import Effect


def _choices(db: Database, pipeline_id: int) -> list[tuple[str, int]]:
    from studioflow.workflow.jobs import pipelines

    return [(p.name, p.id) for p in pipelines.list_pipelines(db) if p.id != pipeline_id]


def _setup(session: Session, pipeline: Pipeline, values: dict[str, Any]) -> dict[str, Any]:
    from studioflow.workflow import lookup

    target = lookup.pipeline(session, values["to_pipeline"])
    if target.id == pipeline.id:
        raise StudioflowError("move_to_pipeline moves a job to another pipeline, not its own")
    if target.kind != pipeline.kind:
        raise StudioflowError(f"{target.name!r} tracks {target.kind}; move_to_pipeline stays with {pipeline.kind}")
    stage = values["to_stage"]
    return {"pipeline_id": target.id, "stage_id": None if stage is None else lookup.stage(session, target, stage).id}


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Pipeline
    from studioflow.workflow import lookup
    from studioflow.workflow.automations.automations import Effect, transition
    from studioflow.workflow.jobs import subjects
    from studioflow.workflow.jobs.subjects import Tracked

    session, job = firing.session, firing.subject
    pipeline = session.get(Pipeline, firing.params.get("pipeline_id"))
    if pipeline is None:
        return Effect("not run: its pipeline was deleted")
    if isinstance(job, Tracked):
        if pipeline.kind != job.kind:
            return Effect(f"not run: {pipeline.name!r} is a pipeline of {pipeline.kind}")
        there = Tracked(job.kind, job.id, pipeline.saved_id, job.title)
        if subjects.active_visit(session, there) is not None:
            return Effect(f"not run: already on {pipeline.name}")
    stages = lookup.ordered_stages(session, pipeline.saved_id)
    wanted = firing.params.get("stage_id")
    target = next((s for s in stages if s.id == wanted), stages[0] if stages else None)
    if target is None:
        return Effect(f"not run: pipeline {pipeline.name!r} has no stages")
    transition(session, job, "completed", target, depth=firing.depth + 1)
    return Effect(f"moved to {pipeline.name} › {target.name}")


def _target(session: Session, params: Mapping[str, Any]) -> str:
    from studioflow.store.models import Pipeline, Stage

    pipeline = session.get(Pipeline, params.get("pipeline_id"))
    stage = session.get(Stage, params.get("stage_id")) if params.get("stage_id") else None
    if pipeline is None:
        return "(deleted pipeline)"
    return pipeline.name + (f" › {stage.name}" if stage else "")


register(
    Action(
        name="move_to_pipeline",
        label="move the job to another pipeline",
        word="move",
        order=60,
        setup=_setup,
        run=_run,
        target=_target,
        describe=lambda target: f"move to {target}",
        params=(
            Param(
                "to_pipeline",
                "pipeline",
                "--to-pipeline",
                "move_to_pipeline: where to",
                needs="the pipeline to move to",
                metavar="P",
                ask="Move to which pipeline?",
                choices=_choices,
                empty="there is no other pipeline",
            ),
            Param("to_stage", "stage", "--to-stage", "move_to_pipeline: which stage (default: first)", metavar="S"),
        ),
        moves=True,
    )
)

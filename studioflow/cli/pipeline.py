"""`studioflow pipeline …` and `studioflow stage …`: the boards and their columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import PIPELINE, STAGE, stage_names
from studioflow.cli.frame import Section
from studioflow.cli.params import ON_OFF, POSITIVE, OneOf, new_place
from studioflow.cli.services import pipelines, reads
from studioflow.store import Database
from studioflow.store.choices import PIPELINE_KINDS

if TYPE_CHECKING:
    from studioflow.workflow.views import PipelineView


pipeline = Section("pipeline", help="pipelines (kanban boards) and their stages")


@pipeline.command("add", help="add a pipeline")
@click.argument("name")
@click.option("--stage", "stages", multiple=True, metavar="S", help="a stage, in order (repeat)")
@click.option("--for", "kind", type=OneOf(PIPELINE_KINDS), default="jobs", help="what its cards are")
def add_pipeline(db: Database, name: str, stages: tuple[str, ...], kind: str) -> PipelineView:
    return pipelines.create_pipeline(db, name, list(stages), kind)


@pipeline.command("default", help="make every new client, event or invoice enter this pipeline (on/off)")
@PIPELINE
@click.argument("state", type=ON_OFF)
def default_for_new(db: Database, pipeline: str, state: str) -> PipelineView:
    return pipelines.set_default_for_new(db, pipeline, state == "on")


pipeline.calls(
    "list",
    "list pipelines",
    click.option("--all", "include_archived", is_flag=True, help="include archived pipelines"),
    service=lambda: reads.list_pipelines,
)


pipeline.calls("show", "show a pipeline's stages", PIPELINE, service=lambda: reads.get_pipeline)


pipeline.calls(
    "rename", "rename a pipeline", PIPELINE, click.argument("name"), service=lambda: pipelines.rename_pipeline
)


pipeline.calls("move", "reorder pipelines", PIPELINE, new_place("first"), service=lambda: pipelines.move_pipeline)


pipeline.calls(
    "delete",
    "delete a pipeline that holds no jobs",
    PIPELINE,
    service=lambda: pipelines.delete_pipeline,
    said="pipeline {pipeline!r} deleted",
)


stage = Section("stage", help="stages (columns) of a pipeline")


stage.calls(
    "add",
    "add a stage",
    PIPELINE,
    click.argument("name"),
    click.option("--at", type=POSITIVE, metavar="N", help="place, 1 = first column (default: last)"),
    click.option("--wait", type=int, metavar="DAYS", help="days a job usually waits here"),
    service=lambda: pipelines.add_stage,
)


stage.calls("rename", "rename a stage", PIPELINE, STAGE, click.argument("name"), service=lambda: pipelines.rename_stage)


@stage.command("wait", help="set how many days a job usually waits in a stage", one_of=[("days", "clear")])
@PIPELINE
@STAGE
@click.argument("days", type=int, required=False, metavar="DAYS")
@click.option("--clear", is_flag=True, help="no wait")
def stage_wait(db: Database, pipeline: str, stage: str, days: int | None, clear: bool) -> PipelineView:
    return pipelines.set_stage_wait(db, pipeline, stage, None if clear else days)


stage.calls("move", "reorder a stage", PIPELINE, STAGE, new_place("first column"), service=lambda: pipelines.move_stage)


stage.calls(
    "delete",
    "delete a stage (its jobs move to --jobs-to)",
    PIPELINE,
    STAGE,
    click.option(
        "--jobs-to", metavar="S", shell_complete=stage_names, help="the stage that receives the deleted stage's jobs"
    ),
    service=lambda: pipelines.delete_stage,
)

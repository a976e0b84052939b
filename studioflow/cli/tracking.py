"""The job verbs for a client, an event or an invoice standing on a pipeline of its kind
(`client track`, `event advance`, `invoice move`...): one set of commands, made for each kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import pipeline_names, stage_names
from studioflow.cli.services import tracking
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.workflow.views import TrackView


def tracking_commands(group: click.Group, kind: str) -> None:
    noun = kind[:-1]
    ref = click.argument("ref", metavar=noun.upper())
    on_pipeline = click.option(
        "--pipeline", metavar="P", shell_complete=pipeline_names, help="needed when it stands on several"
    )

    @group.command("track", help=f"put a {noun} on a {noun} pipeline (its first stage unless --stage)")
    @ref
    @click.option("--pipeline", required=True, metavar="P", shell_complete=pipeline_names)
    @click.option("--stage", metavar="S", shell_complete=stage_names)
    def track(db: Database, ref: str, pipeline: str, stage: str | None) -> TrackView:
        return tracking.track(db, kind, ref, pipeline, stage)

    for verb, text in (
        ("advance", "complete its stage and enter the next"),
        ("skip", "skip its stage and enter the next"),
        ("untrack", "take it off a pipeline (its history stays)"),
    ):
        # The service is looked up when the command runs: building the commands loads no ORM.
        def step(db: Database, ref: str, pipeline: str | None, verb: str = verb) -> TrackView:
            return getattr(tracking, verb)(db, kind, ref, pipeline)

        group.command(verb, help=f"{noun}: {text}")(ref(on_pipeline(step)))

    @group.command("move", help=f"move a {noun} to a stage")
    @ref
    @click.option("--to", required=True, metavar="S", shell_complete=stage_names)
    @on_pipeline
    def move(db: Database, ref: str, to: str, pipeline: str | None) -> TrackView:
        return tracking.move_to(db, kind, ref, to, pipeline)

    @group.command("pipeline", help=f"move a {noun} to another {noun} pipeline")
    @ref
    @click.argument("to_pipeline", metavar="TO_PIPELINE", shell_complete=pipeline_names)
    @click.option("--stage", metavar="S", shell_complete=stage_names, help="default: the pipeline's first stage")
    @click.option(
        "--pipeline", metavar="P", shell_complete=pipeline_names, help="the one it leaves, when it stands on several"
    )
    def to_pipeline(db: Database, ref: str, to_pipeline: str, stage: str | None, pipeline: str | None) -> TrackView:
        return tracking.move_to_pipeline(db, kind, ref, to_pipeline, stage, pipeline)

    @group.command("pipelines", help=f"the {noun}'s pipelines and history")
    @ref
    def pipelines(db: Database, ref: str) -> list[TrackView]:
        return tracking.get_tracks(db, kind, ref)

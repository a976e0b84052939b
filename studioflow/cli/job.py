"""`studioflow job …`: a client's piece of paid work, moving through a pipeline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from studioflow.cli.complete import (
    JOB,
    ON_CLIENT,
    ON_PIPELINE,
    ON_STAGE,
    pipeline_names,
    stage_names,
    status_names,
)
from studioflow.cli.frame import Section
from studioflow.cli.params import DATE, dry_run_option, no_automations_option, stacked
from studioflow.cli.services import jobs, reads
from studioflow.errors import StudioflowError
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.workflow.views import JobView

# The job's next stage, completing (advance) or skipping (skip) the one it is in.
NEXT_STAGE = stacked(JOB, dry_run_option, no_automations_option)


job = Section("job", help="jobs: a client's piece of paid work, moving through a pipeline")


@job.command("add", help="add a job to a pipeline (its first stage unless --stage)")
@click.argument("title")
@click.option("--pipeline", required=True, metavar="P", shell_complete=pipeline_names)
@ON_CLIENT
@ON_STAGE
@click.option("--due", type=DATE, metavar="YYYY-MM-DD")
def add_job(
    db: Database, title: str, pipeline: str, client: str | None, stage: str | None, due: date | None
) -> JobView:
    return jobs.add_job(db, title, pipeline, client=client, stage=stage, due_on=due)


job.calls(
    "list",
    "list jobs in board order",
    ON_PIPELINE,
    click.option("--stage", metavar="S", shell_complete=stage_names, help="only this stage (needs --pipeline)"),
    click.option("--all", "include_archived", is_flag=True, help="include archived jobs"),
    service=lambda: reads.list_jobs,
)


job.calls("show", "show a job and its stage history", JOB, service=lambda: reads.get_job)


job.calls("archive", "archive a job (hidden from the board)", JOB, service=lambda: jobs.archive)


job.calls("unarchive", "bring an archived job back", JOB, service=lambda: jobs.unarchive)


# advance and skip differ only in the job service they call, which has the verb's name; it is
# looked up when the command runs, so building the commands loads no ORM (as cli/tracking.py does).
for verb, text in (
    ("advance", "complete the job's stage and enter the next"),
    ("skip", "skip the job's stage and enter the next"),
):

    def step(db: Database, job: str, no_automations: bool, verb: str = verb) -> JobView:
        return getattr(jobs, verb)(db, job, automations_on=not no_automations)

    job.command(verb, help=text)(NEXT_STAGE(step))


@job.command("move", help="move a job to a stage of its pipeline")
@JOB
@click.option("--to", required=True, metavar="S", shell_complete=stage_names)
@dry_run_option
@no_automations_option
def move(db: Database, job: str, to: str, no_automations: bool) -> JobView:
    return jobs.move_to(db, job, to, automations_on=not no_automations)


@job.command("status", help="set (or --clear) a job's status")
@dry_run_option
@JOB
@click.argument("status", required=False, shell_complete=status_names)
@click.option("--clear", is_flag=True)
def set_status(db: Database, job: str, status: str | None, clear: bool) -> JobView:
    if clear == (status is not None):
        raise StudioflowError("give either a status or --clear")
    return jobs.set_status(db, job, None if clear else status)


@job.command("due", help="set (or --clear) a job's due date")
@JOB
@click.argument("due", required=False, type=DATE, metavar="YYYY-MM-DD")
@click.option("--clear", is_flag=True)
def set_due(db: Database, job: str, due: date | None, clear: bool) -> JobView:
    if clear == (due is not None):
        raise StudioflowError("give either a due date or --clear")
    return jobs.set_due(db, job, due)


job.calls(
    "pipeline",
    "move a job to another pipeline",
    JOB,
    click.argument("pipeline", shell_complete=pipeline_names),
    click.option("--stage", metavar="S", shell_complete=stage_names, help="default: the pipeline's first stage"),
    dry_run_option,
    service=lambda: jobs.move_to_pipeline,
)

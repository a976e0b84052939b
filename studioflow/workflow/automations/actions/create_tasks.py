"""create_tasks: the tasks of a saved task list, made for the card's job (or about the card)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from studioflow.workflow.automations.actions.base import Action, Firing, Param, Record, register

if TYPE_CHECKING:
    from studioflow.store import Database
    from studioflow.workflow.automations.automations import Effect


def _choices(db: Database, _pipeline_id: int) -> list[tuple[str, int]]:
    from studioflow.workflow.tasks import tasks

    return [(s.name, s.id) for s in tasks.list_saved_lists(db)]


def _run(firing: Firing) -> Effect:
    from studioflow.store.models import Job, SavedTaskList
    from studioflow.workflow.automations.automations import Effect
    from studioflow.workflow.jobs import journal, subjects
    from studioflow.workflow.tasks import tasklists

    session, job = firing.session, firing.subject
    saved = session.get(SavedTaskList, firing.params.get("list_id"))
    if saved is None:
        return Effect("not run: its saved task list was deleted")
    # A lead's, event's or invoice's tasks say whose they are ("Call lead — Ada").
    about = "" if isinstance(job, Job) else job.title
    job_id = subjects.job_id_of(session, job)
    made = tasklists.create_from_list(
        session, saved.saved_id, job_id, None, date.today(), run_id=firing.run.saved_id, about=about
    )
    for task in made:
        journal.note(session, "task", task.saved_id)
    return Effect(f"{len(made)} task(s) from {saved.name!r}")


register(
    Action(
        "create_tasks", "create tasks from a saved list", word="tasks", order=30,
        run=_run, describe=lambda target: f"create tasks from {target!r}",
        params=(
            Param("saved_list", "create_tasks: the saved task list", option="--list", metavar="L",
                  needs="a saved task list",
                  record=Record("SavedTaskList", "saved task list", "list_id", "(deleted list)"),
                  ask="Which saved task list?", choices=_choices, empty="no saved task lists yet"),
        ),
    )
)  # fmt: skip

"""The read path (plain sqlite3) gives the same views as the ORM, for generated databases.

The ORM side is the services' own query helpers (what the write services return) or,
for the board, every job read through the ORM and filtered and paged in Python.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from studioflow.store import Database, open_database
from studioflow.store.models import (
    Client,
    Event,
    Invoice,
    Job,
    JobStatus,
    OutboxMessage,
    Pipeline,
    Project,
    Stage,
    StageVisit,
    Task,
)
from studioflow.store.text import fold
from studioflow.workflow.automations import outbox
from studioflow.workflow.board import board, reads
from studioflow.workflow.jobs import jobs, pipelines, subjects
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import AgendaItem, JobView

WORDS = ["smith", "Smith", "wed", "Anna", "b_c", "50%", "x", "Émilie", "a!b"]
DAY0 = date(2026, 3, 2)

job_rows = st.lists(
    st.tuples(
        st.sampled_from(WORDS),  # title word
        st.integers(0, 5),  # stage index (mod the pipeline's stages)
        st.integers(0, 1),  # pipeline
        st.one_of(st.none(), st.integers(0, 2)),  # client
        st.one_of(st.none(), st.integers(0, 1)),  # status
        st.one_of(st.none(), st.integers(-3, 3)),  # due, days from DAY0
        st.integers(-3, 3),  # position (ties are ordered by id)
        st.booleans(),  # archived
    ),
    max_size=14,
)
task_rows = st.lists(
    st.tuples(
        st.integers(0, 13),  # job index (mod the jobs), or none if there are no jobs
        st.booleans(),  # for a project instead
        st.booleans(),  # done
        st.one_of(st.none(), st.integers(-3, 3)),  # due
        st.integers(0, 3),  # priority
    ),
    max_size=12,
)
event_rows = st.lists(
    st.tuples(
        st.integers(-30, 250),  # starts, hours from DAY0's midnight UTC
        st.one_of(st.none(), st.integers(0, 60)),  # lasts, hours
        st.one_of(st.none(), st.integers(0, 13)),  # job index
    ),
    max_size=6,
)
message_rows = st.lists(
    st.tuples(
        st.sampled_from(["queued", "sending", "sent", "failed", "held", "cancelled"]),
        st.integers(-2, 2),  # send_at, minutes from now (ties happen)
        st.one_of(st.none(), st.integers(0, 13)),  # job index
    ),
    max_size=8,
)


def _seed(
    db: Database, job_specs: list[Any], task_specs: list[Any], message_specs: Any = (), event_specs: Any = ()
) -> None:
    made = [
        pipelines.create_pipeline(db, "Weddings", ["Enquiry", "Booked", "Shot"]),
        pipelines.create_pipeline(db, "Portraits", ["Call", "Sitting"]),
    ]
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with db.write() as session:
        people = [Client(name=name) for name in ("Anna Smith", "Bo Wed", "Cy")]
        flags = [JobStatus(name="Waiting on documents", colour="red"), JobStatus(name="Smith check")]
        project = Project(name="Studio move")
        session.add_all([*people, *flags, project])
        session.flush()
        # Stage waits ("call after 2 days"), for the agenda's and the tasks' stage waits.
        for stage_id, wait in ((made[0].stages[1].id, 2), (made[1].stages[0].id, 0)):
            stage_row = session.get(Stage, stage_id)
            assert stage_row is not None
            stage_row.due_in_days = wait
        added: list[Job] = []
        for n, (word, stage, pipeline, client, status, due, position, archived) in enumerate(job_specs):
            stages = made[pipeline].stages
            job = Job(
                title=f"{word} job {n}",
                pipeline_id=made[pipeline].id,
                stage_id=stages[stage % len(stages)].id,
                client_id=None if client is None else people[client].id,
                status_id=None if status is None else flags[status].id,
                due_on=None if due is None else DAY0 + timedelta(days=due),
                position=position,
                archived=archived,
            )
            session.add(job)
            session.flush()
            stage_name = stages[stage % len(stages)].name
            entered = now - timedelta(days=n % 5)  # some waits are over ("overdue since")
            session.add(StageVisit(job_id=job.id, stage_id=job.stage_id, stage_name=stage_name, entered_at=entered))
            added.append(job)
        midnight = datetime.combine(DAY0, time(), UTC)
        made_events: list[Event] = []
        for n, (hours, lasts, job_index) in enumerate(event_specs):
            starts = midnight + timedelta(hours=hours)
            made_events.append(
                Event(
                    title=f"Session {n}",
                    location="Studio" if n % 2 else "",
                    job_id=None if job_index is None or not added else added[job_index % len(added)].id,
                    starts_at=starts,
                    ends_at=None if lasts is None else starts + timedelta(hours=lasts),
                )
            )
        session.add_all(made_events)
        invoice = Invoice(number="INV-1", client_id=people[2].id, issued_on=DAY0, job_id=added[0].id if added else None)
        session.add(invoice)
        session.flush()
        # Tracked cards (issue 15): leads, events and an invoice on pipelines of their kind.
        tracked: list[tuple[str, list[Any], int]] = [("clients", people, 1), ("events", made_events, 3)]
        tracked.append(("invoices", [invoice], 0))
        for position, (kind, resources, wait) in enumerate(tracked, start=2):
            pipeline = Pipeline(name=f"Follow {kind}", kind=kind, position=position)
            session.add(pipeline)
            session.flush()
            stage = Stage(pipeline_id=pipeline.id, name="Call", position=0, due_in_days=wait)
            session.add(stage)
            session.flush()
            for n, resource in enumerate(resources):
                owner = {subjects.COLUMN[kind]: resource.id, "pipeline_id": pipeline.id}
                entered = now - timedelta(days=n)
                session.add(StageVisit(**owner, stage_id=stage.id, stage_name="Call", entered_at=entered, position=n))
        for n, (state, minutes, job_index) in enumerate(message_specs):
            job_id = None if job_index is None or not added else added[job_index % len(added)].id
            session.add(
                OutboxMessage(
                    idempotency_key=f"k{n}",
                    to_addr=f"a{n}@example.com",
                    subject=f"Hello {n}",
                    job_id=job_id,
                    state=state,
                    send_at=now + timedelta(minutes=minutes),
                    sent_at=now if state == "sent" else None,
                )
            )
        for n, (job_index, for_project, done, due, priority) in enumerate(task_specs):
            owner = (
                {"project_id": project.id} if for_project or not added else {"job_id": added[job_index % len(added)].id}
            )
            session.add(
                Task(
                    title=f"Task {n}",
                    due_on=None if due is None else DAY0 + timedelta(days=due),
                    done_at=now if done else None,
                    priority=priority,
                    position=n,
                    **owner,
                )
            )


def _orm_jobs(db: Database, *conditions: Any) -> list[JobView]:
    with db.read() as session:
        return jobs._views(session, *conditions)


def _shown(view: JobView, text: str) -> bool:
    """The board filter, in Python: every word in the title, the client or the status (the one matching rule)."""
    fields = [fold(value or "") for value in (view.title, view.client, view.status)]
    return all(any(word in field for field in fields) for word in fold(text).split())


def _check_board(db: Database, text: str) -> None:
    for pipeline in pipelines.list_pipelines(db):
        if pipeline.kind != "jobs":  # tracked cards are read through the ORM (tracked_board): only the counts agree
            shown_tracked = board.board(db, pipeline.id)
            assert shown_tracked.kind == pipeline.kind
            assert [s.job_count for s in shown_tracked.columns] == [s.job_count for s in pipeline.stages]
            continue
        every = [v for v in _orm_jobs(db, Job.pipeline_id == pipeline.id, col(Job.archived).is_(False))]
        shown = board.board(db, pipeline.id, text)
        assert [s.id for s in shown.columns] == [s.id for s in pipeline.stages]
        for stage in shown.columns:
            column = [v for v in every if v.stage_id == stage.id and _shown(v, text)]
            assert stage.job_count == len(column)
            assert board.counts(db, {stage.id}, text) == {stage.id: len(column)}
            for offset, limit in ((0, 50), (1, 2), (3, 10)):
                page = board.cards(db, stage.id, offset, limit, text)
                want = column[offset : offset + limit]
                assert [(c.id, c.title, c.client, c.status, c.status_colour, c.due_on) for c in page] == [
                    (v.id, v.title, v.client, v.status, v.status_colour, v.due_on) for v in want
                ]
                assert [(c.tasks_open, c.tasks_total) for c in page] == [(v.tasks_open, v.tasks_total) for v in want]
            for index, view in enumerate(column):
                assert board.locate(db, view.id, text) == (stage.id, index)
        for view in every:
            if not _shown(view, text):
                assert board.locate(db, view.id, text) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    job_specs=job_rows,
    task_specs=task_rows,
    message_specs=message_rows,
    event_specs=event_rows,
    text=st.sampled_from(["", "smith", "SMITH wed", "b_c", "50%", "doc", "emilie", "a!b"]),
)
def test_the_read_path_and_the_orm_give_the_same_views(
    job_specs: list[Any], task_specs: list[Any], message_specs: list[Any], event_specs: list[Any], text: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "reads.db")
        try:
            _seed(db, job_specs, task_specs, message_specs, event_specs)
            with db.read() as session:
                ids = [p.id for p in session.exec(select(Pipeline).order_by(col(Pipeline.position))).all()]
                orm_pipelines = [pipelines._view(session, session.get(Pipeline, i)) for i in ids]  # type: ignore[arg-type]
                orm_tasks = tasks._views(session)
                orm_open = tasks._views(session, col(Task.done_at).is_(None), tasks.ON_LIVE_JOB)
                orm_live = tasks._views(session, tasks.ON_LIVE_JOB)
            assert reads.list_pipelines(db) == orm_pipelines
            assert reads.get_pipeline(db, "weddings") == orm_pipelines[0]
            assert reads.list_jobs(db, include_archived=True) == _orm_jobs(db)
            assert reads.list_jobs(db) == _orm_jobs(db, col(Job.archived).is_(False))
            portraits = orm_pipelines[1]
            in_sitting = _orm_jobs(db, Job.stage_id == portraits.stages[1].id, col(Job.archived).is_(False))
            assert reads.list_jobs(db, "Portraits", "sitting") == in_sitting
            for view in _orm_jobs(db):
                with db.read() as session:
                    orm_job = jobs._view(session, session.get(Job, view.id), with_history=True)  # type: ignore[arg-type]
                assert reads.get_job(db, view.id) == orm_job
            assert reads.list_tasks(db, include_done=True, include_archived=True) == orm_tasks
            assert reads.list_tasks(db, include_done=True) == orm_live
            assert reads.list_tasks(db) == orm_open
            _check_board(db, text)
            _check_outbox_and_clients(db)
            _check_task_views(db, orm_tasks, {t.id for t in orm_live})
            now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
            for days in (0, 1, 7):
                assert reads.agenda(db, DAY0, days, now) == _orm_agenda(db, DAY0, days, now)
            with db.read() as session:
                orm_waits = [text for _, text, _ in _orm_stage_waits(session, DAY0, DAY0)]
            assert reads.waits_due(db, DAY0) == orm_waits
        finally:
            db.close()


def _check_outbox_and_clients(db: Database) -> None:
    order = reads.OUTBOX_STATE_ORDER
    with db.read() as session:
        rows = session.exec(select(OutboxMessage)).all()
        views = [outbox._view(m, outbox._job_title(session, m)) for m in rows]
        orm_clients = [clients._client_view(c) for c in session.exec(select(Client)).all()]

    def shown(view: Any) -> tuple[Any, ...]:  # waiting ones by send time (NULL first, as SQL sorts), then newest
        waiting = view.state in ("queued", "sending")
        return (order.index(view.state), (1, view.send_at) if waiting else (0,), -view.id)

    assert reads.list_messages(db) == sorted(views, key=shown)
    assert (
        reads.list_messages(db, ["held", "queued"], limit=3)
        == sorted([v for v in views if v.state in ("held", "queued")], key=shown)[:3]
    )
    for view in views:
        assert reads.get_message(db, view.id) == view
    assert reads.list_clients(db) == sorted(orm_clients, key=lambda c: (c.name.lower(), c.id))


def _check_task_views(db: Database, every: list[Any], live: set[int]) -> None:
    """Each task view holds the tasks its rule picks (kept ones too) of live jobs (or none),
    with each group's progress."""
    end = DAY0 + timedelta(days=tasks.UPCOMING_DAYS)
    rules = {
        "today": lambda t: not t.done and t.due_on is not None and t.due_on <= DAY0,
        "overdue": lambda t: not t.done and t.due_on is not None and t.due_on < DAY0,
        "upcoming": lambda t: not t.done and t.due_on is not None and DAY0 < t.due_on <= end,
        "open": lambda t: not t.done,
        "done": lambda t: t.done,
        "all": lambda t: True,
    }
    keep = {t.id for t in every[::3]}
    for view, rule in rules.items():
        shown = tasks.task_list(db, view, today=DAY0, keep=keep)
        got = sorted(t.id for g in shown.groups for t in g.tasks)
        assert got == sorted(t.id for t in every if (rule(t) or t.id in keep) and t.id in live), view
        for group in shown.groups:
            owned = [t for t in every if reads.owner_key(t.job_id, t.project_id) == (group.kind, group.id or 0)]
            assert (group.done, group.total) == (sum(t.done for t in owned), len(owned))


def _orm_agenda(db: Database, today: date, days: int, now: datetime) -> list[AgendaItem]:
    """The agenda as the ORM read it before the read path (with issue 14's archived jobs left out)."""
    last = today + timedelta(days=days)
    start, end = reads.local_midnight(today), reads.local_midnight(last + timedelta(days=1))
    items: list[AgendaItem] = []
    with db.read() as session:
        events = session.exec(
            select(Event, Job.title)
            .join(Job, col(Job.id) == Event.job_id, isouter=True)
            .where(col(Event.starts_at) < end, (col(Event.ends_at) >= start) | (col(Event.starts_at) >= start))
            .where(tasks.ON_LIVE_JOB)
        ).all()
        for event, job_title in events:
            where = f" @ {event.location}" if event.location else ""
            for_job = f" ({job_title})" if job_title else ""
            items.append(AgendaItem(event.starts_at, False, "event", f"{event.title}{where}{for_job}", event.job_id))
        due_tasks = session.exec(
            select(Task, Job.title)
            .join(Job, col(Job.id) == Task.job_id, isouter=True)
            .where(col(Task.done_at).is_(None), col(Task.due_on) >= today, col(Task.due_on) <= last, tasks.ON_LIVE_JOB)
        ).all()
        for task, job_title in due_tasks:
            for_job = f" ({job_title})" if job_title else ""
            at = reads.local_midnight(task.due_on)  # type: ignore[arg-type]
            items.append(AgendaItem(at, True, "task", f"{task.title}{for_job}", task.job_id))
        due_jobs = session.exec(
            select(Job, Stage.name)
            .join(Stage, col(Stage.id) == Job.stage_id)
            .where(col(Job.archived).is_(False), col(Job.due_on) >= today, col(Job.due_on) <= last)
        ).all()
        for job, stage in due_jobs:
            at = reads.local_midnight(job.due_on)  # type: ignore[arg-type]
            items.append(AgendaItem(at, True, "job", f"{job.title} ({stage})", job.id))
        for day, text, job_id in _orm_stage_waits(session, today, last):
            items.append(AgendaItem(reads.local_midnight(day), True, "wait", text, job_id))
        messages = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.state == "queued", col(OutboxMessage.send_at) > now, col(OutboxMessage.send_at) < end
            )
        ).all()
        for message in messages:
            what = message.subject or message.body.split("\n", 1)[0][:60]
            text = f"{message.channel} to {message.to_addr}: {what}"
            items.append(AgendaItem(message.send_at, False, "message", text, message.job_id))
    return sorted(items, key=lambda i: (i.at.astimezone().date(), not i.all_day, i.at))


def _orm_stage_waits(session: Any, today: date, last: date) -> list[tuple[date, str, int | None]]:
    """The stage waits as the ORM read them in issue 15, before the read path."""
    visits = session.exec(
        select(StageVisit, Stage.due_in_days, Pipeline.name)
        .join(Stage, col(Stage.id) == StageVisit.stage_id)
        .join(Pipeline, col(Pipeline.id) == Stage.pipeline_id)
        .join(Job, col(Job.id) == StageVisit.job_id, isouter=True)
        .where(StageVisit.state == "active", col(Stage.due_in_days).is_not(None), col(Job.archived).is_not(True))
        .order_by(col(StageVisit.id))
    ).all()
    found = []
    for visit, wait, pipeline in visits:
        ends = visit.entered_at.astimezone().date() + timedelta(days=wait)
        if ends > last:
            continue
        subject = subjects.of_visit(session, visit)
        if subject is None:
            continue
        late = f", overdue since {ends.isoformat()}" if ends < today else ""
        text = f"{subject.title} — {visit.stage_name} ({pipeline}{late})"
        found.append((max(ends, today), text, subjects.job_id_of(session, subject)))
    return found


def test_a_read_inside_a_write_sees_that_write(db: Database) -> None:
    """Services that read after writing (and dry runs) read their own transaction."""
    pipeline = pipelines.create_pipeline(db, "Weddings", ["Enquiry", "Booked"])
    with db.dry_run():
        jobs.add_job(db, "Smith wedding", pipeline.id)
        assert [j.title for j in reads.list_jobs(db)] == ["Smith wedding"]
    assert reads.list_jobs(db) == []

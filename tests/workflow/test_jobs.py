"""Jobs: adding them, moving them through stages and pipelines, and the history that leaves."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.people import clients
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import JobView, PipelineView, VisitView, to_json
from tests.conftest import outside

Refused = Callable[..., str]


def stage_id(view: PipelineView, name: str) -> int:
    return next(s.id for s in view.stages if s.name == name)


def steps(job: JobView) -> list[tuple[str, str]]:
    """A job's history as (stage name, state) pairs, in order."""
    return [(v.stage, v.state) for v in job.history]


def visit_rows(db: Database, job_id: int) -> list[tuple[int | None, str, str, bool]]:
    """(stage_id, stage_name, state, left) of a job's visits, read from the file in id order."""
    with db.rows() as conn:
        query = "SELECT stage_id, stage_name, state, left_at IS NOT NULL FROM stage_visit WHERE job_id = ? ORDER BY id"
        return [(a, b, c, bool(d)) for a, b, c, d in conn.execute(query, (job_id,))]


def assert_well_timed(history: tuple[VisitView, ...]) -> None:
    for visit in history:
        assert visit.entered_at.tzinfo is not None
        if visit.state == "active":
            assert visit.left_at is None
        else:
            assert visit.left_at is not None
            assert visit.left_at >= visit.entered_at
    for before, after in itertools.pairwise(history):
        assert before.left_at is not None
        assert after.entered_at >= before.left_at


def fresh(db: Database, job: JobView) -> JobView:
    """The job as a new read sees it, without history (as the move services return it)."""
    (listed,) = [j for j in jobs.list_jobs(db, include_archived=True) if j.id == job.id]
    return listed


# add_job


def test_add_job_enters_the_first_stage(db: Database, wedding: PipelineView) -> None:
    before = datetime.now(UTC)
    view = jobs.add_job(db, "  Smith wedding  ", "wedding")
    assert view.title == "Smith wedding"
    assert (view.pipeline_id, view.pipeline) == (wedding.id, "Wedding")
    assert (view.stage_id, view.stage) == (stage_id(wedding, "Inquiry"), "Inquiry")
    assert (view.client_id, view.client, view.status, view.due_on, view.archived) == (None, None, None, None, False)
    assert (view.tasks_open, view.tasks_total) == (0, 0)
    assert fresh(db, view) == view
    stored = jobs.get_job(db, view.id)
    assert len(stored.history) == 1
    (visit,) = stored.history
    assert (visit.stage_id, visit.stage, visit.state, visit.left_at) == (view.stage_id, "Inquiry", "active", None)
    assert before <= visit.entered_at <= datetime.now(UTC)
    assert visit_rows(db, view.id) == [(view.stage_id, "Inquiry", "active", False)]


def test_add_job_with_stage_client_and_due_date(db: Database, wedding: PipelineView) -> None:
    client = clients.add_client(db, "Ann Smith")
    view = jobs.add_job(db, "Smith", wedding.id, client="ann SMITH", stage="shoot", due_on=date(2025, 6, 1))
    assert (view.stage, view.client_id, view.client, view.due_on) == ("Shoot", client.id, "Ann Smith", date(2025, 6, 1))
    assert fresh(db, view) == view
    assert steps(jobs.get_job(db, view.id)) == [("Shoot", "active")]


def test_add_job_by_stage_and_client_id(db: Database, wedding: PipelineView) -> None:
    client = clients.add_client(db, "Ann Smith")
    view = jobs.add_job(db, "Smith", str(wedding.id), client=client.id, stage=stage_id(wedding, "Edit"))
    assert (view.stage, view.client) == ("Edit", "Ann Smith")


def column(db: Database, pipeline: PipelineView, stage: str) -> list[str]:
    return [j.title for j in jobs.list_jobs(db, pipeline.id, stage)]


def test_a_job_arriving_in_a_column_goes_on_top(db: Database, wedding: PipelineView) -> None:
    first = jobs.add_job(db, "First", wedding.id)
    second = jobs.add_job(db, "Second", wedding.id)
    assert second.position < first.position
    assert column(db, wedding, "Inquiry") == ["Second", "First"]
    jobs.add_job(db, "Third", wedding.id, stage="Booked")
    moved = jobs.advance(db, first.id)
    assert column(db, wedding, "Booked") == ["First", "Third"]
    back = jobs.move_to(db, moved.id, "Inquiry")
    assert back.position < second.position
    assert column(db, wedding, "Inquiry") == ["First", "Second"]


@pytest.mark.parametrize(
    ("title", "kwargs", "match"),
    [
        ("", {}, "empty"),
        ("  ", {}, "empty"),
        ("Two\nlines", {}, "single line"),
        ("Smith", {"pipeline": "Portraits"}, "no pipeline 'Portraits'"),
        ("Smith", {"stage": "Prepare"}, "no stage 'Prepare' in pipeline 'Wedding'"),
        ("Smith", {"stage": "Nowhere"}, "no stage 'Nowhere'"),
        ("Smith", {"client": "Nobody"}, "no client 'Nobody'"),
        ("Smith", {"client": 999}, "no client '999'"),
    ],
)
def test_add_job_refusals(
    db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView, title: str, kwargs: dict, match: str
) -> None:
    kwargs = {"pipeline": "Wedding", **kwargs}
    refused(jobs.add_job, db, title, match=match, **kwargs)


def test_add_job_refuses_a_stage_of_another_pipeline_by_id(
    db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView
) -> None:
    refused(jobs.add_job, db, "Smith", wedding.id, stage=stage_id(tax, "Prepare"), match="no stage")


def test_add_job_refuses_a_pipeline_without_stages(db: Database, refused: Refused) -> None:
    pipelines.create_pipeline(db, "Empty")
    refused(jobs.add_job, db, "Smith", "Empty", match="no stages")


# advance


def test_advance_completes_the_stage_and_enters_the_next(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    view = jobs.advance(db, job.id)
    assert (view.stage_id, view.stage) == (stage_id(wedding, "Booked"), "Booked")
    assert view.history == ()
    assert fresh(db, view) == view
    stored = jobs.get_job(db, "Smith")
    assert steps(stored) == [("Inquiry", "completed"), ("Booked", "active")]
    assert_well_timed(stored.history)
    assert visit_rows(db, job.id) == [
        (stage_id(wedding, "Inquiry"), "Inquiry", "completed", True),
        (stage_id(wedding, "Booked"), "Booked", "active", False),
    ]


def test_advance_to_the_last_stage_then_refuse(db: Database, refused: Refused, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    for _ in range(4):
        job = jobs.advance(db, job.id)
    assert job.stage == "Deliver"
    assert steps(jobs.get_job(db, job.id)) == [
        ("Inquiry", "completed"),
        ("Booked", "completed"),
        ("Shoot", "completed"),
        ("Edit", "completed"),
        ("Deliver", "active"),
    ]
    refused(jobs.advance, db, job.id, match="last stage")


def test_advance_refusals(db: Database, refused: Refused, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    refused(jobs.advance, db, 999, match="no job '999'")
    refused(jobs.advance, db, "Jones", match="no job 'Jones'")
    refused(jobs.advance, db, "", match="no job given")
    jobs.archive(db, job.id)
    refused(jobs.advance, db, job.id, match="archived")


# skip


def test_skip_records_the_stage_skipped(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Booked")
    view = jobs.skip(db, job.id)
    assert view.stage == "Shoot"
    assert fresh(db, view) == view
    stored = jobs.get_job(db, job.id)
    assert steps(stored) == [("Booked", "skipped"), ("Shoot", "active")]
    assert_well_timed(stored.history)


def test_skip_refusals(db: Database, refused: Refused, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Deliver")
    refused(jobs.skip, db, job.id, match="last stage")
    refused(jobs.skip, db, "Jones", match="no job")
    other = jobs.add_job(db, "Jones", wedding.id)
    jobs.archive(db, other.id)
    refused(jobs.skip, db, other.id, match="archived")


# move_to


def test_move_forward_completes_the_stage_and_skips_those_passed(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Booked")
    view = jobs.move_to(db, job.id, "deliver")
    assert (view.stage_id, view.stage) == (stage_id(wedding, "Deliver"), "Deliver")
    assert fresh(db, view) == view
    stored = jobs.get_job(db, job.id)
    assert steps(stored) == [
        ("Booked", "completed"),
        ("Shoot", "skipped"),
        ("Edit", "skipped"),
        ("Deliver", "active"),
    ]
    names = ("Booked", "Shoot", "Edit", "Deliver")
    assert [v.stage_id for v in stored.history] == [stage_id(wedding, n) for n in names]
    assert_well_timed(stored.history)
    for passed in stored.history[1:3]:
        assert passed.entered_at == passed.left_at


def test_move_forward_one_stage_is_like_advance(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    jobs.move_to(db, job.id, stage_id(wedding, "Booked"))
    assert steps(jobs.get_job(db, job.id)) == [("Inquiry", "completed"), ("Booked", "active")]


def test_move_backward_skips_the_stage_and_visits_the_earlier_one_again(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    jobs.advance(db, job.id)
    jobs.advance(db, job.id)
    view = jobs.move_to(db, job.id, "Inquiry")
    assert (view.stage_id, view.stage) == (stage_id(wedding, "Inquiry"), "Inquiry")
    assert fresh(db, view) == view
    stored = jobs.get_job(db, job.id)
    assert steps(stored) == [
        ("Inquiry", "completed"),
        ("Booked", "completed"),
        ("Shoot", "skipped"),
        ("Inquiry", "active"),
    ]
    assert_well_timed(stored.history)
    # and forward again from there: the second visit of Booked is a new one
    jobs.advance(db, job.id)
    assert steps(jobs.get_job(db, job.id))[-2:] == [("Inquiry", "completed"), ("Booked", "active")]
    assert len(visit_rows(db, job.id)) == 5


def test_move_to_refusals(db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Shoot")
    refused(jobs.move_to, db, job.id, "shoot", match="already at stage 'Shoot'")
    refused(jobs.move_to, db, job.id, stage_id(wedding, "Shoot"), match="already at stage")
    refused(jobs.move_to, db, job.id, "Prepare", match="no stage 'Prepare' in pipeline 'Wedding'")
    refused(jobs.move_to, db, job.id, stage_id(tax, "Prepare"), match="no stage")
    refused(jobs.move_to, db, job.id, "Nowhere", match="no stage 'Nowhere'")
    refused(jobs.move_to, db, "Jones", "Edit", match="no job 'Jones'")
    jobs.archive(db, job.id)
    refused(jobs.move_to, db, job.id, "Edit", match="archived")


# move_to_pipeline


def test_move_to_pipeline_enters_its_first_stage(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Shoot")
    view = jobs.move_to_pipeline(db, job.id, "TAX RETURN")
    assert (view.pipeline_id, view.pipeline) == (tax.id, "Tax return")
    assert (view.stage_id, view.stage) == (stage_id(tax, "Intake"), "Intake")
    assert fresh(db, view) == view
    stored = jobs.get_job(db, job.id)
    assert [(v.stage_id, v.stage, v.state) for v in stored.history] == [
        (stage_id(wedding, "Shoot"), "Shoot", "completed"),
        (stage_id(tax, "Intake"), "Intake", "active"),
    ]
    assert_well_timed(stored.history)
    assert [j.title for j in jobs.list_jobs(db, tax.id)] == ["Smith"]
    assert jobs.list_jobs(db, wedding.id) == []
    assert {s.name: s.job_count for s in pipelines.get_pipeline(db, tax.id).stages}["Intake"] == 1
    assert sum(s.job_count for s in pipelines.get_pipeline(db, wedding.id).stages) == 0


def test_move_to_pipeline_at_a_given_stage(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    view = jobs.move_to_pipeline(db, job.id, tax.id, stage="file")
    assert (view.pipeline, view.stage) == ("Tax return", "File")
    assert steps(jobs.get_job(db, job.id)) == [("Inquiry", "completed"), ("File", "active")]
    # and it moves within its new pipeline from there
    back = jobs.move_to(db, job.id, "Intake")
    assert back.stage == "Intake"


def test_move_to_pipeline_refusals(db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView) -> None:
    pipelines.create_pipeline(db, "Empty")
    job = jobs.add_job(db, "Smith", wedding.id)
    refused(jobs.move_to_pipeline, db, job.id, "wedding", match="already in pipeline 'Wedding'")
    refused(jobs.move_to_pipeline, db, job.id, "Portraits", match="no pipeline 'Portraits'")
    refused(jobs.move_to_pipeline, db, job.id, "Empty", match="no stages")
    refused(jobs.move_to_pipeline, db, job.id, tax.id, stage="Shoot", match="no stage 'Shoot' in pipeline 'Tax return'")
    refused(jobs.move_to_pipeline, db, job.id, tax.id, stage=stage_id(wedding, "Shoot"), match="no stage")
    refused(jobs.move_to_pipeline, db, "Jones", tax.id, match="no job")
    jobs.archive(db, job.id)
    refused(jobs.move_to_pipeline, db, job.id, tax.id, match="archived")


# set_status / set_due


def test_set_and_clear_status(db: Database, refused: Refused, wedding: PipelineView) -> None:
    clients.add_status(db, "Waiting on documents", "red")
    job = jobs.add_job(db, "Smith", wedding.id)
    view = jobs.set_status(db, job.id, "waiting on DOCUMENTS")
    assert (view.status, view.status_colour) == ("Waiting on documents", "red")
    assert fresh(db, view) == view
    refused(jobs.set_status, db, job.id, "Nope", match="no status 'Nope'")
    cleared = jobs.set_status(db, job.id, None)
    assert (cleared.status, cleared.status_colour) == (None, None)
    assert fresh(db, cleared) == cleared
    refused(jobs.set_status, db, "Jones", None, match="no job")


def test_set_status_does_not_move_the_job(db: Database, wedding: PipelineView) -> None:
    status = clients.add_status(db, "Blocked")
    job = jobs.add_job(db, "Smith", wedding.id)
    jobs.set_status(db, job.id, status.id)
    assert steps(jobs.get_job(db, job.id)) == [("Inquiry", "active")]


def test_set_and_clear_due_date(db: Database, refused: Refused, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    view = jobs.set_due(db, "Smith", date(2026, 1, 31))
    assert view.due_on == date(2026, 1, 31)
    assert fresh(db, view).due_on == date(2026, 1, 31)
    assert jobs.set_due(db, job.id, None).due_on is None
    assert fresh(db, view).due_on is None
    refused(jobs.set_due, db, "Jones", None, match="no job")


# edit_job


def test_edit_job(db: Database, refused: Refused, wedding: PipelineView) -> None:
    ann = clients.add_client(db, "Ann")
    job = jobs.add_job(db, "Smith", wedding.id, client=ann.id, due_on=date(2025, 1, 1), stage="Shoot")
    bob = clients.add_client(db, "Bob")
    view = jobs.edit_job(db, job.id, "  Smith & Jones ", "bob", date(2025, 2, 2))
    assert (view.title, view.client_id, view.client, view.due_on) == ("Smith & Jones", bob.id, "Bob", date(2025, 2, 2))
    assert (view.stage, view.position) == ("Shoot", job.position)
    assert fresh(db, view) == view
    cleared = jobs.edit_job(db, "Smith & Jones", "Smith & Jones", None, None)
    assert (cleared.client, cleared.due_on) == (None, None)
    assert fresh(db, view) == cleared
    assert steps(jobs.get_job(db, job.id)) == [("Shoot", "active")]
    refused(jobs.edit_job, db, job.id, " ", None, None, match="empty")
    refused(jobs.edit_job, db, job.id, "New", "Carol", None, match="no client 'Carol'")
    refused(jobs.edit_job, db, "Nobody", "New", None, None, match="no job")


# reorder


def test_reorder_swaps_with_the_neighbour(db: Database, refused: Refused, wedding: PipelineView) -> None:
    for title in ("C", "B", "A"):
        jobs.add_job(db, title, wedding.id)
    assert column(db, wedding, "Inquiry") == ["A", "B", "C"]
    view = jobs.reorder(db, "A", 1)
    assert column(db, wedding, "Inquiry") == ["B", "A", "C"]
    assert fresh(db, view) == view
    jobs.reorder(db, "A", 1)
    assert column(db, wedding, "Inquiry") == ["B", "C", "A"]
    jobs.reorder(db, "C", -1)
    assert column(db, wedding, "Inquiry") == ["C", "B", "A"]
    refused(jobs.reorder, db, "C", -1, match="already first")
    refused(jobs.reorder, db, "A", 1, match="already last")
    refused(jobs.reorder, db, "B", 2, match="one place")
    refused(jobs.reorder, db, "B", 0, match="one place")
    refused(jobs.reorder, db, "Nobody", 1, match="no job")
    jobs.archive(db, "B")
    refused(jobs.reorder, db, "B", 1, match="archived")
    # an archived card in between is not a neighbour
    jobs.reorder(db, "C", 1)
    assert column(db, wedding, "Inquiry") == ["A", "C"]
    assert [j.title for j in jobs.list_jobs(db, wedding.id, "Inquiry", include_archived=True)] == ["A", "B", "C"]


def _set_position(db: Database, position: int, *titles: str) -> None:
    with outside(db) as conn:
        conn.executemany("UPDATE job SET position = ? WHERE title = ?", [(position, t) for t in titles])


@pytest.mark.parametrize(
    ("card", "offset", "expected"),
    [
        ("A", 1, ["B", "A", "C", "D"]),
        ("B", 1, ["A", "C", "B", "D"]),
        ("C", 1, ["A", "B", "D", "C"]),
        ("B", -1, ["B", "A", "C", "D"]),
        ("C", -1, ["A", "C", "B", "D"]),
        ("D", -1, ["A", "B", "D", "C"]),
    ],
)
def test_reorder_among_cards_of_equal_position_moves_one_place(
    db: Database, wedding: PipelineView, card: str, offset: int, expected: list[str]
) -> None:
    for title in ("A", "B", "C", "D"):
        jobs.add_job(db, title, wedding.id)
    # Cards written by an import or an older version can share a position; ids order them.
    _set_position(db, 7, "A", "B", "C")
    _set_position(db, 8, "D")
    assert column(db, wedding, "Inquiry") == ["A", "B", "C", "D"]
    jobs.reorder(db, card, offset)
    assert column(db, wedding, "Inquiry") == expected


# archive / unarchive


def test_archive_and_unarchive(db: Database, refused: Refused, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    other = jobs.add_job(db, "Jones", wedding.id)
    archived = jobs.archive(db, job.id)
    assert archived.archived
    assert [j.title for j in jobs.list_jobs(db)] == ["Jones"]
    assert [j.title for j in jobs.list_jobs(db, include_archived=True)] == ["Jones", "Smith"]
    assert jobs.get_job(db, job.id).archived
    refused(jobs.archive, db, job.id, match="already archived")
    assert steps(jobs.get_job(db, job.id)) == [("Inquiry", "active")]

    restored = jobs.unarchive(db, job.id)
    assert not restored.archived
    assert [j.title for j in jobs.list_jobs(db)] == ["Jones", "Smith"]
    refused(jobs.unarchive, db, other.id, match="not archived")
    refused(jobs.archive, db, "Nobody", match="no job")
    assert jobs.advance(db, job.id).stage == "Booked"


# get_job / list_jobs


def test_get_job_by_id_or_title(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith wedding", wedding.id)
    assert jobs.get_job(db, job.id).id == job.id
    assert jobs.get_job(db, str(job.id)).id == job.id
    assert jobs.get_job(db, " Smith wedding ").id == job.id


def test_get_job_by_title_ignores_case(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith wedding", wedding.id)
    assert jobs.get_job(db, "SMITH WEDDING").id == job.id


def test_get_job_with_a_shared_title_asks_for_the_id(db: Database, wedding: PipelineView) -> None:
    first = jobs.add_job(db, "Smith", wedding.id)
    second = jobs.add_job(db, "Smith", wedding.id)
    with pytest.raises(StudioflowError, match=rf"2 jobs are named 'Smith'.*\({first.id}, {second.id}\)"):
        jobs.get_job(db, "Smith")


@pytest.mark.parametrize("ref", ["", "  ", "999", 999, "Jones", "-1", "1.0", "²", "9" * 30])
def test_get_job_refuses_unknown_refs_with_a_studioflow_error(
    db: Database, wedding: PipelineView, ref: int | str
) -> None:
    jobs.add_job(db, "Smith", wedding.id)
    with pytest.raises(StudioflowError, match="job"):
        jobs.get_job(db, ref)


def test_list_jobs_in_board_order(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    jobs.add_job(db, "T1", tax.id, stage="File")
    jobs.add_job(db, "W-edit", wedding.id, stage="Edit")
    jobs.add_job(db, "W1", wedding.id)
    jobs.add_job(db, "T2", tax.id)
    jobs.add_job(db, "W2", wedding.id)
    assert [j.title for j in jobs.list_jobs(db)] == ["W2", "W1", "W-edit", "T2", "T1"]
    pipelines.move_pipeline(db, tax.id, 1)
    assert [j.title for j in jobs.list_jobs(db)] == ["T2", "T1", "W2", "W1", "W-edit"]
    assert [j.title for j in jobs.list_jobs(db, "wedding")] == ["W2", "W1", "W-edit"]
    assert [j.title for j in jobs.list_jobs(db, "wedding", "inquiry")] == ["W2", "W1"]
    pipelines.move_stage(db, wedding.id, "Edit", 1)
    assert [j.title for j in jobs.list_jobs(db, "wedding")] == ["W-edit", "W2", "W1"]
    assert [j.title for j in jobs.list_jobs(db, tax.id, stage_id(tax, "File"))] == ["T1"]
    assert jobs.list_jobs(db, tax.id, "Prepare") == []


def test_list_jobs_refusals(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    with pytest.raises(StudioflowError, match="only meaningful with its pipeline"):
        jobs.list_jobs(db, stage="Inquiry")
    with pytest.raises(StudioflowError, match="no pipeline"):
        jobs.list_jobs(db, "Portraits")
    with pytest.raises(StudioflowError, match="no stage 'Prepare'"):
        jobs.list_jobs(db, wedding.id, "Prepare")


def test_job_views_count_their_tasks(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    other = jobs.add_job(db, "Jones", wedding.id)
    tasks.add_task(db, "Call", job=job.id)
    done = tasks.add_task(db, "Email", job=job.id)
    tasks.add_task(db, "Unrelated", job=other.id)
    tasks.complete_task(db, done.id)
    assert (fresh(db, job).tasks_open, fresh(db, job).tasks_total) == (1, 2)
    advanced = jobs.advance(db, job.id)
    assert (advanced.tasks_open, advanced.tasks_total) == (1, 2)
    assert (fresh(db, other).tasks_open, fresh(db, other).tasks_total) == (1, 1)


# views.to_json


def test_a_job_as_json(db: Database, wedding: PipelineView) -> None:
    clients.add_client(db, "Ann")
    job = jobs.add_job(db, "Smith", wedding.id, client="Ann", due_on=date(2025, 6, 1))
    jobs.skip(db, job.id)
    data = to_json(jobs.get_job(db, job.id))
    assert json.loads(json.dumps(data)) == data
    assert (data["title"], data["client"], data["stage"], data["due_on"]) == ("Smith", "Ann", "Booked", "2025-06-01")
    assert [(v["stage"], v["state"]) for v in data["history"]] == [("Inquiry", "skipped"), ("Booked", "active")]
    first = data["history"][0]
    assert datetime.fromisoformat(first["left_at"]) >= datetime.fromisoformat(first["entered_at"])
    assert datetime.fromisoformat(first["entered_at"]).tzinfo is not None
    assert data["history"][1]["left_at"] is None
    assert to_json([fresh(db, job), fresh(db, job)]) == [to_json(fresh(db, job))] * 2

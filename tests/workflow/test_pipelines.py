"""Pipelines and stages: create, rename, reorder, delete."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Automation, Pipeline
from studioflow.workflow import lookup
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.views import PipelineView, StageView

from .conftest import TAX_STAGES

Refused = Callable[..., str]


def stage_names(view: PipelineView) -> list[str]:
    return [s.name for s in view.stages]


def stage_rows(db: Database, pipeline_id: int) -> list[tuple[str, int]]:
    """(name, position) of a pipeline's stages straight from the file, in column order."""
    with db.rows() as conn:
        query = "SELECT name, position FROM stage WHERE pipeline_id = ? ORDER BY position, id"
        return conn.execute(query, (pipeline_id,)).fetchall()


def stage_id(view: PipelineView, name: str) -> int:
    return next(s.id for s in view.stages if s.name == name)


def set_archived(db: Database, pipeline_id: int) -> None:
    with db.write() as session:
        session.get_one(Pipeline, pipeline_id).archived = True


# create_pipeline


def test_create_pipeline(db: Database) -> None:
    view = pipelines.create_pipeline(db, "  Wedding  ", ["  Inquiry ", "Booked", "Shoot"])
    assert view.name == "Wedding"
    assert not view.archived
    ids = [s.id for s in view.stages]
    assert view.stages == (
        StageView(ids[0], "Inquiry", 0, None, 0),
        StageView(ids[1], "Booked", 1, None, 0),
        StageView(ids[2], "Shoot", 2, None, 0),
    )
    assert pipelines.get_pipeline(db, view.id) == view
    assert pipelines.list_pipelines(db) == [view]
    assert stage_rows(db, view.id) == [("Inquiry", 0), ("Booked", 1), ("Shoot", 2)]


def test_create_pipeline_without_stages(db: Database) -> None:
    view = pipelines.create_pipeline(db, "Empty")
    assert view.stages == ()
    assert pipelines.get_pipeline(db, "empty") == view


def test_new_pipelines_go_last(db: Database, wedding: PipelineView) -> None:
    tax = pipelines.create_pipeline(db, "Tax return", TAX_STAGES)
    assert tax.position > wedding.position
    assert [p.name for p in pipelines.list_pipelines(db)] == ["Wedding", "Tax return"]


@pytest.mark.parametrize(
    ("name", "stages", "match"),
    [
        ("", (), "empty"),
        ("   ", (), "empty"),
        ("x" * 201, (), "too long"),
        ("Two\nlines", (), "single line"),
        ("Tab\there", (), "single line"),
        ("Fine", ("Inquiry", " "), "empty"),
        ("Fine", ("Inquiry", "Shoot", "SHOOT"), "twice"),
        ("Fine", ("Inquiry", "x" * 201), "too long"),
    ],
)
def test_create_pipeline_refuses_bad_names(
    db: Database, refused: Refused, name: str, stages: tuple[str, ...], match: str
) -> None:
    refused(pipelines.create_pipeline, db, name, stages, match=match)


def test_a_name_of_200_characters_is_accepted(db: Database) -> None:
    assert pipelines.create_pipeline(db, "x" * 200).name == "x" * 200


@pytest.mark.parametrize("name", ["Wedding", "wedding", "WEDDING", " wEdDiNg "])
def test_create_pipeline_refuses_a_taken_name(db: Database, refused: Refused, wedding: PipelineView, name: str) -> None:
    refused(pipelines.create_pipeline, db, name, ["A"], match="already exists")


def test_create_pipeline_refuses_a_taken_name_in_another_case_beyond_ascii(db: Database, refused: Refused) -> None:
    pipelines.create_pipeline(db, "Ärger")
    refused(pipelines.create_pipeline, db, "ärger", match="already exists")


# rename_pipeline


@pytest.mark.parametrize("ref", ["Wedding", "wedding", "WEDDING"])
def test_rename_pipeline_by_name(db: Database, wedding: PipelineView, ref: str) -> None:
    view = pipelines.rename_pipeline(db, ref, " Weddings ")
    assert view.name == "Weddings"
    assert view.id == wedding.id
    assert view.stages == wedding.stages
    assert pipelines.get_pipeline(db, wedding.id).name == "Weddings"


def test_rename_pipeline_by_id(db: Database, wedding: PipelineView) -> None:
    assert pipelines.rename_pipeline(db, wedding.id, "Portraits").name == "Portraits"
    assert pipelines.rename_pipeline(db, str(wedding.id), "Events").name == "Events"
    assert [p.name for p in pipelines.list_pipelines(db)] == ["Events"]


def test_rename_pipeline_to_another_case_of_its_own_name(db: Database, wedding: PipelineView) -> None:
    assert pipelines.rename_pipeline(db, wedding.id, "WEDDING").name == "WEDDING"
    assert pipelines.get_pipeline(db, wedding.id).name == "WEDDING"


def test_rename_pipeline_refusals(db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView) -> None:
    refused(pipelines.rename_pipeline, db, "Portraits", "New", match="no pipeline 'Portraits'")
    refused(pipelines.rename_pipeline, db, 999, "New", match="no pipeline '999'")
    refused(pipelines.rename_pipeline, db, "", "New", match="no pipeline given")
    refused(pipelines.rename_pipeline, db, wedding.id, "  ", match="empty")
    refused(pipelines.rename_pipeline, db, wedding.id, "tax RETURN", match="already exists")


# move_pipeline


def test_move_pipeline(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    third = pipelines.create_pipeline(db, "Portraits")
    views = pipelines.move_pipeline(db, "portraits", 1)
    assert [v.name for v in views] == ["Portraits", "Wedding", "Tax return"]
    assert [p.name for p in pipelines.list_pipelines(db)] == ["Portraits", "Wedding", "Tax return"]
    views = pipelines.move_pipeline(db, third.id, 3)
    assert [v.name for v in views] == ["Wedding", "Tax return", "Portraits"]
    assert [p.name for p in pipelines.list_pipelines(db)] == ["Wedding", "Tax return", "Portraits"]
    assert [p.position for p in pipelines.list_pipelines(db)] == [0, 1, 2]


@pytest.mark.parametrize("place", [0, -1, 3])
def test_move_pipeline_refuses_a_bad_place(
    db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView, place: int
) -> None:
    refused(pipelines.move_pipeline, db, wedding.id, place, match="between 1 and 2")


def test_move_pipeline_refuses_an_unknown_pipeline(db: Database, refused: Refused, wedding: PipelineView) -> None:
    refused(pipelines.move_pipeline, db, "Portraits", 1, match="no pipeline")


# delete_pipeline


def test_delete_pipeline_takes_its_stages_and_automations(
    db: Database, dump: Callable[[], dict], wedding: PipelineView, tax: PipelineView
) -> None:
    with db.write() as session:
        session.add(Automation(stage_id=stage_id(tax, "Intake"), action="create_tasks"))
    pipelines.delete_pipeline(db, "TAX return")
    assert pipelines.list_pipelines(db) == [pipelines.get_pipeline(db, wedding.id)]
    assert stage_rows(db, tax.id) == []
    assert dump()["automation"] == []
    with pytest.raises(StudioflowError, match="no pipeline"):
        pipelines.get_pipeline(db, tax.id)


def test_delete_pipeline_refuses_one_with_jobs(
    db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView
) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    refused(pipelines.delete_pipeline, db, wedding.id, match="1 job")
    jobs.archive(db, job.id)
    refused(pipelines.delete_pipeline, db, wedding.id, match="archived ones included")


def test_delete_pipeline_refuses_an_unknown_pipeline(db: Database, refused: Refused, wedding: PipelineView) -> None:
    refused(pipelines.delete_pipeline, db, "Portraits", match="no pipeline 'Portraits'")


def test_delete_pipeline_keeps_the_history_of_jobs_that_left_it(
    db: Database, wedding: PipelineView, tax: PipelineView
) -> None:
    job = jobs.add_job(db, "Smith", tax.id)
    jobs.move_to_pipeline(db, job.id, wedding.id)
    pipelines.delete_pipeline(db, tax.id)
    history = jobs.get_job(db, job.id).history
    assert [(v.stage_id, v.stage, v.state) for v in history] == [
        (None, "Intake", "completed"),
        (stage_id(wedding, "Inquiry"), "Inquiry", "active"),
    ]
    assert db.health() == []


# list_pipelines / get_pipeline


def test_list_pipelines_hides_archived_ones_unless_asked(
    db: Database, wedding: PipelineView, tax: PipelineView
) -> None:
    set_archived(db, tax.id)
    assert [p.name for p in pipelines.list_pipelines(db)] == ["Wedding"]
    listed = pipelines.list_pipelines(db, include_archived=True)
    assert [(p.name, p.archived) for p in listed] == [("Wedding", False), ("Tax return", True)]


def test_first_pipeline_is_the_first_unarchived_one(db: Database) -> None:
    with db.read() as session:
        assert lookup.first_pipeline(session) is None
    first = pipelines.create_pipeline(db, "First")
    second = pipelines.create_pipeline(db, "Second")
    pipelines.move_pipeline(db, second.id, 1)
    with db.read() as session:
        assert lookup.first_pipeline(session).id == second.id  # type: ignore[union-attr]
    set_archived(db, second.id)
    with db.read() as session:
        assert lookup.first_pipeline(session).id == first.id  # type: ignore[union-attr]


def test_get_pipeline_by_id_or_name(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    assert pipelines.get_pipeline(db, wedding.id) == wedding
    assert pipelines.get_pipeline(db, str(tax.id)) == tax
    assert pipelines.get_pipeline(db, "tax return") == tax
    assert pipelines.get_pipeline(db, " TAX RETURN ") == tax


@pytest.mark.parametrize("ref", ["Portraits", "999", 999, "", "Wed"])
def test_get_pipeline_refuses_unknown_refs(db: Database, wedding: PipelineView, ref: int | str) -> None:
    with pytest.raises(StudioflowError, match="pipeline"):
        pipelines.get_pipeline(db, ref)


def test_a_pipeline_named_like_a_number_is_found_by_name(db: Database) -> None:
    view = pipelines.create_pipeline(db, "2024", ["Only"])
    assert view.id != 2024
    assert pipelines.get_pipeline(db, "2024") == view


def test_stage_job_counts_leave_out_archived_jobs(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    jobs.add_job(db, "A", wedding.id)
    jobs.add_job(db, "B", wedding.id)
    shoot = jobs.add_job(db, "C", wedding.id, stage="Shoot")
    jobs.add_job(db, "D", tax.id)
    jobs.archive(db, jobs.add_job(db, "E", wedding.id).id)
    counts = {s.name: s.job_count for s in pipelines.get_pipeline(db, wedding.id).stages}
    assert counts == {"Inquiry": 2, "Booked": 0, "Shoot": 1, "Edit": 0, "Deliver": 0}
    jobs.advance(db, shoot.id)
    counts = {s.name: s.job_count for s in pipelines.get_pipeline(db, wedding.id).stages}
    assert counts == {"Inquiry": 2, "Booked": 0, "Shoot": 0, "Edit": 1, "Deliver": 0}


# add_stage


def test_add_stage_goes_last_by_default(db: Database, tax: PipelineView) -> None:
    view = pipelines.add_stage(db, "tax return", " Archive ", due_in_days=30)
    assert stage_names(view) == [*TAX_STAGES, "Archive"]
    assert view.stages[-1].due_in_days == 30
    assert view.stages[-1].position == 3
    assert pipelines.get_pipeline(db, tax.id) == view
    assert stage_rows(db, tax.id) == [("Intake", 0), ("Prepare", 1), ("File", 2), ("Archive", 3)]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (1, ["Review", "Intake", "Prepare", "File"]),
        (2, ["Intake", "Review", "Prepare", "File"]),
        (4, ["Intake", "Prepare", "File", "Review"]),
    ],
)
def test_add_stage_at_a_place(db: Database, tax: PipelineView, place: int, expected: list[str]) -> None:
    view = pipelines.add_stage(db, tax.id, "Review", place=place)
    assert stage_names(view) == expected
    assert stage_rows(db, tax.id) == [(name, i) for i, name in enumerate(expected)]


def test_add_stage_to_an_empty_pipeline(db: Database) -> None:
    empty = pipelines.create_pipeline(db, "Empty")
    view = pipelines.add_stage(db, empty.id, "First", place=1)
    assert stage_names(view) == ["First"]


def test_a_stage_name_may_repeat_in_another_pipeline(db: Database, wedding: PipelineView, tax: PipelineView) -> None:
    view = pipelines.add_stage(db, tax.id, "shoot")
    assert stage_names(view)[-1] == "shoot"


@pytest.mark.parametrize(
    ("pipeline", "name", "kwargs", "match"),
    [
        ("Tax return", "", {}, "empty"),
        ("Tax return", "Two\nlines", {}, "single line"),
        ("Tax return", "PREPARE", {}, "already has a stage named 'Prepare'"),
        ("Tax return", "Review", {"place": 0}, "between 1 and 4"),
        ("Tax return", "Review", {"place": 5}, "between 1 and 4"),
        ("Tax return", "Review", {"place": -2}, "between 1 and 4"),
        ("Tax return", "Review", {"due_in_days": -1}, "negative"),
        ("Portraits", "Review", {}, "no pipeline 'Portraits'"),
    ],
)
def test_add_stage_refusals(
    db: Database, refused: Refused, tax: PipelineView, pipeline: str, name: str, kwargs: dict, match: str
) -> None:
    refused(pipelines.add_stage, db, pipeline, name, match=match, **kwargs)


# rename_stage


def test_rename_stage(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Shoot")
    view = pipelines.rename_stage(db, "wedding", "SHOOT", " Session ")
    assert stage_names(view) == ["Inquiry", "Booked", "Session", "Edit", "Deliver"]
    assert stage_id(view, "Session") == stage_id(wedding, "Shoot")
    assert pipelines.get_pipeline(db, wedding.id) == view
    assert jobs.get_job(db, job.id).stage == "Session"


def test_rename_stage_by_id_to_another_case_of_its_own_name(db: Database, wedding: PipelineView) -> None:
    view = pipelines.rename_stage(db, wedding.id, stage_id(wedding, "Edit"), "EDIT")
    assert stage_names(pipelines.get_pipeline(db, wedding.id)) == ["Inquiry", "Booked", "Shoot", "EDIT", "Deliver"]
    assert stage_names(view) == stage_names(pipelines.get_pipeline(db, wedding.id))


def test_rename_stage_refusals(db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView) -> None:
    refused(pipelines.rename_stage, db, wedding.id, "Shoot", "booked", match="already has a stage named 'Booked'")
    refused(pipelines.rename_stage, db, wedding.id, "Shoot", " ", match="empty")
    refused(pipelines.rename_stage, db, wedding.id, "Prepare", "New", match="no stage 'Prepare' in pipeline 'Wedding'")
    refused(pipelines.rename_stage, db, wedding.id, stage_id(tax, "File"), "New", match="no stage")
    refused(pipelines.rename_stage, db, "Portraits", "Shoot", "New", match="no pipeline")


# set_stage_wait


def test_set_and_clear_a_stage_wait(db: Database, refused: Refused, tax: PipelineView) -> None:
    view = pipelines.set_stage_wait(db, "tax return", "prepare", 2)
    assert [s.due_in_days for s in view.stages] == [None, 2, None]
    assert pipelines.get_pipeline(db, tax.id) == view
    assert pipelines.set_stage_wait(db, tax.id, stage_id(tax, "Prepare"), 0).stages[1].due_in_days == 0
    cleared = pipelines.set_stage_wait(db, tax.id, "Prepare", None)
    assert [s.due_in_days for s in cleared.stages] == [None, None, None]
    assert pipelines.get_pipeline(db, tax.id) == cleared
    refused(pipelines.set_stage_wait, db, tax.id, "Prepare", -1, match="negative")
    refused(pipelines.set_stage_wait, db, tax.id, "Shoot", 1, match="no stage 'Shoot'")
    refused(pipelines.set_stage_wait, db, "Portraits", "Prepare", 1, match="no pipeline")


# move_stage


def test_move_stage(db: Database, wedding: PipelineView) -> None:
    view = pipelines.move_stage(db, wedding.id, "deliver", 1)
    expected = ["Deliver", "Inquiry", "Booked", "Shoot", "Edit"]
    assert stage_names(view) == expected
    assert stage_rows(db, wedding.id) == [(name, i) for i, name in enumerate(expected)]
    view = pipelines.move_stage(db, wedding.id, stage_id(wedding, "Inquiry"), 5)
    assert stage_names(view) == ["Deliver", "Booked", "Shoot", "Edit", "Inquiry"]
    assert stage_names(pipelines.get_pipeline(db, wedding.id)) == stage_names(view)


def test_move_stage_changes_what_advance_means(db: Database, wedding: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id)
    pipelines.move_stage(db, wedding.id, "Shoot", 2)
    assert jobs.advance(db, job.id).stage == "Shoot"


@pytest.mark.parametrize(
    ("stage", "place", "match"),
    [("Shoot", 0, "between 1 and 5"), ("Shoot", 6, "between 1 and 5"), ("Intake", 1, "no stage 'Intake'")],
)
def test_move_stage_refusals(
    db: Database, refused: Refused, wedding: PipelineView, stage: str, place: int, match: str
) -> None:
    refused(pipelines.move_stage, db, wedding.id, stage, place, match=match)


# delete_stage


def test_delete_an_empty_stage(db: Database, wedding: PipelineView, dump: Callable[[], dict]) -> None:
    with db.write() as session:
        session.add(Automation(stage_id=stage_id(wedding, "Booked"), action="send_email"))
    view = pipelines.delete_stage(db, wedding.id, "booked")
    assert stage_names(view) == ["Inquiry", "Shoot", "Edit", "Deliver"]
    assert stage_rows(db, wedding.id) == [("Inquiry", 0), ("Shoot", 1), ("Edit", 2), ("Deliver", 3)]
    assert pipelines.get_pipeline(db, wedding.id) == view
    assert dump()["automation"] == []


def test_delete_stage_moves_its_jobs_and_keeps_their_history(
    db: Database, wedding: PipelineView, tax: PipelineView
) -> None:
    shoot = stage_id(wedding, "Shoot")
    edit = stage_id(wedding, "Edit")
    standing = jobs.add_job(db, "Standing", wedding.id, stage="Shoot")
    archived = jobs.add_job(db, "Archived", wedding.id, stage="Shoot")
    jobs.archive(db, archived.id)
    passed = jobs.add_job(db, "Passed", wedding.id, stage="Booked")
    jobs.advance(db, passed.id)  # Booked -> Shoot
    jobs.advance(db, passed.id)  # Shoot -> Edit
    other = jobs.add_job(db, "Other", tax.id)

    view = pipelines.delete_stage(db, wedding.id, "Shoot", jobs_to="Edit")

    assert stage_names(view) == ["Inquiry", "Booked", "Edit", "Deliver"]
    assert {s.name: s.job_count for s in view.stages}["Edit"] == 2  # the archived one is not counted
    for job_id in (standing.id, archived.id):
        job = jobs.get_job(db, job_id)
        assert (job.stage_id, job.stage) == (edit, "Edit")
        assert [(v.stage_id, v.stage, v.state) for v in job.history] == [
            (None, "Shoot", "skipped"),
            (edit, "Edit", "active"),
        ]
        assert job.history[0].left_at is not None
        assert job.history[1].entered_at >= job.history[0].left_at
    assert jobs.get_job(db, archived.id).archived
    history = jobs.get_job(db, passed.id).history
    assert [(v.stage_id, v.stage, v.state) for v in history] == [
        (stage_id(wedding, "Booked"), "Booked", "completed"),
        (None, "Shoot", "completed"),
        (edit, "Edit", "active"),
    ]
    assert jobs.get_job(db, other.id).history[0].stage == "Intake"
    with db.rows() as conn:
        assert conn.execute("SELECT count(*) FROM stage WHERE id = ?", (shoot,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM stage_visit WHERE stage_id = ?", (shoot,)).fetchone()[0] == 0
    assert db.health() == []


def test_delete_stage_with_a_target_but_no_jobs(db: Database, wedding: PipelineView) -> None:
    view = pipelines.delete_stage(db, wedding.id, "Edit", jobs_to="Deliver")
    assert stage_names(view) == ["Inquiry", "Booked", "Shoot", "Deliver"]


def test_delete_stage_refusals(db: Database, refused: Refused, wedding: PipelineView, tax: PipelineView) -> None:
    job = jobs.add_job(db, "Smith", wedding.id, stage="Shoot")
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", match="holds 1 job")
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", jobs_to="shoot", match="same stage")
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", jobs_to="Nowhere", match="no stage 'Nowhere'")
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", jobs_to="Prepare", match="no stage 'Prepare'")
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", jobs_to=stage_id(tax, "Prepare"), match="no stage")
    refused(pipelines.delete_stage, db, wedding.id, "Nowhere", match="no stage 'Nowhere'")
    refused(pipelines.delete_stage, db, "Portraits", "Shoot", match="no pipeline")
    jobs.archive(db, job.id)
    refused(pipelines.delete_stage, db, wedding.id, "Shoot", match="holds 1 job")

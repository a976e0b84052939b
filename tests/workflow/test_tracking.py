"""Clients (leads) on a client pipeline: moves, history, automations once per visit, undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import agenda
from studioflow.workflow.tasks import tasks
from studioflow.workflow.views import PipelineView
from tests.conftest import outside

LEAD_STAGES = ("Email Lead", "Call Lead After 2 Days", "Reattempt Call After 4 Days", "Send Final Email")


@pytest.fixture
def leads(db: Database, private_config: Path) -> Database:
    # Messages due at once: what a move queues stays queued when the next move comes right after.
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text("[outbox]\nsend_delay_seconds = 0\n")
    with db.write():
        pipelines.create_pipeline(db, "Leads", LEAD_STAGES, kind="clients")
        pipelines.create_pipeline(db, "Nurture", ("Monthly", "Quarterly"), kind="clients")
        pipelines.create_pipeline(db, "Wedding", ("Inquiry", "Booked"))
        clients.add_client(db, "Ada Lovelace", email="ada@example.com", tags=["lead"])
        clients.add_client(db, "Ben Okafor", email="ben@example.com")
        templates.create_template(db, "Hello lead", "email", "Hi {{ client.first_name }}", "From {{ stage.name }}")
        tasks.create_saved_list(db, "Call", [("Call lead", 2)])
    return db


def rows(db: Database, sql: str, *args: object) -> list[tuple[object, ...]]:
    with db.rows() as conn:
        return conn.execute(sql, args).fetchall()


def visits(db: Database) -> list[tuple[object, ...]]:
    return rows(db, "SELECT client_id, pipeline_id, stage_name, state FROM stage_visit ORDER BY id")


def test_a_pipeline_has_a_kind_and_jobs_stay_the_default(leads: Database) -> None:
    kinds = {p.name: p.kind for p in pipelines.list_pipelines(leads)}
    assert kinds == {"Leads": "clients", "Nurture": "clients", "Wedding": "jobs"}
    with pytest.raises(StudioflowError, match="one of jobs, clients, events, invoices"):
        pipelines.create_pipeline(leads, "Odd", ("A",), kind="people")


def test_a_lead_walks_the_four_stages_and_its_history_records_each(leads: Database) -> None:
    view = tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    assert (view.stage, view.tracked) == ("Email Lead", True)
    tracking.advance(leads, "clients", "Ada Lovelace")
    tracking.skip(leads, "clients", "Ada Lovelace")
    view = tracking.advance(leads, "clients", "Ada Lovelace")
    assert view.stage == "Send Final Email"
    (shown,) = tracking.get_tracks(leads, "clients", "Ada Lovelace")
    assert [(v.stage, v.state) for v in shown.history] == [
        ("Email Lead", "completed"),
        ("Call Lead After 2 Days", "skipped"),
        ("Reattempt Call After 4 Days", "completed"),
        ("Send Final Email", "active"),
    ]
    with pytest.raises(StudioflowError, match="last stage"):
        tracking.advance(leads, "clients", "Ada Lovelace")


def test_move_to_records_the_stages_passed_and_a_move_back_skips(leads: Database) -> None:
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    tracking.move_to(leads, "clients", "Ada Lovelace", "Send Final Email")
    tracking.move_to(leads, "clients", "Ada Lovelace", "Email Lead")
    assert [v[2:] for v in visits(leads)] == [
        ("Email Lead", "completed"),
        ("Call Lead After 2 Days", "skipped"),
        ("Reattempt Call After 4 Days", "skipped"),
        ("Send Final Email", "skipped"),
        ("Email Lead", "active"),
    ]


def test_a_client_stands_once_on_each_pipeline_of_its_kind_and_the_database_says_so(leads: Database) -> None:
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    tracking.track(leads, "clients", "Ada Lovelace", "Nurture")
    with pytest.raises(StudioflowError, match="already on 'Leads'"):
        tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    with pytest.raises(StudioflowError, match="on 2 pipelines"):
        tracking.advance(leads, "clients", "Ada Lovelace")
    tracking.advance(leads, "clients", "Ada Lovelace", pipeline="Nurture")
    with outside(leads) as conn, pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        conn.execute(
            "INSERT INTO stage_visit (client_id, pipeline_id, stage_id, stage_name, state, entered_at, position) "
            "SELECT client_id, pipeline_id, stage_id, stage_name, 'active', entered_at, 0 FROM stage_visit LIMIT 1"
        )


def test_kinds_do_not_mix(leads: Database, refused: Callable[..., str]) -> None:
    refused(tracking.track, leads, "clients", "Ada Lovelace", "Wedding", match="tracks jobs, not clients")
    refused(jobs.add_job, leads, "A job", "Leads", match="tracks clients, not jobs")
    refused(
        automation_rules.add_automation, leads, "Leads", "Email Lead", "enter", "set_due", days=2, match="job pipelines"
    )
    refused(
        automation_rules.add_automation,
        leads,
        "Leads",
        "Email Lead",
        "enter",
        "move_to_pipeline",
        to_pipeline="Wedding",
        match="tracks jobs",
    )


def test_automations_fire_once_per_visit_with_the_client_context(leads: Database) -> None:
    automation_rules.add_automation(leads, "Leads", "Email Lead", "enter", "send_email", template="Hello lead")
    automation_rules.add_automation(
        leads, "Leads", "Call Lead After 2 Days", "enter", "create_tasks", saved_list="Call"
    )
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    view = tracking.advance(leads, "clients", "Ada Lovelace")
    assert view.fired == ("1 task(s) from 'Call'",)
    assert rows(leads, "SELECT to_addr, subject, body, job_id FROM outbox_message") == [
        ("ada@example.com", "Hi Ada", "From Email Lead", None)
    ]
    # The call task says whose it is and is due two days after entering.
    today = datetime.now(UTC).astimezone().date()
    assert rows(leads, "SELECT title, due_on, job_id FROM task") == [
        ("Call lead — Ada Lovelace", (today + timedelta(days=2)).isoformat(), None)
    ]
    assert len(rows(leads, "SELECT * FROM automation_run")) == 2
    # Back and forth: a new visit of Email Lead fires again, once.
    tracking.move_to(leads, "clients", "Ada Lovelace", "Email Lead")
    assert len(rows(leads, "SELECT * FROM outbox_message")) == 2
    assert rows(leads, "SELECT count(DISTINCT visit_id), count(*) FROM automation_run") == [(3, 3)]


def test_a_delayed_email_is_cancelled_when_the_lead_leaves_the_stage(leads: Database) -> None:
    automation_rules.add_automation(
        leads, "Leads", "Email Lead", "enter", "send_email", template="Hello lead", delay_minutes=2 * 24 * 60
    )
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    (state, send_at) = rows(leads, "SELECT state, send_at FROM outbox_message")[0]
    assert state == "queued"
    assert datetime.fromisoformat(str(send_at)).replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=1)
    view = tracking.advance(leads, "clients", "Ada Lovelace")
    assert any("cancelled a pending email" in line for line in view.fired)
    assert rows(leads, "SELECT state FROM outbox_message") == [("cancelled",)]


def test_archive_takes_the_lead_off_and_cancels_its_pending_messages(leads: Database) -> None:
    automation_rules.add_automation(
        leads, "Leads", "Email Lead", "enter", "send_email", template="Hello lead", delay_minutes=60
    )
    automation_rules.add_automation(leads, "Leads", "Send Final Email", "enter", "archive")
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    view = tracking.move_to(leads, "clients", "Ada Lovelace", "Send Final Email")
    assert not view.tracked
    assert visits(leads)[-1][2:] == ("Send Final Email", "untracked")
    assert rows(leads, "SELECT state FROM outbox_message") == [("cancelled",)]
    assert tracking.list_tracked(leads, "Leads") == []


def test_move_to_pipeline_action_keeps_to_the_kind(leads: Database) -> None:
    automation_rules.add_automation(
        leads, "Leads", "Send Final Email", "enter", "move_to_pipeline", to_pipeline="Nurture"
    )
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    view = tracking.move_to(leads, "clients", "Ada Lovelace", "Send Final Email")
    assert (view.pipeline, view.stage) == ("Nurture", "Monthly")
    assert [v[2:] for v in visits(leads)][-2:] == [("Send Final Email", "completed"), ("Monthly", "active")]


def test_undo_and_redo_a_lead_move_and_its_automations(leads: Database) -> None:
    automation_rules.add_automation(
        leads, "Leads", "Call Lead After 2 Days", "enter", "create_tasks", saved_list="Call"
    )
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    before = visits(leads)
    tracking.advance(leads, "clients", "Ada Lovelace")
    assert len(rows(leads, "SELECT * FROM task")) == 1
    assert journal.undo(leads) == "advance 'Ada Lovelace' to Call Lead After 2 Days"
    assert visits(leads) == before
    assert rows(leads, "SELECT * FROM task") == []
    assert rows(leads, "SELECT * FROM automation_run") == []
    journal.redo(leads)
    assert visits(leads)[-1][2:] == ("Call Lead After 2 Days", "active")
    assert len(rows(leads, "SELECT * FROM task")) == 1
    journal.undo(leads)
    journal.undo(leads)  # the track itself
    assert visits(leads) == []


def test_undo_refuses_when_the_lead_was_moved_since_by_hand(leads: Database) -> None:
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    with outside(leads) as conn:
        conn.execute("UPDATE stage_visit SET stage_name = 'Elsewhere'")
    with pytest.raises(StudioflowError, match="client 1 was changed since"):
        journal.undo(leads)


def test_cards_reorder_in_their_column(leads: Database) -> None:
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    tracking.track(leads, "clients", "Ben Okafor", "Leads")
    assert [t.title for t in tracking.list_tracked(leads, "Leads")] == ["Ben Okafor", "Ada Lovelace"]
    tracking.reorder(leads, "clients", "Ben Okafor", 1)
    assert [t.title for t in tracking.list_tracked(leads, "Leads")] == ["Ada Lovelace", "Ben Okafor"]
    with pytest.raises(StudioflowError, match="already last"):
        tracking.reorder(leads, "clients", "Ben Okafor", 1)
    journal.undo(leads)
    assert [t.title for t in tracking.list_tracked(leads, "Leads")] == ["Ben Okafor", "Ada Lovelace"]


def test_deleting_a_stage_moves_its_leads_and_a_pipeline_with_leads_is_kept(
    leads: Database, refused: Callable[..., str]
) -> None:
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    refused(pipelines.delete_stage, leads, "Leads", "Email Lead", match="holds 1 client")
    pipelines.delete_stage(leads, "Leads", "Email Lead", jobs_to="Send Final Email")
    assert tracking.list_tracked(leads, "Leads")[0].stage == "Send Final Email"
    refused(pipelines.delete_pipeline, leads, "Leads", match="tracks 1 client")


def test_a_stage_wait_gives_the_lead_a_due_date(leads: Database) -> None:
    pipelines.set_stage_wait(leads, "Leads", "Call Lead After 2 Days", 2)
    tracking.track(leads, "clients", "Ada Lovelace", "Leads", stage="Call Lead After 2 Days")
    (card,) = tracking.list_tracked(leads, "Leads")
    assert card.due_on == datetime.now(UTC).astimezone().date() + timedelta(days=2)


def test_the_agenda_lists_stage_waits_of_every_kind_on_the_day_they_end(leads: Database) -> None:
    pipelines.set_stage_wait(leads, "Leads", "Call Lead After 2 Days", 2)
    pipelines.set_stage_wait(leads, "Wedding", "Booked", 5)
    tracking.track(leads, "clients", "Ada Lovelace", "Leads", stage="Call Lead After 2 Days")
    tracking.track(leads, "clients", "Ben Okafor", "Leads")  # a stage with no wait: not listed
    jobs.add_job(leads, "Lee wedding", "Wedding", stage="Booked")
    today = datetime.now(UTC).astimezone().date()
    items = [(i.at.date(), i.kind, i.text) for i in agenda.agenda(leads, today=today) if i.kind == "wait"]
    assert items == [
        (today + timedelta(days=2), "wait", "Ada Lovelace — Call Lead After 2 Days (Leads)"),
        (today + timedelta(days=5), "wait", "Lee wedding — Booked (Wedding)"),
    ]
    assert agenda.waits_due(leads, today) == []
    assert agenda.waits_due(leads, today + timedelta(days=2)) == ["Ada Lovelace — Call Lead After 2 Days (Leads)"]
    # Three days on, the lead's wait is over: still listed, as overdue, until it moves on.
    assert agenda.waits_due(leads, today + timedelta(days=3)) == [
        f"Ada Lovelace — Call Lead After 2 Days (Leads, overdue since {today + timedelta(days=2)})"
    ]
    tracking.advance(leads, "clients", "Ada Lovelace")
    assert agenda.waits_due(leads, today + timedelta(days=3)) == []


def test_an_empty_pipeline_changes_kind_and_one_default_per_kind(leads: Database, refused: Callable[..., str]) -> None:
    pipelines.create_pipeline(leads, "Spare", ("A", "B"))
    assert pipelines.set_kind(leads, "Spare", "events").kind == "events"
    refused(pipelines.set_kind, leads, "Spare", "people", match="one of jobs")
    tracking.track(leads, "clients", "Ada Lovelace", "Leads")
    refused(pipelines.set_kind, leads, "Leads", "jobs", match="already has cards")
    automation_rules.add_automation(leads, "Nurture", "Quarterly", "enter", "archive")
    refused(pipelines.set_kind, leads, "Nurture", "events", match="has automations")
    refused(pipelines.set_default_for_new, leads, "Wedding", True, match="names its pipeline")
    pipelines.set_default_for_new(leads, "Leads", True)
    pipelines.set_default_for_new(leads, "Nurture", True)
    defaults = {p.name: p.default_for_new for p in pipelines.list_pipelines(leads)}
    assert defaults == {"Leads": False, "Nurture": True, "Wedding": False, "Spare": False}
    clients.add_client(leads, "Cleo Park")  # a new client enters the default pipeline
    (track,) = tracking.get_tracks(leads, "clients", "Cleo Park")
    assert (track.pipeline, track.stage, track.tracked) == ("Nurture", "Monthly", True)


def test_unless_moved_makes_the_move_only_where_the_board_saw_the_card(
    db: Database, wedding: PipelineView, refused: Callable[..., str]
) -> None:
    made = jobs.add_job(db, "Lee wedding", "Wedding")
    inquiry, booked = wedding.stages[0].id, wedding.stages[1].id
    other = open_database(db.target)  # another machine on the same studio
    try:
        jobs.move_to(other, made.id, "Shoot")
    finally:
        other.close()
    said = refused(tracking.unless_moved, db, "jobs", made.id, inquiry, wedding.id, lambda: jobs.advance(db, made.id))
    assert said == f"{tracking.MOVED_ELSEWHERE}: the card is now in Shoot; the board is redrawn"
    assert jobs.get_job(db, made.id).stage == "Shoot"
    jobs.archive(db, made.id)
    said = refused(tracking.unless_moved, db, "jobs", made.id, booked, wedding.id, lambda: jobs.advance(db, made.id))
    assert said == f"{tracking.MOVED_ELSEWHERE}: the card has left this board; the board is redrawn"
    jobs.unarchive(db, made.id)
    shoot = wedding.stages[2].id
    moved = tracking.unless_moved(db, "jobs", made.id, shoot, wedding.id, lambda: jobs.advance(db, made.id))
    assert moved.stage == "Edit"

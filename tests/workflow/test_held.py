"""A held message may have gone: undo, redo and re-entry never queue it (or a copy) again."""

from __future__ import annotations

from sqlmodel import select

from studioflow.store import Database
from studioflow.store.models import OutboxMessage
from studioflow.workflow.automations import automation_rules, outbox, templates
from studioflow.workflow.jobs import jobs, journal, pipelines
from studioflow.workflow.people import clients
from tests.conftest import outside


def held_after_delivery(db: Database) -> int:
    """A job moved into an emailing stage, its email then interrupted mid-send (held, one attempt)."""
    pipelines.create_pipeline(db, "Shoots", ["Inquiry", "Booked"])
    clients.add_client(db, "Ann Held", email="ann@example.com")
    templates.create_template(db, "Booked", "email", "Booked, {{ client.first_name }}", "See you soon.")
    automation_rules.add_automation(db, "Shoots", "Booked", "enter", "send_email", template="Booked")
    job = jobs.add_job(db, "Ann's shoot", "Shoots", client="Ann Held")
    jobs.advance(db, job.id)
    with outside(db) as conn:  # what delivery leaves after a lost "250"
        conn.execute("UPDATE outbox_message SET state = 'held', attempts = 1, last_error = 'may have gone'")
    return job.id


def messages(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        return [(m.state, m.attempts) for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_undo_of_the_move_leaves_the_held_message_held_and_says_so(db: Database) -> None:
    held_after_delivery(db)
    said = journal.undo(db)
    assert messages(db) == [("held", 1)]
    assert "stays held" in said
    assert "ann@example.com" in said


def test_redo_never_puts_a_held_message_back_in_the_queue(db: Database) -> None:
    job = held_after_delivery(db)
    journal.undo(db)
    said = journal.redo(db)
    assert messages(db) == [("held", 1)]
    assert "stays held" in said
    assert jobs.get_job(db, job).stage == "Booked"
    with db.read() as session:  # and it belongs to the redone visit again
        (message,) = session.exec(select(OutboxMessage)).all()
    assert message.visit_id is not None


def test_moving_the_job_in_again_queues_no_second_email_while_the_first_is_held(db: Database) -> None:
    job = held_after_delivery(db)
    journal.undo(db)
    view = jobs.advance(db, job)
    assert messages(db) == [("held", 1)]
    assert any("not queued" in line and "held" in line for line in view.fired), view.fired
    jobs.move_to(db, job, "Inquiry")
    jobs.move_to(db, job, "Booked")
    assert messages(db) == [("held", 1)]


def test_only_the_users_release_sends_it_and_then_reentry_may_queue_again(db: Database) -> None:
    job = held_after_delivery(db)
    (message,) = outbox.release(db, [1])
    assert message.state == "queued"
    jobs.move_to(db, job, "Inquiry")
    jobs.move_to(db, job, "Booked")
    assert [state for state, _ in messages(db)] == ["queued", "queued"]


def test_a_message_held_before_any_attempt_is_still_cancelled_by_undo(db: Database) -> None:
    held_after_delivery(db)
    with outside(db) as conn:  # never handed to a server: it cannot have gone
        conn.execute("UPDATE outbox_message SET attempts = 0")
    said = journal.undo(db)
    assert messages(db) == [("cancelled", 0)]
    assert "held" not in said


def test_leaving_the_stage_and_coming_back_leaves_a_held_message_held_and_queues_no_copy(db: Database) -> None:
    """Found by the SIGKILL loop (seed 3469198343): leaving the stage cancelled a held message
    that may have gone, so coming back queued a second copy that was then sent."""
    job = held_after_delivery(db)
    jobs.move_to(db, job, "Inquiry")
    assert messages(db) == [("held", 1)]
    view = jobs.move_to(db, job, "Booked")
    assert messages(db) == [("held", 1)]
    assert any("not queued" in line and "held" in line for line in view.fired), view.fired

"""Setting up automations: every refusal, the views and summaries, enable/disable, order,
delete, list filters and auto-move. A bad rule is refused when it is made, leaving the file as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from studioflow.store import Database, open_database
from studioflow.store.models import AutomationRun, OutboxMessage, Stage
from studioflow.workflow.automations import templates
from studioflow.workflow.automations.automation_rules import (
    MAX_DELAY_MINUTES,
    add_automation,
    delete_automation,
    edit_automation,
    list_automations,
    move_automation,
    set_auto_move,
    set_enabled,
)
from studioflow.workflow.jobs import jobs

from .test_automations import copy_database, seed

Refused = Callable[..., str]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "studioflow.db"
    database = open_database(path)
    try:
        seed(database)
    finally:
        database.close()
    return path


@pytest.fixture
def db(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A copy of the seeded file (overrides the empty `db` of tests/conftest.py, for `refused`)."""
    monkeypatch.setenv("STUDIOFLOW_CONFIG", str(tmp_path / "none.toml"))
    copy_database(seeded, tmp_path / "studioflow.db")
    database = open_database(tmp_path / "studioflow.db")
    yield database
    database.close()


def runs_of(db: Database, automation_id: int) -> list[AutomationRun]:
    with db.read() as session:
        return list(session.exec(select(AutomationRun).where(AutomationRun.automation_id == automation_id)).all())


def run_order(db: Database) -> list[int]:
    with db.read() as session:
        return list(session.exec(select(AutomationRun.automation_id).order_by(col(AutomationRun.id))).all())


# Refusals: (args after db, keyword arguments, what the message says)
REFUSALS: dict[str, tuple[tuple[Any, ...], dict[str, Any], str]] = {
    "unknown trigger": (("Wedding", "Booked", "leave", "archive"), {}, "a trigger is one of enter, complete"),
    "unknown action": (("Wedding", "Booked", "enter", "send_fax"), {}, "an action is one of send_email"),
    "status trigger without its status": (("Wedding", "Booked", "status", "archive"), {}, "needs the status"),
    "status given to an enter trigger": (
        ("Wedding", "Booked", "enter", "archive"),
        {"status": "Ready"},
        "only a status trigger",
    ),
    "status given to a complete trigger": (
        ("Wedding", "Booked", "complete", "archive"),
        {"status": "Ready"},
        "only a status trigger",
    ),
    "email without template": (("Wedding", "Booked", "enter", "send_email"), {}, "send_email needs a template"),
    "text without template": (("Wedding", "Booked", "enter", "send_sms"), {}, "send_sms needs a template"),
    "tasks without list": (("Wedding", "Booked", "enter", "create_tasks"), {}, "needs a saved task list"),
    "set_status without status": (("Wedding", "Booked", "enter", "set_status"), {}, "needs the status to set"),
    "set_due without days": (("Wedding", "Booked", "enter", "set_due"), {}, "needs a number of days"),
    "set_due with negative days": (("Wedding", "Booked", "enter", "set_due"), {"days": -1}, "between 0 and 3650"),
    "set_due too far": (("Wedding", "Booked", "enter", "set_due"), {"days": 99_999_999_999}, "between 0 and 3650"),
    "move without pipeline": (("Wedding", "Booked", "enter", "move_to_pipeline"), {}, "needs the pipeline"),
    "move with a stage but no pipeline": (
        ("Wedding", "Booked", "enter", "move_to_pipeline"),
        {"to_stage": "Intake"},
        "needs the pipeline",
    ),
    "email given a list": (
        ("Wedding", "Booked", "enter", "send_email"),
        {"template": "Thank you", "saved_list": "Prep"},
        "send_email does not use a saved list",
    ),
    "tasks given a template": (
        ("Wedding", "Booked", "enter", "create_tasks"),
        {"saved_list": "Prep", "template": "Thank you"},
        "create_tasks does not use a template",
    ),
    "archive given days": (("Wedding", "Booked", "enter", "archive"), {"days": 3}, "archive does not use a days"),
    "set_status given a stage": (
        ("Wedding", "Booked", "enter", "set_status"),
        {"to_status": "Ready", "to_stage": "Intake"},
        "set_status does not use a stage",
    ),
    "set_due given a pipeline": (
        ("Wedding", "Booked", "enter", "set_due"),
        {"days": 2, "to_pipeline": "Tax return"},
        "set_due does not use a pipeline",
    ),
    "move given a status to set": (
        ("Wedding", "Booked", "enter", "move_to_pipeline"),
        {"to_pipeline": "Tax return", "to_status": "Ready"},
        "does not use a status to set",
    ),
    "email with a text template": (
        ("Wedding", "Booked", "enter", "send_email"),
        {"template": "Reminder"},
        "template 'Reminder' is for sms, not email",
    ),
    "text with an email template": (
        ("Wedding", "Booked", "enter", "send_sms"),
        {"template": "Thank you"},
        "template 'Thank you' is for email, not sms",
    ),
    "move to its own pipeline": (
        ("Wedding", "Booked", "enter", "move_to_pipeline"),
        {"to_pipeline": "Wedding"},
        "another pipeline, not its own",
    ),
    "move on complete": (
        ("Wedding", "Booked", "complete", "move_to_pipeline"),
        {"to_pipeline": "Tax return"},
        "not while it is leaving",
    ),
    "move on skip": (
        ("Wedding", "Booked", "skip", "move_to_pipeline"),
        {"to_pipeline": "Tax return"},
        "not while it is leaving",
    ),
    "delayed tasks": (
        ("Wedding", "Booked", "enter", "create_tasks"),
        {"saved_list": "Prep", "delay_minutes": 60},
        "only messages can be delayed",
    ),
    "delayed status": (
        ("Wedding", "Booked", "enter", "set_status"),
        {"to_status": "Ready", "delay_minutes": 1},
        "only messages can be delayed",
    ),
    "negative delay": (
        ("Wedding", "Booked", "enter", "send_email"),
        {"template": "Thank you", "delay_minutes": -1},
        "between 0 and 365 days",
    ),
    "delay over a year": (
        ("Wedding", "Booked", "enter", "send_email"),
        {"template": "Thank you", "delay_minutes": MAX_DELAY_MINUTES + 1},
        "between 0 and 365 days",
    ),
    "empty tag": (
        ("Wedding", "Booked", "enter", "archive"),
        {"required_tags": ["vip", "  "]},
        "a tag cannot be empty",
    ),
    "unknown pipeline": (("Bakery", "Booked", "enter", "archive"), {}, "no pipeline 'Bakery'"),
    "unknown stage": (("Wedding", "Nowhere", "enter", "archive"), {}, "no stage 'Nowhere' in pipeline 'Wedding'"),
    "stage of another pipeline": (("Wedding", "Intake", "enter", "archive"), {}, "no stage 'Intake'"),
    "unknown stage id": (("Wedding", 9999, "enter", "archive"), {}, "no stage '9999'"),
    "unknown template": (("Wedding", "Booked", "enter", "send_email"), {"template": "Nope"}, "no template 'Nope'"),
    "unknown template id": (("Wedding", "Booked", "enter", "send_email"), {"template": 999}, "no template '999'"),
    "unknown list": (
        ("Wedding", "Booked", "enter", "create_tasks"),
        {"saved_list": "Nope"},
        "no saved task list 'Nope'",
    ),
    "unknown status to set": (
        ("Wedding", "Booked", "enter", "set_status"),
        {"to_status": "Nope"},
        "no status 'Nope'",
    ),
    "unknown status to wait for": (
        ("Wedding", "Booked", "status", "archive"),
        {"status": 999},
        "no status '999'",
    ),
    "unknown target pipeline": (
        ("Wedding", "Booked", "enter", "move_to_pipeline"),
        {"to_pipeline": "Nope"},
        "no pipeline 'Nope'",
    ),
    "unknown target stage": (
        ("Wedding", "Booked", "enter", "move_to_pipeline"),
        {"to_pipeline": "Tax return", "to_stage": "Booked"},
        "no stage 'Booked' in pipeline 'Tax return'",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_rule_is_refused_when_made(db: Database, refused: Refused, case: str) -> None:
    args, kwargs, match = REFUSALS[case]
    message = refused(add_automation, db, *args, match=match, **kwargs)
    assert match in message


def test_a_rule_is_stored_with_everything_it_was_given(db: Database) -> None:
    view = add_automation(
        db,
        "Wedding",
        "Booked",
        "enter",
        "send_email",
        template="thank YOU",
        delay_minutes=MAX_DELAY_MINUTES,
        required_tags=["VIP", " Wedding "],
        keep_on_leave=True,
    )
    assert (view.pipeline, view.stage, view.trigger, view.status, view.action) == (
        "Wedding",
        "Booked",
        "enter",
        None,
        "send_email",
    )
    assert (view.target, view.delay_minutes, view.required_tags) == ("Thank you", MAX_DELAY_MINUTES, ("vip", "wedding"))
    assert (view.keep_on_leave, view.enabled, view.position) == (True, True, 1)
    assert list_automations(db) == [view]


def test_a_status_rule_names_its_status(db: Database) -> None:
    view = add_automation(db, "Wedding", "Inquiry", "status", "set_due", status="waiting on documents", days=0)
    assert (view.trigger, view.status, view.target) == ("status", "Waiting on documents", "+0 days")


SUMMARIES: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    (("enter", "send_email"), {"template": "Thank you"}, "on entering send email 'Thank you'"),
    (
        ("complete", "send_sms"),
        {"template": "Reminder", "delay_minutes": 90},
        "on completing send text 'Reminder' after 90 minutes",
    ),
    (("skip", "create_tasks"), {"saved_list": "Prep"}, "on skipping create tasks from 'Prep'"),
    (
        ("status", "set_status"),
        {"status": "Waiting on documents", "to_status": "Ready"},
        "on status 'Waiting on documents' set status 'Ready'",
    ),
    (("enter", "set_due"), {"days": 3}, "on entering set due +3 days"),
    (
        ("enter", "move_to_pipeline"),
        {"to_pipeline": "Tax return", "to_stage": "Prepare"},
        "on entering move to Tax return › Prepare",
    ),
    (("enter", "move_to_pipeline"), {"to_pipeline": "Tax return"}, "on entering move to Tax return"),
    (("enter", "archive"), {}, "on entering archive the job"),
    (
        ("enter", "send_email"),
        {
            "template": "Thank you",
            "delay_minutes": 2 * 1440,
            "required_tags": ["VIP", "Wedding"],
            "keep_on_leave": True,
        },
        "on entering send email 'Thank you' after 2 days if tagged vip, wedding (kept on leaving)",
    ),
    (
        ("enter", "send_sms"),
        {"template": "Reminder", "delay_minutes": 180},
        "on entering send text 'Reminder' after 3 hours",
    ),
    (
        ("enter", "send_sms"),
        {"template": "Reminder", "delay_minutes": 1440},
        "on entering send text 'Reminder' after 1 day",
    ),
    (
        ("enter", "send_sms"),
        {"template": "Reminder", "delay_minutes": 60},
        "on entering send text 'Reminder' after 1 hour",
    ),
]


@pytest.mark.parametrize(("head", "kwargs", "summary"), SUMMARIES)
def test_the_summary_reads_as_the_rule(
    db: Database, head: tuple[str, str], kwargs: dict[str, Any], summary: str
) -> None:
    view = add_automation(db, "Wedding", "Booked", *head, **kwargs)
    assert view.summary == summary
    (listed,) = list_automations(db)
    assert listed.summary == summary


def test_a_rule_whose_template_was_deleted_says_so(db: Database) -> None:
    view = add_automation(db, "Wedding", "Booked", "enter", "send_email", template="Thank you")
    templates.delete_template(db, "Thank you")
    (listed,) = list_automations(db)
    assert listed.id == view.id
    assert listed.target == "(deleted template)"
    assert listed.summary == "on entering send email '(deleted template)'"


# Enable / disable


def test_a_disabled_rule_does_not_fire_and_a_re_enabled_one_fires_on_the_next_visit(db: Database) -> None:
    rule = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=1).id
    off = set_enabled(db, rule, False)
    assert (off.enabled, off.summary) == (False, "on entering set due +1 days [disabled]")

    job = jobs.add_job(db, "Lee wedding", "Wedding").id
    assert jobs.advance(db, job).fired == ()
    assert runs_of(db, rule) == []

    on = set_enabled(db, rule, True)
    assert (on.enabled, on.summary) == (True, "on entering set due +1 days")
    assert jobs.get_job(db, job).due_on is None  # not fired after the fact for the visit under way
    jobs.move_to(db, job, "Inquiry")
    assert len(jobs.advance(db, job).fired) == 1
    assert len(runs_of(db, rule)) == 1


def test_enabling_an_unknown_rule_is_refused(db: Database, refused: Refused) -> None:
    refused(set_enabled, db, 404, False, match="no automation 404")


# Order


def test_the_order_of_a_stages_rules_is_the_order_they_fire_in(db: Database) -> None:
    first = add_automation(db, "Wedding", "Booked", "enter", "set_status", to_status="Waiting on documents").id
    second = add_automation(db, "Wedding", "Booked", "enter", "set_status", to_status="Ready").id
    third = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=4).id
    other = add_automation(db, "Wedding", "Inquiry", "enter", "set_due", days=1).id

    reordered = move_automation(db, second, 1)
    assert [v.id for v in reordered] == [second, first, third]
    assert [v.id for v in list_automations(db, "Wedding", "Booked")] == [second, first, third]
    reordered = move_automation(db, third, 2)
    assert [v.id for v in reordered] == [second, third, first]

    job = jobs.add_job(db, "Lee wedding", "Wedding").id
    view = jobs.advance(db, job)

    assert run_order(db) == [other, second, third, first]
    assert view.status == "Waiting on documents"  # the last one to fire wins
    assert [v.id for v in list_automations(db, "Wedding", "Inquiry")] == [other]


@pytest.mark.parametrize("place", [0, 3, -1])
def test_a_place_out_of_range_is_refused(db: Database, refused: Refused, place: int) -> None:
    add_automation(db, "Wedding", "Booked", "enter", "archive")
    rule = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=1).id
    refused(move_automation, db, rule, place, match="between 1 and 2")


def test_moving_an_unknown_rule_is_refused(db: Database, refused: Refused) -> None:
    refused(move_automation, db, 404, 1, match="no automation 404")


def test_a_rule_added_after_a_reorder_comes_last(db: Database) -> None:
    a = add_automation(db, "Wedding", "Booked", "enter", "archive").id
    b = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=1).id
    move_automation(db, b, 1)
    c = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=2).id
    assert [v.id for v in list_automations(db, "Wedding", "Booked")] == [b, a, c]


# Delete


def test_a_deleted_rule_no_longer_fires_and_its_messages_stay(db: Database) -> None:
    email = add_automation(db, "Wedding", "Booked", "enter", "send_email", template="Thank you").id
    kept = add_automation(db, "Wedding", "Booked", "enter", "set_due", days=1).id
    job = jobs.add_job(db, "Lee wedding", "Wedding", client="Ava Martinez").id
    jobs.advance(db, job)

    delete_automation(db, email)

    assert [v.id for v in list_automations(db)] == [kept]
    with db.read() as session:
        (message,) = session.exec(select(OutboxMessage)).all()
    assert (message.state, message.automation_id) == ("queued", None)  # what was queued is not lost
    jobs.move_to(db, job, "Inquiry")
    assert jobs.advance(db, job).fired == (f"due date set to {jobs.get_job(db, job).due_on}",)


def test_deleting_an_unknown_rule_is_refused(db: Database, refused: Refused) -> None:
    refused(delete_automation, db, 404, match="no automation 404")


# Listing


def test_lists_filter_by_pipeline_and_stage_in_board_order(db: Database) -> None:
    booked = add_automation(db, "Wedding", "Booked", "enter", "archive").id
    intake = add_automation(db, "Tax return", "Intake", "enter", "set_due", days=1).id
    inquiry = add_automation(db, "Wedding", "Inquiry", "complete", "set_due", days=2).id
    booked_2 = add_automation(db, "Wedding", "Booked", "skip", "set_due", days=3).id

    assert [v.id for v in list_automations(db)] == [inquiry, booked, booked_2, intake]
    assert [v.id for v in list_automations(db, "wedding")] == [inquiry, booked, booked_2]
    assert [v.id for v in list_automations(db, "Wedding", "booked")] == [booked, booked_2]
    assert [v.id for v in list_automations(db, "Tax return")] == [intake]
    assert list_automations(db, "Follow-up") == []
    assert [(v.pipeline, v.stage) for v in list_automations(db, "Tax return")] == [("Tax return", "Intake")]


def test_a_stage_without_its_pipeline_or_an_unknown_one_is_refused(db: Database, refused: Refused) -> None:
    refused(list_automations, db, stage="Booked", match="only meaningful with its pipeline")
    refused(list_automations, db, "Bakery", match="no pipeline 'Bakery'")
    refused(list_automations, db, "Wedding", "Intake", match="no stage 'Intake'")


# Auto-move


def _auto_move(db: Database, stage: str) -> bool:
    with db.read() as session:
        return session.exec(select(Stage.auto_move).where(Stage.name == stage)).one()


def test_auto_move_is_set_and_cleared_per_stage(db: Database) -> None:
    set_auto_move(db, "Wedding", "Booked", True)
    assert (_auto_move(db, "Booked"), _auto_move(db, "Shoot")) == (True, False)
    set_auto_move(db, "Wedding", "Booked", False)
    assert _auto_move(db, "Booked") is False


def test_auto_move_is_refused_on_the_last_stage_or_an_unknown_one(db: Database, refused: Refused) -> None:
    refused(set_auto_move, db, "Wedding", "Deliver", True, match="'Deliver' is the last stage")
    refused(set_auto_move, db, "Wedding", "Nowhere", True, match="no stage 'Nowhere'")
    refused(set_auto_move, db, "Bakery", "Booked", True, match="no pipeline 'Bakery'")


def test_an_edit_keeps_the_rules_id_place_and_ledger(db: Database, refused: Refused) -> None:
    first = add_automation(db, "Wedding", "Booked", "enter", "send_email", template="thank you")
    second = add_automation(db, "Wedding", "Booked", "enter", "archive")
    edited = edit_automation(db, first.id, "enter", "set_due", days=5)
    assert (edited.id, edited.position, edited.action, edited.target) == (
        first.id,
        first.position,
        "set_due",
        "+5 days",
    )
    assert [r.id for r in list_automations(db)] == [first.id, second.id]
    message = refused(edit_automation, db, first.id, "complete", "move_to_pipeline", to_pipeline="Tax", match="leaving")
    assert "leaving" in message

"""Corrections without side effects: re-entry rules, and moves made without automations."""

# ruff: noqa: F811  (the seeded world and its config are test_automations' fixtures, imported by name)

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import AutomationRun, OutboxMessage, StageVisit, Task
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.jobs import jobs, journal

from .test_automations import AVA_EMAIL, add_lee, auto, db, me_config, rows, seeded, world  # noqa: F401


def back_and_forth(db: Database, job: int) -> None:
    jobs.move_to(db, job, "Inquiry")
    jobs.advance(db, job)


@pytest.mark.parametrize(("rule", "emails", "task_runs"), [("every", 2, 2), ("first", 1, 1), ("days:3", 1, 1)])
def test_a_reentry_rule_decides_whether_a_later_visit_fires_again(
    world: Database, rule: str, emails: int, task_runs: int
) -> None:
    db = world
    auto(db, "Booked", "enter", "send_email", reentry=rule)
    auto(db, "Booked", "enter", "create_tasks", reentry=rule)
    job = add_lee(db)
    jobs.advance(db, job)
    back_and_forth(db, job)

    assert len(rows(db, OutboxMessage)) == emails
    runs = [r.outcome for r in rows(db, AutomationRun)]
    acted = [o for o in runs if not o.startswith("not run")]
    assert len(acted) == emails + task_runs
    if rule != "every":
        said = "first visit only" if rule == "first" else "not again within 3 days"
        assert sum(said in o for o in runs) == 2
    assert len({t.run_id for t in rows(db, Task)}) == task_runs


def test_not_again_within_n_days_fires_once_the_days_are_over(world: Database) -> None:
    db = world
    auto(db, "Booked", "enter", "send_email", reentry="days:2")
    job = add_lee(db)
    jobs.advance(db, job)
    with db.write() as session:  # the first visit was three days ago
        for run in session.exec(select(AutomationRun)).all():
            run.ran_at = run.ran_at - timedelta(days=3)
    back_and_forth(db, job)
    assert len(rows(db, OutboxMessage)) == 2


def test_reentry_rules_are_checked_and_shown(world: Database) -> None:
    db = world
    view = automation_rules.add_automation(
        db, "Wedding", "Booked", "enter", "send_email", template="Thank you", reentry=" DAYS:07 "
    )
    assert view.reentry == "days:7"
    assert view.summary.endswith("(not again within 7 days)")
    first = automation_rules.add_automation(db, "Wedding", "Booked", "enter", "archive", reentry="first")
    assert first.summary == "on entering archive the job (first visit only)"
    for bad in ("sometimes", "days:0", "days:x", "days:-1"):
        with pytest.raises(StudioflowError, match="a re-entry rule is every, first or days:N"):
            automation_rules.add_automation(db, "Wedding", "Booked", "enter", "archive", reentry=bad)


@pytest.mark.parametrize("move", ["advance", "skip", "move forward", "move back"])
def test_a_move_without_automations_fires_nothing_and_the_history_says_so(world: Database, move: str) -> None:
    db = world
    for stage in ("Inquiry", "Booked", "Shoot"):
        auto(db, stage, "enter", "send_email")
        auto(db, stage, "complete", "create_tasks")
        auto(db, stage, "skip", "create_tasks")
    job = add_lee(db, stage="Booked")
    before = (len(rows(db, OutboxMessage)), len(rows(db, AutomationRun)), len(rows(db, Task)))

    if move == "advance":
        view = jobs.advance(db, job, automations_on=False)
    elif move == "skip":
        view = jobs.skip(db, job, automations_on=False)
    elif move == "move forward":
        view = jobs.move_to(db, job, "Deliver", automations_on=False)
    else:
        view = jobs.move_to(db, job, "Inquiry", automations_on=False)

    assert view.fired == ()
    assert (len(rows(db, OutboxMessage)), len(rows(db, AutomationRun)), len(rows(db, Task))) == before
    history = jobs.get_job(db, job).history
    assert history[-1].automations_off is True
    assert history[0].automations_off is False
    assert journal.undo(db).endswith(" without automations")
    assert [v.automations_off for v in rows(db, StageVisit, StageVisit.job_id == job)] == [False]


def test_a_quiet_move_still_takes_back_the_message_waiting_in_the_stage_it_left(
    world: Database,
    me_config: Path,
) -> None:
    db = world
    me_config.write_text(me_config.read_text(encoding="utf-8").replace("= 0", "= 120"), encoding="utf-8")
    auto(db, "Booked", "enter", "send_email")
    job = add_lee(db)
    jobs.advance(db, job)  # queues the email, due in 2 minutes
    view = jobs.move_to(db, job, "Inquiry", automations_on=False)
    assert view.fired == (f"cancelled a pending email to {AVA_EMAIL}",)
    assert [m.state for m in rows(db, OutboxMessage)] == ["cancelled"]


def test_a_move_is_rehearsed_only_when_it_may_write_to_nobody(world: Database) -> None:
    db = world
    walk_in = jobs.add_job(db, "Walk-in", "Wedding").id  # no client
    ava = add_lee(db)  # a client with an email and a phone
    assert not jobs.may_message_nobody(db, walk_in)  # nothing in this pipeline sends messages
    email = auto(db, "Booked", "enter", "send_email")
    assert jobs.may_message_nobody(db, walk_in)
    assert not jobs.may_message_nobody(db, ava)

    result, effects = jobs.rehearse(db, lambda: jobs.advance(db, walk_in))
    assert result.stage == "Booked"
    assert [(e.text, e.nobody) for e in effects] == [("email held: the job has no client", True)]
    assert jobs.get_job(db, walk_in).stage == "Inquiry"  # rolled back
    assert rows(db, OutboxMessage) == []
    automation_rules.set_enabled(db, email, False)
    assert not jobs.may_message_nobody(db, walk_in)

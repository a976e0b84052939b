"""The stage's automations from the board: S, then A on a stage. The database is asserted."""

import sqlite3
from contextlib import closing
from typing import Any

from textual.pilot import Pilot

from studioflow.app import make_app
from studioflow.store import Database
from studioflow.workflow.automations import automation_rules
from studioflow.workflow.jobs import jobs, pipelines


async def _open_on(app_db: Database, stage_name: str, pilot_keys: list[str]) -> list[str]:
    """Keys that open the automations of `stage_name` in the first pipeline."""
    stages = [s.name for s in pipelines.list_pipelines(app_db)[0].stages]
    return ["S", *["down"] * stages.index(stage_name), "A", *pilot_keys]


async def answer(pilot: Pilot[Any], *steps: list[str]) -> None:
    """Answer the dialog's steps in turn: each step's keys, then a pause for the next step to show."""
    for keys in steps:
        await pilot.press(*keys)
        await pilot.pause()


async def test_add_an_automation_by_picking_when_what_and_which_list(demo_db: Database) -> None:
    app = make_app(demo_db)
    before = len(automation_rules.list_automations(demo_db, "Wedding Photography", "Consultation"))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for key in await _open_on(demo_db, "Consultation", ["a"]):
            await pilot.press(key)
        await answer(
            pilot,
            ["enter"],  # when a job enters the stage
            [*"tasks", "enter"],  # create tasks from a saved list
            [*"wedding prep", "enter"],
            ["enter"],  # no tag condition: every client
            ["enter"],  # fires on every visit
        )
    rules = automation_rules.list_automations(demo_db, "Wedding Photography", "Consultation")
    assert len(rules) == before + 1
    assert (rules[-1].trigger, rules[-1].action, rules[-1].target) == ("enter", "create_tasks", "Wedding prep")
    # And it acts: a job entering Consultation now gets the list's tasks.
    inquiry = jobs.list_jobs(demo_db, "Wedding Photography", "Inquiry")[0]
    moved = jobs.advance(demo_db, inquiry.id)
    assert "4 task(s) from 'Wedding prep'" in moved.fired


async def test_toggle_reorder_delete_and_auto_move(demo_db: Database) -> None:
    app = make_app(demo_db)
    stage = "Contract Sent"  # the demo gives it an email and a task list, auto-move on
    first, second = automation_rules.list_automations(demo_db, "Wedding Photography", stage)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for key in await _open_on(demo_db, stage, ["space"]):
            await pilot.press(key)
        await pilot.pause()
        assert not automation_rules.list_automations(demo_db, "Wedding Photography", stage)[0].enabled
        await pilot.press("J")  # the first rule now fires second
        await pilot.pause()
        assert [r.id for r in automation_rules.list_automations(demo_db, "Wedding Photography", stage)] == [
            second.id,
            first.id,
        ]
        await pilot.press("m")  # auto-move off
        await pilot.pause()
        stage_id = first.stage_id
        assert not automation_rules.auto_move(demo_db, stage_id)
        await pilot.press("d", "enter")  # delete the highlighted rule (the moved one), confirmed
        await pilot.pause()
    assert [r.id for r in automation_rules.list_automations(demo_db, "Wedding Photography", stage)] == [second.id]


async def test_edit_changes_a_rule_in_place(demo_db: Database) -> None:
    app = make_app(demo_db)
    stage = "Contract Sent"
    first, _ = automation_rules.list_automations(demo_db, "Wedding Photography", stage)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for key in await _open_on(demo_db, stage, ["e"]):
            await pilot.press(key)
        await answer(
            pilot,
            ["enter"],  # when a job enters the stage
            [*"archive", "enter"],
            [*"vip", "enter"],  # only for clients tagged vip
            ["down", "down", "enter"],  # not again within…
            ["backspace", "3", "enter"],  # …3 days
        )
    edited = automation_rules.list_automations(demo_db, "Wedding Photography", stage)[0]
    assert (edited.id, edited.action, edited.position) == (first.id, "archive", first.position)
    assert (edited.required_tags, edited.reentry) == (("vip",), "days:3")
    assert edited.summary == "on entering archive the job if tagged vip (not again within 3 days)"


async def test_add_note_is_offered_and_asks_for_its_line(demo_db: Database) -> None:
    """An action added through the registry gets its dialog step without a change to the dialog."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for key in await _open_on(demo_db, "Consultation", ["a"]):
            await pilot.press(key)
        await answer(
            pilot,
            ["enter"],  # when a job enters the stage
            [*"notes", "enter"],  # add a line to the notes
            [*"Met {{ client.first_name }}", "enter"],
            ["enter"],  # no tag condition: every client
            ["enter"],  # fires on every visit
        )
    rule = automation_rules.list_automations(demo_db, "Wedding Photography", "Consultation")[-1]
    assert (rule.trigger, rule.action, rule.target) == ("enter", "add_note", "Met {{ client.first_name }}")
    inquiry = jobs.list_jobs(demo_db, "Wedding Photography", "Inquiry")[0]
    moved = jobs.advance(demo_db, inquiry.id)
    assert any(line.startswith("note added: Met ") for line in moved.fired)
    with closing(sqlite3.connect(demo_db.path)) as conn:
        notes = conn.execute("SELECT notes FROM job WHERE id = ?", (inquiry.id,)).fetchone()[0]
    assert notes.splitlines()[-1].startswith("Met ")
    assert "{{" not in notes

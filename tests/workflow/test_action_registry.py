"""The action registry: every action defined once, and what reads it (rules, lists, history)."""

from __future__ import annotations

import pytest

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.workflow.automations import actions, automation_rules
from studioflow.workflow.views import PipelineView
from tests.conftest import outside

OLD_NINE = [
    "send_email",
    "send_sms",
    "create_tasks",
    "set_status",
    "set_due",
    "move_to_pipeline",
    "archive",
    "send_invoice",
    "email_invoice",
]


def test_the_registry_holds_every_action_once_in_the_dialogs_order() -> None:
    assert actions.names()[: len(OLD_NINE)] == OLD_NINE
    assert "add_note" in actions.names()
    orders = [a.order for a in actions.all_actions()]
    assert len(set(orders)) == len(orders)
    for action in actions.all_actions():
        assert action.label
        assert action.word
        for param in action.params:
            assert param.option.startswith("--")
            assert param.noun
            # A question the dialog asks either offers choices or takes a typed answer.
            assert param.ask or not param.choices


def test_one_parameter_key_is_one_cli_option() -> None:
    for key, users in actions.params_by_key():
        assert len({param.option for _, param in users}) == 1, key
        assert len({param.number for _, param in users}) == 1, key


def test_a_second_action_of_the_same_name_is_refused() -> None:
    with pytest.raises(ValueError, match="two automation actions are named 'archive'"):
        actions.register(actions.get("archive"))


def test_an_unknown_action_is_refused_with_the_registrys_names(db: Database, wedding: PipelineView) -> None:
    with pytest.raises(StudioflowError, match=r"an action is one of send_email, send_sms, .*add_note.*not 'send_fax'"):
        automation_rules.add_automation(db, "Wedding", "Booked", "enter", "send_fax")


def test_a_stored_rule_of_an_action_this_version_lacks_is_still_listed(db: Database, wedding: PipelineView) -> None:
    """The column has no CHECK now: a rule the registry does not know shows, it does not break the list."""
    rule = automation_rules.add_automation(db, "Wedding", "Booked", "enter", "archive")
    with outside(db) as conn:
        conn.execute("UPDATE automation SET action = 'launch_rocket' WHERE id = ?", (rule.id,))
    listed = automation_rules.list_automations(db, "Wedding", "Booked")
    assert [r.summary for r in listed] == ["on entering launch_rocket (an action this version does not know)"]
    assert actions.word("launch_rocket") == "launch_rocket"

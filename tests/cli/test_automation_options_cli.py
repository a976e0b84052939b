"""`automation add` builds its options from the action registry."""

from __future__ import annotations

from studioflow.workflow.automations import actions

from .conftest import Cli


def test_automation_add_offers_every_registered_action_and_parameter(cli: Cli) -> None:
    helped = " ".join(cli("automation", "add", "--help").ok().split())
    for name in actions.names():
        assert name in helped
    for _key, users in actions.params_by_key():
        assert users[0][1].option in helped
        for action, param in users:
            assert " ".join(param.help.split()) in helped, (action.name, param.key)

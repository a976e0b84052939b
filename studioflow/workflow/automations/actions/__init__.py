"""Automation actions, one module each; importing this package registers them all.

Adding an action is adding a module here that calls `register` (see `base.Action`): the
CLI's options, the automations dialog, the checks made when a rule is saved, the engine
that runs it and the descriptions all read the registry.
"""

from __future__ import annotations

import importlib
import pkgutil

from studioflow.workflow.automations.actions.base import (
    REGISTRY,
    Action,
    Firing,
    Param,
    all_actions,
    check_kind,
    check_params,
    get,
    names,
    params_by_key,
    register,
    word,
)

__all__ = [
    "REGISTRY",
    "Action",
    "Firing",
    "Param",
    "all_actions",
    "check_kind",
    "check_params",
    "get",
    "names",
    "params_by_key",
    "register",
    "word",
]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

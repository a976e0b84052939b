"""The workflow services the commands call, each imported when a command first uses it:
`--help` and the read commands (which read through `reads`, plain SQL) never load the ORM.
The type checker sees the modules themselves, so every call is checked."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from studioflow import process


class _OnUse:
    def __init__(self, name: str) -> None:
        self._name = f"studioflow.workflow.{name}"  # "room.module"

    def __getattr__(self, attr: str) -> Any:
        module = sys.modules.get(self._name)
        if module is None:
            with process.loading():  # the ORM, most often: see studioflow.process
                module = importlib.import_module(self._name)
        return getattr(module, attr)


__all__ = [
    "automation_rules",
    "automations",
    "clients",
    "events",
    "invoices",
    "jobclients",
    "jobs",
    "journal",
    "mileage",
    "names",
    "outbox",
    "pipelines",
    "quickadd",
    "reads",
    "spreadsheet",
    "tasks",
    "templates",
    "tracking",
    "transfer",
]

if TYPE_CHECKING:
    from studioflow.workflow import names
    from studioflow.workflow.automations import automation_rules, automations, outbox, templates
    from studioflow.workflow.board import reads
    from studioflow.workflow.files import spreadsheet, transfer
    from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
    from studioflow.workflow.money import invoices, mileage
    from studioflow.workflow.people import clients, jobclients
    from studioflow.workflow.schedule import events
    from studioflow.workflow.tasks import quickadd, tasks
else:
    automation_rules = _OnUse("automations.automation_rules")
    automations = _OnUse("automations.automations")
    clients = _OnUse("people.clients")
    events = _OnUse("schedule.events")
    invoices = _OnUse("money.invoices")
    jobclients = _OnUse("people.jobclients")
    jobs = _OnUse("jobs.jobs")
    journal = _OnUse("jobs.journal")
    mileage = _OnUse("money.mileage")
    names = _OnUse("names")
    outbox = _OnUse("automations.outbox")
    pipelines = _OnUse("jobs.pipelines")
    quickadd = _OnUse("tasks.quickadd")
    reads = _OnUse("board.reads")
    spreadsheet = _OnUse("files.spreadsheet")
    tasks = _OnUse("tasks.tasks")
    templates = _OnUse("automations.templates")  # brings jinja2: only the commands that need it load it
    tracking = _OnUse("jobs.tracking")
    transfer = _OnUse("files.transfer")

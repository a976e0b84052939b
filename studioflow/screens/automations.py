"""A stage's automations: list, add, enable/disable, reorder, delete; the stage's auto-move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, OptionList

from studioflow.screens.dialogs import ListDialog, PickerDialog, PromptDialog, confirm, list_dialog, refill
from studioflow.screens.effects import run_effect
from studioflow.store import Database
from studioflow.widgets.keys import key_for
from studioflow.workflow.automations import actions, automation_rules
from studioflow.workflow.automations.automation_rules import AutomationView
from studioflow.workflow.jobs import pipelines
from studioflow.workflow.people import clients

TRIGGERS = [
    ("when a job enters the stage", "enter"),
    ("when a job completes the stage", "complete"),
    ("when a job skips the stage", "skip"),
    ("when the job gets a status", "status"),
]
REENTRY = [
    ("every visit (each time the job comes back)", "every"),
    ("first visit only (never again for this job)", "first"),
    ("not again within some days…", "days"),
]


class AutomationsDialog(ListDialog[AutomationView]):
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="automations.close"),
        Binding("a", "add", "Add", id="automations.add"),
        Binding("e", "edit", "Edit", id="automations.edit"),
        Binding("space", "toggle", "On/off", id="automations.toggle"),
        Binding("K,shift+up", "move(-1)", "Earlier", id="automations.up"),
        Binding("J,shift+down", "move(1)", "Later", id="automations.down"),
        Binding("d", "delete", "Delete", id="automations.delete"),
        Binding("m", "auto_move", "Auto-move", id="automations.auto_move"),
    ]

    def __init__(self, db: Database, pipeline_id: int, stage_id: int) -> None:
        super().__init__(db)
        self.pipeline_id = pipeline_id
        self.stage_id = stage_id

    def compose(self) -> ComposeResult:
        title = Label("", id="automations-title", classes="dialog-title")
        yield list_dialog(title, "automations-list", classes="dialog automations")

    def _reload(self, highlight: int | None = None) -> None:
        options = self.query_one(OptionList)
        stage = next(s for s in pipelines.get_pipeline(self.db, self.pipeline_id).stages if s.id == self.stage_id)
        self.rows = automation_rules.list_automations(self.db, self.pipeline_id, self.stage_id)
        auto = "  [dim](auto-move on)[/dim]" if automation_rules.auto_move(self.db, self.stage_id) else ""
        self.query_one("#automations-title", Label).update(f"Automations of [b]{escape(stage.name)}[/b]{auto}")
        labels = [f"{number}. {rule.summary}" for number, rule in enumerate(self.rows, 1)]
        refill(options, labels, highlight, empty=f"(none yet: press {key_for(self, 'add', 'a')} to add one)")

    def _run(self, change: Callable[[], Any], highlight: int | None = None) -> None:
        run_effect(self, change, lambda _: self._reload(highlight))

    # Textual's DOMNode has a `toggle(attribute)` action of its own; this screen's `toggle` is another verb.
    def action_toggle(self) -> None:  # type: ignore[override]
        rule = self._row()
        if rule is not None:
            self._run(lambda: automation_rules.set_enabled(self.db, rule.id, not rule.enabled))

    def action_move(self, step: int) -> None:
        rule = self._row()
        index = self.query_one(OptionList).highlighted
        if rule is not None and index is not None and 0 <= index + step < len(self.rows):
            self._run(lambda: automation_rules.move_automation(self.db, rule.id, index + step + 1), index + step)

    def action_delete(self) -> None:
        rule = self._row()
        if rule is None:
            return

        def delete() -> None:
            self._run(lambda: automation_rules.delete_automation(self.db, rule.id))

        confirm(self, f"Delete “{rule.summary}”?", "Delete it", delete)

    def action_auto_move(self) -> None:
        on = not automation_rules.auto_move(self.db, self.stage_id)
        self._run(lambda: automation_rules.set_auto_move(self.db, self.pipeline_id, self.stage_id, on))

    def action_edit(self) -> None:
        rule = self._row()
        if rule is not None:
            self.action_add(rule.id)

    @work(exclusive=True, group="add-automation")
    async def action_add(self, replacing: int | None = None) -> None:
        """Ask, one small dialog at a time: when, what, and what it uses (also to edit one)."""
        trigger = await self.app.push_screen_wait(PickerDialog("When should it fire?", TRIGGERS))
        if not isinstance(trigger, str):
            return
        options: dict[str, Any] = {}
        statuses = [(s.name, s.id) for s in clients.list_statuses(self.db)]
        if trigger == "status":
            status = await self._pick("Which status?", statuses, "no job statuses yet (studioflow status add)")
            if status is None:
                return
            options["status"] = status
        choices = [(spec.label, spec.name) for spec in actions.all_actions()]
        action = await self.app.push_screen_wait(PickerDialog("What should it do?", choices))
        if not isinstance(action, str):
            return
        spec = actions.get(action)
        for param in spec.params:
            if param.ask:
                value = await self._ask(param)
                if value is None:
                    return
                options[param.key] = value
        if spec.channel:
            delay = await self.app.push_screen_wait(PromptDialog("Send after how many days? (0 = at once)", "0"))
            if delay is None:
                return
            if not delay.strip().isdecimal():
                self.notify(f"“{delay}” is not a number of days.", severity="error")
                return
            options["delay_minutes"] = int(delay) * 1440
        old = next((r for r in self.rows if r.id == replacing), None)
        conditions = await self._conditions(old)
        if conditions is None:
            return
        options.update(conditions)
        if replacing is not None:
            keep = self.query_one(OptionList).highlighted
            self._run(lambda: automation_rules.edit_automation(self.db, replacing, trigger, action, **options), keep)
            return
        self._run(
            lambda: automation_rules.add_automation(
                self.db, self.pipeline_id, self.stage_id, trigger, action, **options
            ),
            len(self.rows),
        )

    async def _conditions(self, old: AutomationView | None) -> dict[str, Any] | None:
        """The last steps: the clients' tags it waits for, and whether it fires again on a later visit."""
        tags = await self.app.push_screen_wait(
            PromptDialog(
                "Only for clients with these tags? (comma-separated; empty: every client)",
                ", ".join(old.required_tags) if old else "",
                "e.g. vip, wedding",
            )
        )
        if tags is None:
            return None
        current = 0 if old is None else [value for _, value in REENTRY].index(old.reentry.split(":")[0])
        rule = await self.app.push_screen_wait(
            PickerDialog("When the job comes back to this stage, fire…", REENTRY, current=current)
        )
        if not isinstance(rule, str):
            return None
        if rule == "days":
            had = old.reentry.removeprefix("days:") if old and old.reentry.startswith("days:") else "7"
            days = await self.app.push_screen_wait(PromptDialog("Not again within how many days?", had))
            if days is None:
                return None
            rule = f"days:{days.strip()}"  # checked by the service, which says what is wrong
        return {"required_tags": [t.strip() for t in tags.split(",") if t.strip()], "reentry": rule}

    async def _ask(self, param: actions.Param) -> int | str | None:
        """One step of the action's own: pick one of its choices, or type a number or a text."""
        if param.choices is not None:
            return await self._pick(param.ask, param.choices(self.db, self.pipeline_id), param.empty)
        answer = await self.app.push_screen_wait(PromptDialog(param.ask, param.default, param.placeholder))
        if answer is None or not param.number:
            return answer  # a text is checked by the service, which says what is wrong
        if not answer.strip().isdecimal():
            self.notify(f"“{answer}” is not a number.", severity="error")
            return None
        return int(answer)

    async def _pick(self, title: str, choices: list[tuple[str, int]], empty: str) -> int | None:
        if not choices:
            self.notify(empty.capitalize() + ".", severity="warning")
            return None
        picked = await self.app.push_screen_wait(PickerDialog(title, choices))
        return picked if isinstance(picked, int) else None

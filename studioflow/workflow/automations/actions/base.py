"""What an automation action is, and the registry the action modules fill.

An `Action` says everything about one action in one place: its parameters (the CLI
options, the dialog's questions, the checks made when a rule is saved), how it runs
when a stage fires it, and how lists, the history and the dry run describe it.

No ORM here, nor in the action modules' top level: the CLI builds `automation add`'s
options from the registry at start-up, and `--help` must not load SQLAlchemy. Actions
import what they run with inside their functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studioflow.errors import StudioflowError
from studioflow.store.choices import NOUN, PIPELINE_KINDS

if TYPE_CHECKING:
    from sqlmodel import Session

    from studioflow.store import Database
    from studioflow.store.models import Automation, AutomationRun, Pipeline, StageVisit
    from studioflow.workflow.automations.automations import Effect
    from studioflow.workflow.jobs.subjects import Subject


@dataclass(frozen=True)
class Record:
    """What a parameter that names one stored record (a saved task list, a status) is of. The user
    names it, or gives its id; the rule keeps its id under `stored_as`, and lists and the history
    show its name, or `gone` once it has been deleted."""

    model: str  # its table's class in store.models: "SavedTaskList"
    what: str  # in refusals: "no saved task list 'x'"
    stored_as: str  # its id's key in the rule's params: "list_id"
    gone: str  # its name once it is deleted: "(deleted list)"

    def stored_id(self, session: Session, ref: int | str) -> int:
        from studioflow.store import models
        from studioflow.workflow import lookup

        found: Any = lookup.find(session, getattr(models, self.model), ref, self.what)
        return int(found.id)

    def name(self, session: Session, params: Mapping[str, Any]) -> str:
        from studioflow.store import models

        row = session.get(getattr(models, self.model), params.get(self.stored_as))
        return self.gone if row is None else str(row.name)


@dataclass(frozen=True)
class Param:
    """One thing an action needs, as `add_automation(..., key=value)` takes it."""

    key: str  # the keyword and the CLI's dest: "template", "saved_list", "days", "text"
    help: str  # the CLI help, for this action
    noun: str = ""  # in refusals: "… does not use a saved list"; "" = the key in words
    option: str = ""  # the CLI option: "--list"; "" = the key as an option ("--to-stage")
    needs: str = ""  # "… needs a saved task list"; "" = optional
    number: bool = False  # a whole number (days) rather than a name, an id or a text
    metavar: str = "X"
    ask: str = ""  # the dialog's question; "" = only the CLI sets it
    default: str = ""  # the dialog's prefilled answer to a typed question
    placeholder: str = ""  # the dialog's hint under a typed question
    # The dialog's choices, (label, id), for a stage of the given pipeline; None = typed.
    choices: Callable[[Database, int], list[tuple[str, int]]] | None = None
    empty: str = ""  # said when there is nothing to choose
    record: Record | None = None  # it names a stored record: looked up and kept by id (see Record)

    def __post_init__(self) -> None:
        # Most parameters are named alike everywhere: to_stage, "to stage", --to-stage.
        if not self.noun:
            object.__setattr__(self, "noun", self.key.replace("_", " "))
        if not self.option:
            object.__setattr__(self, "option", "--" + self.key.replace("_", "-"))


@dataclass(frozen=True)
class Firing:
    """One automation firing in one visit, inside the move's transaction: what `run` gets."""

    session: Session
    subject: Subject
    visit: StageVisit
    automation: Automation
    run: AutomationRun
    depth: int

    @property
    def params(self) -> dict[str, Any]:
        return self.automation.params


@dataclass(frozen=True)
class Action:
    name: str  # stored in automation.action
    label: str  # the dialog's choice: "send an email"
    word: str  # the history's word when a run has no outcome: "email"
    order: int  # where it stands in the dialog and in `--action`'s choices
    run: Callable[[Firing], Effect]  # the action, in the move's transaction
    describe: Callable[[str], str]  # the rule's "what", given its target: "send email 'Thanks'"
    params: tuple[Param, ...] = ()
    # Checks and looks up the given values (every needed one is there, no other, and a record's
    # already looked up, see Record); the result is stored as the rule's params. StudioflowError
    # says what is wrong. Default: the values are stored as given.
    setup: Callable[[Session, Pipeline, dict[str, Any]], dict[str, Any]] = lambda _session, _pipeline, values: values
    # What it uses: a template's name, "+3 days"; default: the name of the record it names, if any.
    target: Callable[[Session, Mapping[str, Any]], str] | None = None
    kinds: tuple[str, ...] = PIPELINE_KINDS  # the pipelines it may be set on
    channel: str = ""  # "email" or "sms": it queues a message, which may be delayed
    moves: bool = False  # it moves the card: not while the card is leaving a stage

    def target_of(self, session: Session, params: Mapping[str, Any]) -> str:
        """What the rule uses, for lists and the history (see `target`)."""
        if self.target is not None:
            return self.target(session, params)
        return ", ".join(p.record.name(session, params) for p in self.params if p.record is not None)


REGISTRY: dict[str, Action] = {}


def register(action: Action) -> Action:
    if action.name in REGISTRY:
        raise ValueError(f"two automation actions are named {action.name!r}")
    REGISTRY[action.name] = action
    return action


def get(name: str) -> Action:
    action = REGISTRY.get(name)
    if action is None:
        raise StudioflowError(f"an action is one of {', '.join(names())}, not {name!r}")
    return action


def names() -> list[str]:
    return [a.name for a in sorted(REGISTRY.values(), key=lambda a: a.order)]


def all_actions() -> list[Action]:
    return [REGISTRY[name] for name in names()]


def word(name: str) -> str:
    """The history's word for an action (its name, for one this version does not know)."""
    action = REGISTRY.get(name)
    return name if action is None else action.word


def params_by_key() -> Iterator[tuple[str, list[tuple[Action, Param]]]]:
    """Each parameter key, with the actions using it: the CLI makes one option of each."""
    keys: dict[str, list[tuple[Action, Param]]] = {}
    for action in all_actions():
        for param in action.params:
            keys.setdefault(param.key, []).append((action, param))
    yield from keys.items()


def check_kind(action: Action, pipeline: Pipeline) -> None:
    """Refuse an action on a pipeline whose cards it cannot act on."""
    if pipeline.kind not in action.kinds:
        kinds = [NOUN[k] for k in action.kinds]
        allowed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
        raise StudioflowError(f"{action.name} is for {allowed} pipelines; {pipeline.name!r} tracks {pipeline.kind}")


def check_params(session: Session, action: Action, pipeline: Pipeline, values: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's params: refuses values the action does not use and needed ones missing,
    then lets the action check and look up the rest."""
    known = {p.key: p for a in REGISTRY.values() for p in a.params}
    unknown = [key for key in values if key not in known]
    if unknown:
        raise TypeError(f"no automation action takes {unknown[0]!r}")
    own = {p.key for p in action.params}
    extra = [key for key, value in values.items() if value is not None and key not in own]
    if extra:
        raise StudioflowError(f"{action.name} does not use a {known[extra[0]].noun}")
    for param in action.params:
        if param.needs and values.get(param.key) in (None, ""):
            raise StudioflowError(f"{action.name} needs {param.needs}")
    given = {p.key: values.get(p.key) for p in action.params if p.record is None}
    found = {
        p.record.stored_as: p.record.stored_id(session, values[p.key])
        for p in action.params
        if p.record is not None and values.get(p.key) is not None
    }
    return {**found, **action.setup(session, pipeline, given)}

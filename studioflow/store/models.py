"""SQLModel tables for the whole domain of DESIGN.md.

The database, not only the services, guards the rules that must never break: one
active stage visit per job (partial unique index), a job's stage belongs to the job's
pipeline (composite foreign key), non-empty names, known states (CHECKs).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel, select
from sqlmodel.sql.expression import Select

from studioflow.store.choices import (
    CHANNELS,
    INVOICE_STATES,
    OUTBOX_STATES,
    PIPELINE_KINDS,
    VISIT_STATES,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without an offset (SQLite has no time zones) and hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _nonempty(column: str, table: str) -> CheckConstraint:
    return CheckConstraint(f"length(trim({column})) > 0", name=f"{table}_{column}_not_empty")


def _unique_whatever_the_case(table: str) -> Index:
    """PostgreSQL's twin of a NOCASE unique name (SQLite's own collation does it there)."""
    return Index(f"{table}_name_nocase", text("lower(name)"), unique=True).ddl_if(dialect="postgresql")


def _one_of(column: str, table: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{table}_{column}_known")


# SQLite's NOCASE (ASCII case ignored in UNIQUE and ORDER BY); PostgreSQL has no such collation
# built in, so there the column is plain text (the services match names by `fold` on both).
NOCASE = String(collation="NOCASE").with_variant(String(), "postgresql")


class Row(SQLModel):
    """What every table here shares, spelled out for the type checker.

    A row's `id` is None until the row is flushed; `saved_id` is the id of a saved row
    (an `int`, so callers need no None check) and fails loudly on one not yet saved.
    """

    # Table rows are never validated by pydantic (SQLModel skips it for tables), so its schema
    # is built only if asked for: building it for every table cost ~60 ms of each write's start.
    model_config = {"defer_build": True}

    if TYPE_CHECKING:
        # Set by SQLModel on every table class; declared so `Job.__table__` is a typed Table.
        __table__: ClassVar[Table]
        id: int | None

    @property
    def saved_id(self) -> int:
        if self.id is None:
            raise RuntimeError(f"this {type(self).__name__} has no id yet: it is not saved (flushed)")
        return self.id

    @classmethod
    def id_column(cls) -> Mapped[int]:
        """The id column, for a query: every row read back has an id, so its values are `int`."""
        return cast("Mapped[int]", cls.id)


# A WHERE condition: a SQL expression, or `bool`, which is what the checker sees for `Job.title == x`
# (SQLModel declares its columns as their Python values).
Condition = ColumnElement[bool] | bool


def partial_on_postgresql() -> None:
    """Give PostgreSQL the partial indexes the tables declare for SQLite. Declaring
    `postgresql_where` beside `sqlite_where` would load PostgreSQL's dialect (some 30 ms) into
    every start of a SQLite studio, so a PostgreSQL studio adds it when it opens."""
    for table in SQLModel.metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_options["postgresql"]["where"] = where


def select_wide(*entities: Any) -> Select[*tuple[Any, ...]]:
    """`select` of more than four tables or columns (SQLModel's `select` is typed for at most four);
    its rows are tuples of Any, to unpack into a view."""
    return select(*entities)


class Client(Row, table=True):
    __tablename__ = "client"
    __table_args__ = (_nonempty("name", "client"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, index=True)
    email: str = ""
    phone: str = ""
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Pipeline(Row, table=True):
    __tablename__ = "pipeline"
    __table_args__ = (
        _nonempty("name", "pipeline"),
        _one_of("kind", "pipeline", PIPELINE_KINDS),
        _unique_whatever_the_case("pipeline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, unique=True)
    position: int = 0
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # What its cards are (schema 5); every pipeline made before then tracks jobs.
    kind: str = Field(default="jobs", sa_column_kwargs={"server_default": "jobs"})
    # New resources of its kind enter it by themselves ("every new invoice enters Invoice follow-up").
    default_for_new: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class Stage(Row, table=True):
    __tablename__ = "stage"
    __table_args__ = (
        _nonempty("name", "stage"),
        CheckConstraint("due_in_days IS NULL OR due_in_days >= 0", name="stage_due_in_days_positive"),
        UniqueConstraint("pipeline_id", "name", name="stage_name_unique_in_pipeline"),
        # Target of job's composite key: a job's stage must be in the job's pipeline.
        UniqueConstraint("id", "pipeline_id", name="stage_id_pipeline"),
        Index("stage_by_pipeline", "pipeline_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipeline.id", ondelete="CASCADE")
    name: str = Field(sa_type=NOCASE)
    position: int = 0
    due_in_days: int | None = None
    # TaxDome's auto-move: once every task this stage's automations made for a visit is
    # done, the job advances by itself.
    auto_move: bool = False


class JobStatus(Row, table=True):
    __tablename__ = "job_status"
    __table_args__ = (_nonempty("name", "job_status"), _unique_whatever_the_case("job_status"))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, unique=True)
    colour: str = "yellow"
    position: int = 0


class Automation(Row, table=True):
    __tablename__ = "automation"
    __table_args__ = (
        # No CHECK on the trigger and the action: the registry of actions
        # (workflow/automations/actions) checks them, so a new action needs no migration.
        CheckConstraint("(trigger = 'status') = (status_id IS NOT NULL)", name="automation_status_trigger_has_status"),
        CheckConstraint("delay_minutes >= 0", name="automation_delay_positive"),
        Index("automation_by_stage", "stage_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", ondelete="CASCADE")
    trigger: str = "enter"
    status_id: int | None = Field(default=None, foreign_key="job_status.id", ondelete="CASCADE")
    action: str
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Messages only: sent this long after the trigger ("call after 2 days").
    delay_minutes: int = 0
    # Fires only for a client who has every one of these tags.
    required_tags: list[str] = Field(default_factory=list, sa_type=JSON)
    # A delayed message is cancelled when the job leaves the stage first, unless kept.
    keep_on_leave: bool = False
    enabled: bool = True
    position: int = 0
    # Firing again on a later visit of the same job: "every" visit, "first" visit only,
    # or "days:N" (not again within N days).
    reentry: str = Field(default="every", sa_column_kwargs={"server_default": "every"})


class AutomationRun(Row, table=True):
    """The run ledger: an automation fires at most once per stage visit (unique pair)."""

    __tablename__ = "automation_run"
    __table_args__ = (
        UniqueConstraint("automation_id", "visit_id", name="automation_once_per_visit"),
        # Ids never come back after a delete: undo/redo and idempotency keys rely on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    automation_id: int = Field(foreign_key="automation.id", ondelete="CASCADE")
    visit_id: int = Field(foreign_key="stage_visit.id", ondelete="CASCADE", index=True)
    ran_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: str = ""


class Job(Row, table=True):
    __tablename__ = "job"
    __table_args__ = (
        _nonempty("title", "job"),
        ForeignKeyConstraint(
            ["stage_id", "pipeline_id"], ["stage.id", "stage.pipeline_id"], name="job_stage_in_pipeline"
        ),
        # The board reads one column at a time, in card order, and counts cards per column.
        Index("job_by_column", "stage_id", "archived", "position"),
        Index("job_by_pipeline", "pipeline_id", "archived", "stage_id"),
        # Ids never come back after a delete: undo/redo and idempotency keys rely on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL", index=True)
    pipeline_id: int = Field(foreign_key="pipeline.id")
    stage_id: int
    status_id: int | None = Field(default=None, foreign_key="job_status.id", ondelete="SET NULL")
    due_on: date | None = None
    position: int = 0
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Markdown, written in $EDITOR from the job page.
    notes: str = Field(default="", sa_column_kwargs={"server_default": ""})


class JobClient(Row, table=True):
    """A client taking part in a job, with their role ("bride", "payer"...).

    The job's primary client stays `job.client_id` (the board shows it); this table
    holds every client of the job, the primary one included once it has a role.
    """

    __tablename__ = "job_client"
    __table_args__ = (
        UniqueConstraint("job_id", "client_id", name="job_client_once"),
        Index("job_client_by_client", "client_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", ondelete="CASCADE")
    client_id: int = Field(foreign_key="client.id", ondelete="CASCADE")
    role: str = ""


ACTIVE = text("state = 'active'")


class StageVisit(Row, table=True):
    """One passage of a resource through a stage; a resource's history is its visits in id order.

    The resource is a job, a client, an event or an invoice: one nullable foreign key
    each, exactly one set (CHECK). Separate keys rather than a (kind, id) pair, so the
    database keeps the links true (a deleted client takes its visits with it) and each
    kind gets its own partial unique index: one active visit per job (a job rides one
    pipeline), one per client/event/invoice *and pipeline* (they may sit in several).
    Jobs keep their board place on the job row; the other kinds' card order is the
    active visit's `position`, and `pipeline_id` says which pipeline the visit is in
    (it outlives a deleted stage).
    """

    __tablename__ = "stage_visit"
    __table_args__ = (
        _one_of("state", "stage_visit", VISIT_STATES),
        CheckConstraint("(state = 'active') = (left_at IS NULL)", name="stage_visit_open_iff_active"),
        # SQLite adds truth values as numbers; PostgreSQL counts them with num_nonnulls.
        CheckConstraint(
            "(job_id IS NOT NULL) + (client_id IS NOT NULL) + (event_id IS NOT NULL) + (invoice_id IS NOT NULL) = 1",
            name="stage_visit_one_resource",
        ).ddl_if(dialect="sqlite"),
        CheckConstraint(
            "num_nonnulls(job_id, client_id, event_id, invoice_id) = 1", name="stage_visit_one_resource"
        ).ddl_if(dialect="postgresql"),
        CheckConstraint("job_id IS NOT NULL OR pipeline_id IS NOT NULL", name="stage_visit_tracked_in_pipeline"),
        Index("one_active_visit_per_job", "job_id", unique=True, sqlite_where=ACTIVE),
        Index("one_active_visit_per_client", "client_id", "pipeline_id", unique=True, sqlite_where=ACTIVE),
        Index("one_active_visit_per_event", "event_id", "pipeline_id", unique=True, sqlite_where=ACTIVE),
        Index("one_active_visit_per_invoice", "invoice_id", "pipeline_id", unique=True, sqlite_where=ACTIVE),
        Index("visit_by_job", "job_id", "id"),
        Index("visit_by_client", "client_id", "id"),
        Index("visit_by_event", "event_id", "id"),
        Index("visit_by_invoice", "invoice_id", "id"),
        # The board of a client, event or invoice pipeline reads a column's active visits in card order.
        Index("visit_by_column", "stage_id", "state", "position"),
        # Ids never come back after a delete: undo/redo and idempotency keys rely on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE")
    client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="CASCADE")
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="CASCADE")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", ondelete="CASCADE")
    pipeline_id: int | None = Field(default=None, foreign_key="pipeline.id", ondelete="CASCADE")
    # A deleted stage leaves its history readable through the name kept here.
    stage_id: int | None = Field(default=None, foreign_key="stage.id", ondelete="SET NULL")
    stage_name: str
    state: str = "active"
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Entered by a move made without automations (a correction): none of its stage's fired.
    automations_off: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def tracked_pipeline_id(self) -> int:
        """The pipeline of a client's, event's or invoice's visit (stage_visit_tracked_in_pipeline keeps it set)."""
        if self.pipeline_id is None:
            raise RuntimeError(f"stage visit {self.id} is a job's: it has no pipeline of its own")
        return self.pipeline_id


class Event(Row, table=True):
    __tablename__ = "event"
    __table_args__ = (
        _nonempty("title", "event"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="event_ends_after_start"),
        Index("event_by_start", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL")
    title: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str = ""


class Invoice(Row, table=True):
    __tablename__ = "invoice"
    __table_args__ = (
        _nonempty("number", "invoice"),
        _one_of("status", "invoice", INVOICE_STATES),
        CheckConstraint("due_on IS NULL OR due_on >= issued_on", name="invoice_due_after_issue"),
        CheckConstraint("tax_rate_bp >= 0", name="invoice_tax_rate_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="SET NULL", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL", index=True)
    number: str = Field(unique=True)
    issued_on: date
    due_on: date | None = None
    status: str = "draft"
    # Files of schema 4 and before kept one tax rate here, in basis points; schema 5 moved
    # it into invoice_tax (several named taxes) and left 0 here. Nothing reads it.
    tax_rate_bp: int = 0
    notes: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The sent invoice this one corrects (that one was voided when this one was made).
    replaces_id: int | None = Field(default=None, foreign_key="invoice.id", ondelete="SET NULL")


class InvoiceLine(Row, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="invoice_line_quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="invoice_line_price_positive"),
        Index("line_by_invoice", "invoice_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", ondelete="CASCADE")
    description: str = ""
    quantity: int = 1
    unit_price_cents: int = 0
    position: int = 0


class InvoiceTax(Row, table=True):
    """One named tax of an invoice (GST 5 %, QST 9.975 %), each computed on the subtotal."""

    __tablename__ = "invoice_tax"
    __table_args__ = (
        _nonempty("name", "invoice_tax"),
        CheckConstraint("rate_ppm BETWEEN 0 AND 1000000", name="invoice_tax_rate_range"),
        Index("tax_by_invoice", "invoice_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", ondelete="CASCADE")
    name: str
    # Parts per million of the base (9.975 % = 99750): three decimals of a percent, in integers.
    rate_ppm: int
    position: int = 0


class MileageLog(Row, table=True):
    __tablename__ = "mileage_log"
    __table_args__ = (
        CheckConstraint("distance >= 0", name="mileage_distance_positive"),
        CheckConstraint("rate_cents >= 0", name="mileage_rate_positive"),
        _one_of("unit", "mileage_log", ("mi", "km")),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    trip_on: date
    distance: float
    unit: str = "mi"
    purpose: str = ""
    rate_cents: int = 0


class Project(Row, table=True):
    __tablename__ = "project"
    __table_args__ = (_nonempty("name", "project"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL")
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", ondelete="SET NULL")
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Task(Row, table=True):
    __tablename__ = "task"
    __table_args__ = (
        _nonempty("title", "task"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="task_priority_range"),
        # The task screens list open tasks by due date, and a job's tasks in order.
        Index("task_open_by_due", "done_at", "due_on"),
        Index("task_by_job", "job_id", "position"),
        Index("task_by_project", "project_id", "position"),
        # Ids never come back after a delete: undo/redo and idempotency keys rely on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE")
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="CASCADE")
    due_on: date | None = None
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    priority: int = 0
    notes: str = ""
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The automation run that created the task, if any (auto-move and undo need it).
    run_id: int | None = Field(default=None, foreign_key="automation_run.id", ondelete="SET NULL", index=True)


class SavedTaskList(Row, table=True):
    __tablename__ = "saved_task_list"
    __table_args__ = (_nonempty("name", "saved_task_list"), _unique_whatever_the_case("saved_task_list"))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, unique=True)


class SavedTaskItem(Row, table=True):
    __tablename__ = "saved_task_item"
    __table_args__ = (
        _nonempty("title", "saved_task_item"),
        CheckConstraint("due_offset_days IS NULL OR due_offset_days >= 0", name="saved_task_offset_positive"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="saved_task_priority_range"),
        Index("item_by_list", "list_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="saved_task_list.id", ondelete="CASCADE")
    title: str
    due_offset_days: int | None = None
    position: int = 0
    # Given to the tasks made from the item (schema 2).
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class MessageTemplate(Row, table=True):
    __tablename__ = "message_template"
    __table_args__ = (
        _nonempty("name", "message_template"),
        _one_of("channel", "message_template", CHANNELS),
        _unique_whatever_the_case("message_template"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=NOCASE, unique=True)
    channel: str = "email"
    subject: str = ""
    body: str = ""


class OutboxMessage(Row, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        _one_of("channel", "outbox_message", CHANNELS),
        _one_of("state", "outbox_message", OUTBOX_STATES),
        CheckConstraint("attempts >= 0", name="outbox_attempts_positive"),
        # The delivery worker asks: which queued messages are due?
        Index("outbox_due", "state", "send_at"),
        # Ids never come back after a delete: undo/redo and idempotency keys rely on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    channel: str = "email"
    to_addr: str
    subject: str = ""
    body: str = ""
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="SET NULL", index=True)
    automation_id: int | None = Field(default=None, foreign_key="automation.id", ondelete="SET NULL")
    # The stage visit whose automation queued it: leaving that stage may cancel it.
    visit_id: int | None = Field(default=None, foreign_key="stage_visit.id", ondelete="SET NULL", index=True)
    cancel_on_leave: bool = False
    state: str = "queued"
    send_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str = ""
    message_id: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the mail server answered when it took the message (e.g. "250 2.0.0 Ok: queued as 4F2A").
    reply: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # Delivered only to the local stub outbox (no mail server set): it never left the machine.
    local_only: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class Setting(SQLModel, table=True):
    """Small remembered choices of the user (e.g. the last pipeline shown)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class JournalEntry(Row, table=True):
    """One undoable action: the rows of the jobs it touched, before and after (see workflow.journal).

    Kept in the database so that undo still works after a restart.
    """

    __tablename__ = "journal_entry"
    # Undo, redo and "a new action clears redo" each look for the newest or oldest
    # entry in one state; without it they read every entry's large JSON.
    __table_args__ = (Index("journal_by_state", "undone", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    label: str
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # What the action's automations made besides moving jobs (tasks, runs, messages),
    # as rows: undo takes back what nobody touched since, redo puts it back.
    effects: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Undone entries are the redo stack; they are always the newest ones.
    undone: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

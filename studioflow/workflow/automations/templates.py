"""Message templates: an email or a text with placeholders, checked when saved, rendered in a sandbox.

A template is text with `{{ placeholder }}`, `{% if %}` and a few filters. Loops,
macros, `{% set %}` and calls are refused, so every part of a template is evaluated at
most once and rendering takes time linear in its size; the operators that multiply
(`*`, `**`, `%`) are checked before they run against a budget for the whole render,
and output is capped as it streams. A typo in a placeholder is refused at save time,
not discovered when a message is about to go out.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta, nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from sqlalchemy import func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import CHANNELS, Client, Event, Invoice, Job, MessageTemplate, Pipeline, Stage, utcnow
from studioflow.workflow import lookup
from studioflow.workflow.views import TemplateView

PLACEHOLDERS = (
    "client.name",
    "client.first_name",
    "client.email",
    "client.phone",
    "job.title",
    "job.due",
    "stage.name",
    "pipeline.name",
    # The job's next upcoming session; `events` lists every upcoming one, a line each.
    "event.title",
    "event.date",
    "event.time",
    "event.location",
    "events",
    # The invoice being sent, else the job's latest open one; `owed` is what the job's client owes in all.
    "invoice.number",
    "invoice.subtotal",
    "invoice.taxes",  # each named tax and its amount: "GST 5 %: 50.00; QST 9.975 %: 99.75"
    "invoice.total",
    "invoice.due",
    "invoice.owed",
    "me.name",
    "me.business",
    "today",
)
ROOTS = frozenset(p.split(".")[0] for p in PLACEHOLDERS)
# Filters that never make their input much longer; `center`, `indent`, `replace`,
# `format` and friends could each turn a short template into megabytes.
FILTERS = ("capitalize", "d", "default", "first", "last", "length", "lower", "title", "trim", "truncate", "upper")

MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_RENDERED_BODY = 100_000
# What `*` may build in one render (characters or list items), and the largest integer
# `*` or `**` may make: plenty for a message, far from a memory bomb.
MAX_BUILT = MAX_RENDERED_BODY
MAX_BITS = 1024

RenderContext = Mapping[str, Mapping[str, str] | str]

_NOT_ALLOWED: dict[type[nodes.Node], str] = {
    nodes.For: "loops ({% for %})",
    nodes.Macro: "macros",
    nodes.CallBlock: "{% call %} blocks",
    nodes.Call: "calls (use a filter such as |upper instead)",
    nodes.Assign: "variables ({% set %})",
    nodes.AssignBlock: "variables ({% set %})",
    nodes.With: "{% with %} blocks",
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "imports",
    nodes.FromImport: "imports",
    nodes.Block: "{% block %}",
}
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # whatever str.splitlines splits on


MAX_SECONDS = 2.0  # the wall-clock bound of one render, whatever the template does


class _Budget:
    """What the multiplying operators of one render may still build, and until when it may run."""

    def __init__(self) -> None:
        self.left = MAX_BUILT
        self.deadline = time.monotonic() + MAX_SECONDS

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"the template takes too long to fill in (more than {MAX_SECONDS:g} s)")


# Per render, and safe if two threads render at once.
_budget: ContextVar[_Budget | None] = ContextVar("studioflow_template_budget", default=None)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox with nothing in scope but the placeholders, and bounded multiplication."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            # Text messages: a line holding only `{% if %}` leaves no blank line behind.
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # No range(), lipsum(), dict(), cycler(): find_undeclared_variables then reports them too.
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in FILTERS}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        # Checked before computing: `9 ** 10 ** 9` or `'x' * 10 ** 8` would take minutes or
        # gigabytes before any cap on the output could see them.
        both_ints = _is_int(left) and _is_int(right)
        if operator == "%" and isinstance(left, str):
            raise SecurityError("% formatting of text is not allowed")
        if operator == "**" and both_ints and abs(left) > 1 and left.bit_length() * right > MAX_BITS:
            raise SecurityError("** would make too large a number")
        if operator == "*" and both_ints and left.bit_length() + right.bit_length() > MAX_BITS:
            raise SecurityError("* would make too large a number")
        if operator == "*" and not both_ints:
            _spend(left, right)
        return super().call_binop(context, operator, left, right)


def _spend(left: Any, right: Any) -> None:
    """Charge `text * n` (or `list * n`) to this render's budget before it is built.

    A list is charged for everything inside it, nested lists included: `[[1]*50000]*50000` is
    small in memory (the same inner list 50,000 times) but 2.5 billion items once written out.
    """
    budget = _budget.get() or _Budget()
    budget.check_time()
    seq, times = (right, left) if _is_int(left) else (left, right)
    if isinstance(seq, str | list | tuple) and _is_int(times):
        times = max(times, 0)
        size = _weight(seq, budget.left // max(times, 1) + 1) * times
        if size > budget.left:
            raise SecurityError(f"* would build {size:,} more characters (at most {MAX_BUILT:,} in all)")
        budget.left -= size


def _weight(value: Any, limit: int) -> int:
    """Items and characters in `value`, nested sequences counted in full; stops counting past `limit`."""
    total = 0
    waiting = [value]
    while waiting and total <= limit:
        item = waiting.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | dict):
            total += len(item)
            waiting.extend(item.values() if isinstance(item, dict) else item)
        else:
            total += 1
    return total


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


_ENV = _Sandbox()


# Checking


def check_template(channel: str, subject: str, body: str) -> None:
    """Refuse (StudioflowError) a template that could not be rendered or sent as it is."""
    if channel not in CHANNELS:
        raise StudioflowError(f"unknown channel {channel!r} (email or sms)")
    if channel == "sms" and subject:
        raise StudioflowError("a text message (sms) has no subject; leave it out")
    if channel == "email" and not subject.strip():
        raise StudioflowError("an email template needs a subject")
    if not body.strip():
        raise StudioflowError("the body cannot be empty")
    # A trial render finds at save time what would fail for every job (1/0, 'x' * 10**8).
    render(subject, body, _sample_context())


def _check_sizes(subject: str, body: str) -> None:
    if _LINE_BREAKS.intersection(subject):
        raise StudioflowError("the subject must be a single line")
    if len(subject) > MAX_SUBJECT:
        raise StudioflowError(f"the subject is too long ({len(subject):,} characters, at most {MAX_SUBJECT})")
    if len(body) > MAX_BODY:
        raise StudioflowError(f"the body is too long ({len(body):,} characters, at most {MAX_BODY:,})")


@functools.lru_cache(maxsize=128)  # automations render the same few templates for many jobs
def _compile(part: str, source: str) -> Template:
    """The checked and compiled `part` ("subject" or "body"); StudioflowError when refused."""
    try:
        tree = _ENV.parse(source)
        _check_tree(part, tree)
        return _ENV.from_string(tree)
    except TemplateSyntaxError as exc:  # also unknown tests, found when compiling
        raise StudioflowError(f"{part} line {exc.lineno}: {_one_line(exc.message or exc)}") from None
    except RecursionError:
        raise StudioflowError(f"the {part} is nested too deeply") from None
    except StudioflowError:
        raise
    except Exception as exc:  # e.g. an integer literal too long for Python to read
        raise StudioflowError(f"the {part} is not a valid template: {_one_line(exc)}") from None


def _check_tree(part: str, tree: nodes.Template) -> None:
    bad = next(tree.find_all(tuple(_NOT_ALLOWED)), None)
    if bad is not None:
        what = next(text for kind, text in _NOT_ALLOWED.items() if isinstance(bad, kind))
        raise StudioflowError(f"{part} line {bad.lineno}: a message template cannot use {what}")
    for node in tree.find_all(nodes.Filter):
        if node.name not in FILTERS:
            raise StudioflowError(
                f"{part} line {node.lineno}: unknown filter {node.name!r} (known: {', '.join(FILTERS)})"
            )
    used = _placeholders(tree)
    # Names the template reads but never defines: with no {% set %} and no loops, every one
    # must be a placeholder's first part. The walk then checks the part after the dot.
    unknown = meta.find_undeclared_variables(tree) - ROOTS
    if unknown:
        name = min(unknown, key=lambda n: (_line(used, n), n))
        raise _unknown(part, name, _line(used, name))
    for name, line in used:
        if name not in PLACEHOLDERS:
            raise _unknown(part, name, line)


def _placeholders(node: nodes.Node) -> list[tuple[str, int]]:
    """Every name read, with its line; `client.name` or `client['name']` as one name."""
    if isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
        if isinstance(node, nodes.Getattr):
            return [(f"{node.node.name}.{node.attr}", node.lineno)]
        field = node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else None
        name = f"{node.node.name}.{field}" if field is not None else f"{node.node.name}[…]"
        return [(name, node.lineno), *_placeholders(node.arg)]
    if isinstance(node, nodes.Name):
        return [(node.name, node.lineno)]
    return [found for child in node.iter_child_nodes() for found in _placeholders(child)]


def _line(used: list[tuple[str, int]], root: str) -> int:
    return min((line for name, line in used if name.split(".")[0] == root), default=1)


def _unknown(part: str, name: str, line: int) -> StudioflowError:
    where = f"the {part}" if part == "subject" else f"the {part} on line {line}"
    return StudioflowError(f"unknown placeholder {name} in {where} (known: {', '.join(PLACEHOLDERS)})")


def _one_line(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split()) or type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Rendering


def render(subject: str, body: str, context: RenderContext) -> tuple[str, str]:
    """The subject and body rendered against plain strings; StudioflowError naming the part that failed."""
    _check_sizes(subject, body)
    subject_template, body_template = _compile("subject", subject), _compile("body", body)
    plain = _plain(context)
    token = _budget.set(_Budget())
    try:
        rendered_subject = _stream("subject", subject_template, plain, MAX_SUBJECT)
        rendered_body = _stream("body", body_template, plain, MAX_RENDERED_BODY)
    finally:
        _budget.reset(token)
    if _LINE_BREAKS.intersection(rendered_subject):
        # A line break in a mail header starts a new header: never let one through.
        raise StudioflowError("the rendered subject contains a line break (check the placeholders it uses)")
    return rendered_subject, rendered_body


def _stream(part: str, template: Template, context: dict[str, Any], limit: int) -> str:
    pieces: list[str] = []
    size = 0
    try:
        budget = _budget.get()
        for piece in template.generate(context):
            if budget is not None:
                budget.check_time()
            size += len(piece)
            if size > limit:
                raise StudioflowError(f"the rendered {part} is longer than {limit:,} characters")
            pieces.append(piece)
    except StudioflowError:
        raise
    except Exception as exc:  # the template is user input: whatever it raises is its fault
        raise StudioflowError(f"could not render the {part}: {_one_line(exc)}") from None
    return "".join(pieces)


def _plain(context: RenderContext) -> dict[str, Any]:
    """A copy holding only strings: ORM rows never reach a template."""
    plain: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, str):
            plain[key] = value
        elif isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            plain[key] = {str(k): v for k, v in value.items()}
        else:
            raise TypeError(f"template context {key!r} must be a string or a mapping of strings")
    return plain


def _sample_context() -> dict[str, Any]:
    return {
        "client": {"name": "Sam Sample", "first_name": "Sam", "email": "sam@example.com", "phone": "+1 555 0100"},
        "job": {"title": "Sample job", "due": date.today().isoformat()},
        "stage": {"name": "Sample stage"},
        "pipeline": {"name": "Sample pipeline"},
        "event": {"title": "Sample session", "date": date.today().isoformat(), "time": "10:00", "location": "Studio"},
        "events": f"{date.today().isoformat()} 10:00 Sample session, Studio",
        "invoice": {
            "number": "INV-0001",
            "subtotal": "1,000.00",
            "taxes": "GST 5 %: 50.00; QST 9.975 %: 99.75",
            "total": "1,149.75",
            "due": date.today().isoformat(),
            "owed": "1,149.75",
        },
        "me": {"name": "Me", "business": "My business"},
        "today": date.today().isoformat(),
    }


def client_values(client: Client | None) -> dict[str, str]:
    name = client.name if client else ""
    return {
        "name": name,
        "first_name": (name.split() or [""])[0],
        "email": client.email if client else "",
        "phone": client.phone if client else "",
    }


def job_context(
    session: Session,
    job_id: int | None,
    me: Mapping[str, str],
    today: date | None = None,
    invoice_id: int | None = None,
) -> dict[str, Any]:
    """The placeholders' values for one job (None: a message about no job), as plain strings;
    "" for what the job does not have (no client, no due date, no session coming up)."""
    job = None if job_id is None else session.get(Job, job_id)
    if job is None and job_id is not None:
        raise StudioflowError(f"no job {job_id}")
    client = session.get(Client, job.client_id) if job and job.client_id is not None else None
    stage = session.get(Stage, job.stage_id) if job else None
    pipeline = session.get(Pipeline, job.pipeline_id) if job else None
    upcoming = _upcoming_events(session, job_id)
    first = upcoming[0] if upcoming else None
    return {
        "client": client_values(client),
        "job": {"title": job.title if job else "", "due": job.due_on.isoformat() if job and job.due_on else ""},
        "stage": {"name": stage.name if stage else ""},
        "pipeline": {"name": pipeline.name if pipeline else ""},
        "event": {
            "title": first.title if first else "",
            "date": first.starts_at.astimezone().date().isoformat() if first else "",
            "time": first.starts_at.astimezone().strftime("%H:%M") if first else "",
            "location": first.location if first else "",
        },
        "events": "\n".join(
            f"{e.starts_at.astimezone().strftime('%Y-%m-%d %H:%M')} {e.title}"
            + (f", {e.location}" if e.location else "")
            for e in upcoming
        ),
        "invoice": _invoice_values(session, job_id, invoice_id, today),
        "me": {"name": me.get("name", ""), "business": me.get("business", "")},
        "today": (today or date.today()).isoformat(),
    }


def tracked_context(
    session: Session, kind: str, resource_id: int, pipeline_id: int, me: Mapping[str, str], today: date | None = None
) -> dict[str, Any]:
    """The placeholders' values for a client (lead), event or invoice on a pipeline: its job's
    (if any) as for a job, then its own client (the lead, the event's client, the invoice's
    payer), stage and pipeline; an event's own `event.*`, an invoice's own `invoice.*`."""
    from studioflow.workflow.jobs import subjects  # builds on the store only; kept out of start-up

    tracked = subjects.Tracked(kind, resource_id, pipeline_id, "")
    invoice_id = resource_id if kind == "invoices" else None
    context = job_context(session, subjects.job_id_of(session, tracked), me, today, invoice_id=invoice_id)
    visit = subjects.active_visit(session, tracked)
    pipeline = session.get(Pipeline, pipeline_id)
    context["client"] = client_values(subjects.client_of(session, tracked))
    context["stage"] = {"name": visit.stage_name if visit else ""}
    context["pipeline"] = {"name": pipeline.name if pipeline else ""}
    event = session.get(Event, resource_id) if kind == "events" else None
    if event is not None:
        context["event"] = {
            "title": event.title,
            "date": event.starts_at.astimezone().date().isoformat(),
            "time": event.starts_at.astimezone().strftime("%H:%M"),
            "location": event.location,
        }
    return context


def _upcoming_events(session: Session, job_id: int | None) -> list[Event]:
    if job_id is None:
        return []
    query = select(Event).where(Event.job_id == job_id, col(Event.starts_at) >= utcnow())
    return list(session.exec(query.order_by(col(Event.starts_at), col(Event.id)).limit(20)).all())


def _invoice_values(session: Session, job_id: int | None, invoice_id: int | None, today: date | None) -> dict[str, str]:
    from studioflow.workflow.money import invoices  # on use: invoices queue messages through this module's renders

    blank = {"number": "", "subtotal": "", "taxes": "", "total": "", "due": "", "owed": ""}
    if invoice_id is not None:
        found = invoices.invoice_views(session, today, Invoice.id == invoice_id)
        job_id = found[0].job_id if found else job_id
    else:
        found = []
    of_job = [] if job_id is None else invoices.invoice_views(session, today, Invoice.job_id == job_id)
    open_ones = [i for i in of_job if i.status in invoices.UNPAID]
    chosen = found[0] if found else (open_ones[-1] if open_ones else None)
    if chosen is None:
        return blank
    owed = invoices.owed_cents(of_job) if of_job else invoices.owed_cents([chosen])
    return invoices.invoice_context(chosen) | {"owed": invoices.money(owed)}


def blanks(subject: str, body: str, context: RenderContext) -> list[str]:
    """The placeholders a template uses that have no value here: sent as they are, blank."""
    used = [name for part in (subject, body) for name, _ in _placeholders(_ENV.parse(part))]
    plain = _plain(context)
    empty = []
    for name in dict.fromkeys(used):
        root, _, field = name.partition(".")
        value = plain.get(root, "")
        value = value.get(field, "") if isinstance(value, dict) else value
        if name in PLACEHOLDERS and value == "":
            empty.append(name)
    return empty


# Services: each call is one transaction.


def create_template(db: Database, name: str, channel: str, subject: str, body: str) -> TemplateView:
    name = lookup.clean_name(name, "a template name")
    channel, subject = channel.strip().lower(), subject.strip()
    check_template(channel, subject, body)
    with db.write() as session:
        if session.exec(select(MessageTemplate).where(lookup.same_name(MessageTemplate.name, name))).first():
            raise StudioflowError(f"a template named {name!r} already exists")
        row = MessageTemplate(name=name, channel=channel, subject=subject, body=body)
        session.add(row)
        session.flush()
        return _view(row)


def update_template(db: Database, ref: int | str, subject: str | None = None, body: str | None = None) -> TemplateView:
    """New subject and/or body (None keeps the old one), checked as on creation."""
    with db.write() as session:
        row = lookup.template(session, ref)
        new_subject = row.subject if subject is None else subject.strip()
        new_body = row.body if body is None else body
        check_template(row.channel, new_subject, new_body)
        row.subject, row.body = new_subject, new_body
        session.add(row)
        session.flush()
        return _view(row)


def list_templates(db: Database) -> list[TemplateView]:
    with db.read() as session:
        by_name = func.casefold(col(MessageTemplate.name))
        rows = session.exec(select(MessageTemplate).order_by(by_name, col(MessageTemplate.id)))
        return [_view(row) for row in rows.all()]


def get_template(db: Database, ref: int | str) -> TemplateView:
    with db.read() as session:
        return _view(lookup.template(session, ref))


def delete_template(db: Database, ref: int | str) -> TemplateView:
    """Delete a template; returns what it was."""
    with db.write() as session:
        row = lookup.template(session, ref)
        view = _view(row)
        session.delete(row)
        return view


def preview(
    db: Database, template_ref: int | str, job_ref: int | str, me: Mapping[str, str], today: date | None = None
) -> tuple[str, str]:
    """The template rendered against a real job: the subject and body that would be sent."""
    with db.read() as session:
        row = lookup.template(session, template_ref)
        context = job_context(session, lookup.job(session, job_ref).id, me, today)
        subject, body = row.subject, row.body
    return render(subject, body, context)


def preview_draft(
    db: Database, channel: str, subject: str, body: str, job_id: int | None, me: Mapping[str, str]
) -> tuple[str, str]:
    """Unsaved template text checked, then rendered against a job (or sample values)."""
    check_template(channel, subject, body)
    return render(subject, body, draft_context(db, job_id, me))


def draft_context(db: Database, job_id: int | None, me: Mapping[str, str]) -> dict[str, Any]:
    """What a draft is previewed against: the job's values, or sample ones with the user's own `me`."""
    if job_id is None:
        return _sample_context() | {"me": {"name": me.get("name", ""), "business": me.get("business", "")}}
    with db.read() as session:
        return job_context(session, lookup.job(session, job_id).id, me)


def _view(row: MessageTemplate) -> TemplateView:
    return TemplateView(row.saved_id, row.name, row.channel, row.subject, row.body)

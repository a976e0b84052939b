"""Message templates: every refusal, rendering against real jobs, the sandbox's caps, and the services."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studioflow.errors import StudioflowError
from studioflow.store import Database, open_database
from studioflow.store.models import Client
from studioflow.workflow.automations import templates
from studioflow.workflow.jobs import jobs, pipelines
from studioflow.workflow.money import invoices
from studioflow.workflow.people import clients
from studioflow.workflow.schedule import events
from studioflow.workflow.views import JobView, PipelineView, TemplateView

Refused = Callable[..., str]

ME = {"name": "Jo Lens", "business": "Lens & Co"}
TODAY = date(2026, 3, 2)
KNOWN = "(known: client.name, client.first_name, client.email, client.phone, job.title, job.due, stage.name"


def context(**changes: Any) -> dict[str, Any]:
    """A plain context as job_context builds it, with some values replaced."""
    base: dict[str, Any] = {
        "client": {"name": "Ann Smith", "first_name": "Ann", "email": "ann@example.com"},
        "job": {"title": "Smith wedding", "due": "2026-06-13"},
        "stage": {"name": "Booked"},
        "pipeline": {"name": "Wedding"},
        "me": dict(ME),
        "today": TODAY.isoformat(),
    }
    return base | changes


@pytest.fixture
def job(db: Database, wedding: PipelineView) -> JobView:
    ann = clients.add_client(db, "Ann Marie Smith", email="ann@example.com")
    view = jobs.add_job(db, "Smith wedding", wedding.id, client=ann.id, due_on=date(2026, 6, 13))
    return jobs.advance(db, view.id)  # now in "Booked"


def template_rows(db: Database) -> list[tuple[Any, ...]]:
    with db.rows() as conn:
        return conn.execute("SELECT id, name, channel, subject, body FROM message_template ORDER BY id").fetchall()


# Creating, finding, listing


def test_create_get_and_list(db: Database) -> None:
    body = "Hi {{ client.first_name }},\n\nSee you soon.\n"
    view = templates.create_template(db, "  Welcome ", " Email ", "  Hello {{ client.name }} ", body)
    assert view == TemplateView(view.id, "Welcome", "email", "Hello {{ client.name }}", body)
    sms = templates.create_template(db, "Reminder", "sms", "", "Due {{ job.due }}")
    assert templates.get_template(db, "WELCOME") == view
    assert templates.get_template(db, view.id) == view
    assert templates.list_templates(db) == [sms, view]  # by name
    assert template_rows(db) == [
        (view.id, "Welcome", "email", "Hello {{ client.name }}", body),
        (sms.id, "Reminder", "sms", "", "Due {{ job.due }}"),
    ]


def test_names_are_unique_whatever_the_case(db: Database, refused: Refused) -> None:
    templates.create_template(db, "Café", "sms", "", "hi")
    assert "a template named 'CAFÉ' already exists" in refused(templates.create_template, db, "CAFÉ", "sms", "", "x")
    assert "already exists" in refused(templates.create_template, db, "café", "email", "s", "x")
    assert len(template_rows(db)) == 1


@pytest.mark.parametrize(("name", "expected"), [("", "cannot be empty"), ("a\nb", "single line"), ("x" * 201, "long")])
def test_bad_names_are_refused(db: Database, refused: Refused, name: str, expected: str) -> None:
    assert expected in refused(templates.create_template, db, name, "sms", "", "hi")


def test_unknown_template_is_refused(db: Database, refused: Refused) -> None:
    assert refused(templates.get_template, db, "Nope") == "no template 'Nope'"
    assert refused(templates.delete_template, db, 99) == "no template '99'"
    assert refused(templates.update_template, db, "Nope", "s", "b") == "no template 'Nope'"


# Refusals


REFUSALS = [
    # (channel, subject, body, expected part of the message)
    ("email", "Hi", "Dear you,\n\n{{ client.name }", "body line 3: unexpected '}'"),
    ("email", "Hi {{ client.name", "x", "subject line 1: unexpected end of template"),
    ("email", "Hi", "{% if job.due %}\nno end", "body line 2: Unexpected end of template"),
    ("email", "Hi {{ client.nmae }}", "x", f"unknown placeholder client.nmae in the subject {KNOWN}"),
    ("email", "Hi", "a\n{{ clinet.name }}", "unknown placeholder clinet in the body on line 2 (known: client.name"),
    ("email", "Hi", "{{ job['titel'] }}", "unknown placeholder job.titel in the body on line 1"),
    ("email", "Hi", "{{ job[0] }}", "unknown placeholder job[…] in the body"),
    ("email", "Hi", "{{ client }}", "unknown placeholder client in the body"),
    ("email", "Hi", "{{ today.year }}", "unknown placeholder today.year in the body"),
    ("sms", "", "{% if me.nmae %}x{% endif %}", "unknown placeholder me.nmae in the body"),
    ("sms", "", "{{ client.name|center(80) }}", "body line 1: unknown filter 'center' (known: capitalize"),
    (
        "sms",
        "",
        "{{ range(10) }}",
        "body line 1: a message template cannot use calls (use a filter such as |upper instead)",
    ),
    ("sms", "", "{{ client.name.upper() }}", "cannot use calls"),
    (
        "sms",
        "",
        "\n{% for c in client.name %}{{ c }}{% endfor %}",
        "body line 2: a message template cannot use loops ({% for %})",
    ),
    ("sms", "", "{% set x = 1 %}", "cannot use variables ({% set %})"),
    ("sms", "", "{% macro m() %}{% endmacro %}", "cannot use macros"),
    ("sms", "", "{% include 'other' %}", "cannot use {% include %}"),
    ("sms", "", "{{ 1 is bogus }}", "body line 1: No test named 'bogus'"),
    ("email", "Hello\nBcc: all@example.com", "x", "the subject must be a single line"),
    ("email", "Hello\rBcc: all@example.com", "x", "the subject must be a single line"),
    ("email", "x" * 201, "x", "the subject is too long (201 characters, at most 200)"),
    ("email", "Hi", "x" * 20_001, "the body is too long (20,001 characters, at most 20,000)"),
    ("sms", "Hi", "x", "a text message (sms) has no subject"),
    ("email", "", "x", "an email template needs a subject"),
    ("email", "  ", "x", "an email template needs a subject"),
    ("fax", "", "x", "unknown channel 'fax' (email or sms)"),
    ("sms", "", " \n ", "the body cannot be empty"),
    # A trial render at save time finds what would fail for every job.
    ("sms", "", "{{ 1 / 0 }}", "could not render the body: division by zero"),
    ("email", "{{ job.title + 1 }}", "x", "could not render the subject:"),
    ("sms", "", "{{ 'x' * 10**8 }}", "could not render the body: * would build 100,000,000 more characters"),
    ("sms", "", "{{ 2 ** 100000 }}", "could not render the body: ** would make too large a number"),
    ("sms", "", "{{ '%099999999d' % 1 }}", "could not render the body: % formatting of text is not allowed"),
    ("email", "Hi{{ '\\n' }}Bcc: all@example.com", "x", "the rendered subject contains a line break"),
]


@pytest.mark.parametrize(("channel", "subject", "body", "expected"), REFUSALS)
def test_refused_templates(
    db: Database, refused: Refused, channel: str, subject: str, body: str, expected: str
) -> None:
    with pytest.raises(StudioflowError) as info:
        templates.check_template(channel, subject, body)
    assert expected in str(info.value)
    assert expected in refused(templates.create_template, db, "T", channel, subject, body)


def test_update_and_delete(db: Database, refused: Refused) -> None:
    view = templates.create_template(db, "Welcome", "email", "Hi", "Body")
    assert templates.update_template(db, "welcome", subject=" Hi {{ client.first_name }} ").subject == (
        "Hi {{ client.first_name }}"
    )
    updated = templates.update_template(db, view.id, body="New {{ job.title }}")
    assert updated == TemplateView(view.id, "Welcome", "email", "Hi {{ client.first_name }}", "New {{ job.title }}")
    assert "client.nmae" in refused(templates.update_template, db, view.id, body="{{ client.nmae }}")
    assert "needs a subject" in refused(templates.update_template, db, view.id, subject="")
    sms = templates.create_template(db, "Text", "sms", "", "hi")
    assert "has no subject" in refused(templates.update_template, db, sms.id, subject="Hi")
    assert templates.delete_template(db, "WELCOME") == updated
    assert templates.list_templates(db) == [sms]
    assert template_rows(db) == [(sms.id, "Text", "sms", "", "hi")]


# Rendering against real jobs


def test_every_placeholder_rendered_for_a_real_job(db: Database, job: JobView) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    later = soon + timedelta(days=7)
    events.add_event(db, "Wedding day", later, job=job.id, location="Villa Rosa")
    events.add_event(db, "Engagement shoot", soon, job=job.id)
    events.add_event(db, "Last year's shoot", soon - timedelta(days=400), job=job.id)  # past: not upcoming
    paid = invoices.add_invoice(db, [("Retainer", 1, 50000)], job=job.id, today=TODAY)
    invoices.set_status(db, paid.id, "sent", TODAY)
    invoices.set_status(db, paid.id, "paid", TODAY)
    old = invoices.add_invoice(db, [("Album", 1, 30000)], job=job.id, today=TODAY)
    invoices.set_status(db, old.id, "sent", TODAY)
    latest = invoices.add_invoice(db, [("Prints", 2, 10050)], job=job.id, due_on=date(2026, 4, 1), today=TODAY)
    invoices.set_status(db, latest.id, "sent", TODAY)
    with db.write() as session:  # a phone number for Ann
        session.get_one(Client, job.client_id).phone = "+1 555 0100"
    body = "\n".join(f"{p}={{{{ {p} }}}}" for p in templates.PLACEHOLDERS) + "\n"
    templates.create_template(db, "All", "email", "{{ client.first_name }}: {{ job.title }}", body)
    subject, rendered = templates.preview(db, "all", job.id, ME, today=TODAY)
    assert subject == "Ann: Smith wedding"
    local = soon.astimezone()
    assert rendered == (
        "client.name=Ann Marie Smith\n"
        "client.first_name=Ann\n"
        "client.email=ann@example.com\n"
        "client.phone=+1 555 0100\n"
        "job.title=Smith wedding\n"
        "job.due=2026-06-13\n"
        "stage.name=Booked\n"
        "pipeline.name=Wedding\n"
        "event.title=Engagement shoot\n"
        f"event.date={local.date().isoformat()}\n"
        f"event.time={local.strftime('%H:%M')}\n"
        "event.location=\n"
        f"events={local.strftime('%Y-%m-%d %H:%M')} Engagement shoot\n"
        f"{later.astimezone().strftime('%Y-%m-%d %H:%M')} Wedding day, Villa Rosa\n"
        f"invoice.number={latest.number}\n"
        "invoice.subtotal=201.00\n"
        "invoice.taxes=\n"  # no tax on it; each named tax is listed when there are some
        "invoice.total=201.00\n"
        "invoice.due=2026-04-01\n"
        "invoice.owed=501.00\n"
        "me.name=Jo Lens\n"
        "me.business=Lens & Co\n"
        "today=2026-03-02\n"
    )
    context = templates.draft_context(db, job.id, {})
    assert templates.blanks("{{ me.name }}", "{{ event.location }} {{ job.title }} {{ me.name }}", context) == [
        "me.name",
        "event.location",
    ]


def test_a_job_without_client_or_due_date_renders_empty_strings(db: Database, wedding: PipelineView) -> None:
    jobs.add_job(db, "Walk-in", wedding.id)
    body = "[{{ client.name }}|{{ client.first_name }}|{{ client.email }}|{{ job.due }}|{{ me.name }}]"
    body += "{% if not job.due %} no date{% endif %}"
    templates.create_template(db, "Bare", "sms", "", body)
    assert templates.preview(db, "Bare", "walk-in", {}) == ("", "[||||] no date")


def test_job_context_is_plain_strings_for_exactly_the_placeholders(db: Database, job: JobView) -> None:
    with db.read() as session:
        ctx = templates.job_context(session, job.id, ME, today=TODAY)
    names = {f"{root}.{key}" for root, value in ctx.items() if isinstance(value, dict) for key in value}
    names |= {root for root, value in ctx.items() if isinstance(value, str)}
    assert names == set(templates.PLACEHOLDERS)
    assert all(
        isinstance(v, str) for value in ctx.values() for v in (value.values() if isinstance(value, dict) else [value])
    )


def test_if_blocks_leave_no_blank_lines_and_the_trailing_newline_is_kept() -> None:
    body = "Hi {{ client.first_name|upper }},\n{% if job.due %}\nDue {{ job.due }}.\n{% endif %}\nBye\n"
    assert templates.render("s", body, context()) == ("s", "Hi ANN,\nDue 2026-06-13.\nBye\n")
    assert templates.render("s", body, context(job={"title": "t", "due": ""})) == ("s", "Hi ANN,\nBye\n")


def test_preview_refuses_unknown_job_and_template(db: Database, job: JobView, refused: Refused) -> None:
    templates.create_template(db, "T", "sms", "", "hi")
    assert refused(templates.preview, db, "T", "no such job", ME) == "no job 'no such job'"
    assert refused(templates.preview, db, "U", job.id, ME) == "no template 'U'"


# The sandbox's caps


@pytest.mark.parametrize("part", ["subject", "body"])
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'x' * 10**8 }}", "* would build 100,000,000 more characters"),
        ("{{ [1, 2] * 10**9 }}", "* would build 2,000,000,000 more characters"),
        ("{{ 10**8 * 'x' }}", "* would build 100,000,000 more characters"),
        # Each product is allowed alone; together they are over the render's budget.
        ("{{ ('x' * 60000) ~ ('y' * 60000) }}", "* would build 60,000 more characters (at most 100,000 in all)"),
        ("{{ 9 ** 9 ** 9 ** 9 }}", "** would make too large a number"),
        ("{{ (2 ** 1000) * (2 ** 1000) }}", "* would make too large a number"),
    ],
)
def test_bombs_are_refused_without_allocating(part: str, source: str, expected: str) -> None:
    subject, body = (source, "b") if part == "subject" else ("s", source)
    tracemalloc.start()
    try:
        with pytest.raises(StudioflowError) as info:
            templates.render(subject, body, context())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value).startswith(f"could not render the {part}: ")
    assert expected in str(info.value)
    assert peak < 4_000_000


def test_rendered_output_is_capped() -> None:
    assert len(templates.render("s", "{{ 'x' * 99999 }}", context())[1]) == 99_999
    with pytest.raises(StudioflowError, match="the rendered body is longer than 100,000 characters"):
        templates.render("s", "{{ 'x' * 95000 }}" + "y" * 6000, context())
    with pytest.raises(StudioflowError, match="the rendered subject is longer than 200 characters"):
        templates.render("{{ 'x' * 150 }}{{ client.name }}{{ 'y' * 50 }}", "b", context())


def test_a_line_break_in_the_rendered_subject_is_refused(db: Database, job: JobView, refused: Refused) -> None:
    evil = context(client={"name": "Ann\r\nBcc: all@example.com", "first_name": "Ann", "email": ""})
    with pytest.raises(StudioflowError, match="the rendered subject contains a line break"):
        templates.render("Hello {{ client.name }}", "b", evil)
    assert templates.render("s", "{{ client.name }}", evil)[1] == "Ann\r\nBcc: all@example.com"  # fine in a body
    # Config values reach templates too: a line break in [me] name must not become a header.
    templates.create_template(db, "From me", "email", "From {{ me.name }}", "b")
    message = refused(templates.preview, db, "From me", job.id, {"name": "Jo\nBcc: all@example.com"})
    assert message.startswith("the rendered subject contains a line break")


def test_render_errors_name_the_part() -> None:
    with pytest.raises(StudioflowError, match=r"^could not render the subject: division by zero$"):
        templates.render("{{ 1 / 0 }}", "b", context())
    with pytest.raises(StudioflowError, match=r"^could not render the body: unsupported operand"):
        templates.render("s", "{{ client.name - 1 }}", context())


def test_render_takes_only_strings() -> None:
    with pytest.raises(TypeError, match="'job' must be a string or a mapping of strings"):
        templates.render("s", "b", context(job=object()))
    with pytest.raises(TypeError, match="'job'"):
        templates.render("s", "b", context(job={"title": "t", "due": date(2026, 1, 1)}))


# Any text at all: saved and rendered, or refused with StudioflowError, never anything else


TOKENS = (
    "{{", "}}", "{%", "%}", "{#", "#}", "{{ client.name }}", " ", "\n", "client", ".", "name", "nmae", "job.due",
    "today", "me.name", "|", "upper", "truncate(3)", "center(9)", "if ", "else", "endif", "for x in ", "endfor",
    "set x = ", "raw", "endraw", "*", "**", "%", "~", "+", "/", "//", "-", "0", "9", "10", "1e308", "'x'", '"',
    "'", "(", ")", "[", "]", ",", "range", "is ", "defined", "not ", "and", "or", "-%}", "{%-", "\\", "é", "\x00",
)  # fmt: skip
jinja_like = st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=40).map("".join)
# Well-formed expressions reach the render-time paths (operators, filters, tests) more often.
atoms = st.sampled_from(
    [*templates.PLACEHOLDERS, "client.nmae", "0", "-1", "7", "10**8", "2.5", "'x'", "[1, 2]", "none"]
)
expressions = st.recursive(
    atoms,
    lambda inner: (
        st.tuples(
            inner, st.sampled_from(["*", "**", "%", "+", "-", "/", "//", "~", "==", "<", "and", "in"]), inner
        ).map(" ".join)
        | inner.map("({})".format)
        | st.tuples(inner, st.sampled_from((*templates.FILTERS, "center(9)", "truncate(2)"))).map("|".join)
        | st.tuples(inner, inner, inner).map(lambda t: "{} if {} else {}".format(*t))
    ),
    max_leaves=8,
)
printed = st.lists(expressions.map("{{{{ {} }}}}".format) | st.text(max_size=5), max_size=5).map("".join)
any_text = st.text(max_size=300) | jinja_like | printed


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, int]]:
    """One database and one job for every example (each example deletes what it saved)."""
    db = open_database(Path(tmp_path_factory.mktemp("fuzz")) / "studioflow.db")
    pipeline = pipelines.create_pipeline(db, "Wedding", ["Inquiry"])
    client = clients.add_client(db, "Ann Smith", email="ann@example.com")
    yield db, jobs.add_job(db, "Smith wedding", pipeline.id, client=client.id, due_on=TODAY).id
    db.close()


def attempt(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """(result, None), or (None, message) when `fn` refuses with StudioflowError; anything else propagates."""
    try:
        return fn(*args), None
    except StudioflowError as exc:
        return None, str(exc)


@settings(max_examples=300, deadline=None)
@given(channel=st.sampled_from(["email", "sms"]), subject=st.just("") | any_text, body=any_text)
def test_any_text_is_saved_and_rendered_or_refused(
    fuzz_db: tuple[Database, int], channel: str, subject: str, body: str
) -> None:
    db, job_id = fuzz_db
    saved, refusal = attempt(templates.create_template, db, "Fuzz", channel, subject, body)
    if saved is None:
        assert refusal
        assert "\n" not in refusal
        return
    try:
        rendered, refusal = attempt(templates.preview, db, saved.id, job_id, ME)
    finally:
        templates.delete_template(db, saved.id)
    if rendered is None:
        assert refusal
        assert "\n" not in refusal
    else:
        assert "\n" not in rendered[0]

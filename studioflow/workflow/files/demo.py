"""Demo data: a photographer's and a tax preparer's year, built through the real services.

Everything is written in one transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Client, Job, MessageTemplate, Pipeline, SavedTaskList
from studioflow.store.text import fold
from studioflow.workflow import lookup
from studioflow.workflow.automations import automation_rules, templates
from studioflow.workflow.jobs import jobs, journal, pipelines, tracking
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.people import clients, jobclients
from studioflow.workflow.schedule import events
from studioflow.workflow.tasks import tasks

PIPELINES = {
    "Wedding Photography": [
        "Inquiry",
        "Consultation",
        "Contract Sent",
        "Engagement Session",
        "Wedding Day",
        "Editing",
        "Delivered",
    ],
    "1040 Tax Return": ["Review Docs", "Prepare Engagement Letter", "Prepare Return", "Review", "Filed"],
    "Leads": ["Email Lead", "Call Lead After 2 Days", "Reattempt Call After 4 Days", "Send Final Email"],
}
WAITS = {"Call Lead After 2 Days": 2, "Reattempt Call After 4 Days": 4}

STATUSES = [
    ("Waiting on documents", "yellow"),
    ("Waiting on payment", "red"),
    ("Client review", "cyan"),
    ("On hold", "grey50"),
]

CLIENTS = [
    ("Ava Martinez", "ava.martinez@example.com", "+1 555 0101", ["wedding", "vip"]),
    ("Ben Okafor", "ben.okafor@example.com", "+1 555 0102", ["wedding"]),
    ("Chloe Nguyen", "chloe.nguyen@example.com", "+1 555 0103", ["wedding", "referral"]),
    ("Daniel Fischer", "daniel.fischer@example.com", "+1 555 0104", ["tax"]),
    ("Elena Rossi", "elena.rossi@example.com", "+1 555 0105", ["tax", "business"]),
    ("Farid Haddad", "farid.haddad@example.com", "+1 555 0106", ["tax"]),
    ("Grace Kim", "grace.kim@example.com", "+1 555 0107", ["lead"]),
    ("Hugo Laurent", "", "+1 555 0108", ["lead"]),
    ("Isla Murphy", "isla.murphy@example.com", "", ["wedding", "tax"]),
    ("Jonas Berg", "jonas.berg@example.com", "+1 555 0110", ["lead", "business"]),
    ("Marco Lopez", "marco.lopez@example.com", "+1 555 0111", ["wedding"]),
]

# The wedding as a container: (job, client, role); the job's primary client gets a role too.
JOB_CLIENTS = [
    ("Martinez-Lopez wedding", "Ava Martinez", "bride, pays the package"),
    ("Martinez-Lopez wedding", "Marco Lopez", "groom, pays the album"),
]

# (job, title, days from today, start hour, hours long, location, miles driven there and back)
EVENTS: list[tuple[str, str, int, int, int, str, str | None]] = [
    ("Martinez-Lopez wedding", "Engagement session", -20, 16, 2, "Riverside Park, north gate", "18.4"),
    ("Martinez-Lopez wedding", "Wedding day", 12, 11, 9, "Villa Rosa, 12 Hill Road", "42"),
    ("Nguyen engagement + wedding", "Engagement session", 6, 17, 2, "Old Town harbour", None),
    ("Okafor wedding", "Contract call", 1, 10, 1, "Phone", None),
]
MILEAGE_RATE_CENTS = 70  # per mile, in the demo

# (job, payer, days from today it was issued, days to pay, status, lines (description, quantity, unit price))
INVOICES: list[tuple[str, str, int, int, str, list[tuple[str, int, int]]]] = [
    (
        "Martinez-Lopez wedding",
        "Ava Martinez",
        -30,
        14,
        "paid",
        [("Wedding day coverage, 9 hours", 1, 360000), ("Engagement session", 1, 45000)],
    ),
    (
        "Martinez-Lopez wedding",
        "Marco Lopez",
        -5,
        30,
        "sent",
        [("Heirloom album, 30 pages", 1, 95000), ("Parent albums", 2, 28000)],
    ),
]

SAVED_LISTS = {
    "Wedding prep": [
        ("Confirm timeline with couple", 0),
        ("Scout venue light", 3),
        ("Pack and charge gear", 6),
        ("Send shot list to second shooter", 5),
    ],
    "1040 intake": [
        ("Request W-2s and 1099s", 0),
        ("Request prior-year return", 0),
        ("Check for missing documents", 7),
    ],
    "Gallery delivery": [("Cull and colour-grade", 0), ("Upload gallery", 14), ("Send gallery link", 15)],
    "Contract checklist": [("Check the signed contract", 2), ("Confirm the retainer payment", 3)],
    "Lead call": [("Call the lead", 2)],
}

# (name, channel, subject, body)
TEMPLATES = [
    (
        "Thanks for your inquiry",
        "email",
        "Thanks for your inquiry, {{ client.first_name }}",
        "Hi {{ client.first_name }},\n\nThank you for getting in touch about {{ job.title }}. "
        "I'll reply with dates and packages within two working days.\n\n{{ me.name }}\n{{ me.business }}\n",
    ),
    (
        "Contract sent",
        "email",
        "Your contract for {{ job.title }}",
        "Hi {{ client.first_name }},\n\nYour contract is on its way. Once it is signed and the retainer "
        "is in, your date is held.\n\n{{ me.name }}\n",
    ),
    (
        "Gallery ready",
        "email",
        "Your gallery is ready",
        "Hi {{ client.first_name }},\n\nThe gallery for {{ job.title }} is ready. Enjoy!\n\n{{ me.name }}\n",
    ),
    (
        "Documents reminder",
        "email",
        "Documents for {{ job.title }}",
        "Hi {{ client.first_name }},\n\nA reminder: I still need your documents for "
        "{{ job.title }}.\n\n{{ me.name }}\n",
    ),
    (
        "Lead text",
        "sms",
        "",
        "Hi {{ client.first_name }}, thanks for your interest! I'll call you in the next couple of days.",
    ),
]

# (pipeline, stage, trigger, action, what it uses, delay in minutes)
AUTOMATIONS: list[tuple[str, str, str, str, dict[str, object], int]] = [
    ("Wedding Photography", "Inquiry", "enter", "send_email", {"template": "Thanks for your inquiry"}, 0),
    ("Wedding Photography", "Contract Sent", "enter", "send_email", {"template": "Contract sent"}, 0),
    ("Wedding Photography", "Contract Sent", "enter", "create_tasks", {"saved_list": "Contract checklist"}, 0),
    ("Wedding Photography", "Editing", "enter", "create_tasks", {"saved_list": "Gallery delivery"}, 0),
    ("Wedding Photography", "Delivered", "enter", "send_email", {"template": "Gallery ready"}, 0),
    ("1040 Tax Return", "Review Docs", "enter", "set_status", {"to_status": "Waiting on documents"}, 0),
    ("1040 Tax Return", "Review Docs", "enter", "create_tasks", {"saved_list": "1040 intake"}, 0),
    ("1040 Tax Return", "Review Docs", "enter", "send_email", {"template": "Documents reminder"}, 3 * 1440),
    ("Leads", "Email Lead", "enter", "send_sms", {"template": "Lead text"}, 0),
    ("Leads", "Call Lead After 2 Days", "enter", "create_tasks", {"saved_list": "Lead call"}, 0),
]
AUTO_MOVE = [("Wedding Photography", "Contract Sent")]

# Pipelines of clients, events and invoices: (name, kind, stages, {stage: wait in days}).
# (The job pipeline "Leads" above keeps its jobs; "Lead follow-up" tracks the clients themselves.)
KIND_PIPELINES: list[tuple[str, str, list[str], dict[str, int]]] = [
    ("Lead follow-up", "clients", PIPELINES["Leads"], WAITS),
    (
        "Invoice follow-up",
        "invoices",
        ["Sent", "Reminder after 7 days", "Final notice after 14 days", "Paid"],
        {"Sent": 7, "Reminder after 7 days": 7},
    ),
    ("Session prep", "events", ["Confirm", "Reminder 2 days before", "Shoot", "Proofs delivered"], {}),
]
SAVED_LISTS["Lead call again"] = [("Call the lead again", 4)]
TEMPLATES += [
    (
        "Lead welcome",
        "email",
        "Thanks for reaching out, {{ client.first_name }}",
        "Hi {{ client.first_name }},\n\nThank you for your interest. I'll call you in a couple of days "
        "to talk about what you need.\n\n{{ me.name }}\n",
    ),
    (
        "Lead final email",
        "email",
        "Still interested, {{ client.first_name }}?",
        "Hi {{ client.first_name }},\n\nI tried to reach you a couple of times. If you would still like "
        "to talk, just reply to this email.\n\n{{ me.name }}\n",
    ),
    (
        "Invoice reminder",
        "email",
        "A reminder about your invoice",
        "Hi {{ client.first_name }},\n\nA friendly reminder that the invoice below is due. "
        "Thank you!\n\n{{ me.name }}\n",
    ),
    (
        "Invoice final notice",
        "email",
        "Final notice: your invoice is overdue",
        "Hi {{ client.first_name }},\n\nThe invoice below is overdue and still owed. "
        "Please settle it this week.\n\n{{ me.name }}\n",
    ),
    (
        "Your invoice",
        "email",
        "Your invoice for {{ job.title }}",
        "Hi {{ client.first_name }},\n\nHere is your invoice for {{ job.title }}. Thank you!\n\n{{ me.name }}\n",
    ),
    (
        "Session confirmation",
        "email",
        "Your session is booked",
        "Hi {{ client.first_name }},\n\nYour session is confirmed. See you there!\n\n{{ me.name }}\n",
    ),
    (
        "Session reminder",
        "email",
        "See you soon, {{ client.first_name }}",
        "Hi {{ client.first_name }},\n\nA reminder that your session is coming up.\n\n{{ me.name }}\n",
    ),
]
KIND_AUTOMATIONS: list[tuple[str, str, str, dict[str, object]]] = [
    ("Lead follow-up", "Email Lead", "send_email", {"template": "Lead welcome"}),
    ("Lead follow-up", "Call Lead After 2 Days", "create_tasks", {"saved_list": "Lead call"}),
    ("Lead follow-up", "Reattempt Call After 4 Days", "create_tasks", {"saved_list": "Lead call again"}),
    ("Lead follow-up", "Send Final Email", "send_email", {"template": "Lead final email"}),
    ("Invoice follow-up", "Reminder after 7 days", "email_invoice", {"template": "Invoice reminder"}),
    ("Invoice follow-up", "Final notice after 14 days", "email_invoice", {"template": "Invoice final notice"}),
    ("Session prep", "Confirm", "send_email", {"template": "Session confirmation"}),
    ("Session prep", "Reminder 2 days before", "send_email", {"template": "Session reminder"}),
    # The wedding day makes the balance invoice (like the first one) and emails it to the payer.
    ("Wedding Photography", "Wedding Day", "send_invoice", {"template": "Your invoice", "days": 14}),
]
# (client, stage reached on "Lead follow-up")
LEADS_TRACKED = [("Grace Kim", "Call Lead After 2 Days"), ("Hugo Laurent", "Email Lead"), ("Jonas Berg", "Email Lead")]

# (title, pipeline, client, stage reached, status, due in days, how the stages were left)
JOBS: list[tuple[str, str, str, str, str | None, int | None, str]] = [
    ("Martinez-Lopez wedding", "Wedding Photography", "Ava Martinez", "Wedding Day", None, 12, "advance"),
    ("Okafor wedding", "Wedding Photography", "Ben Okafor", "Contract Sent", "Waiting on payment", 3, "advance"),
    ("Nguyen engagement + wedding", "Wedding Photography", "Chloe Nguyen", "Engagement Session", None, 30, "skip"),
    ("Murphy elopement", "Wedding Photography", "Isla Murphy", "Editing", "Client review", -2, "advance"),
    ("Harbour House open day", "Wedding Photography", "Jonas Berg", "Inquiry", None, 5, "advance"),
    ("Kim wedding enquiry", "Wedding Photography", "Grace Kim", "Consultation", None, 0, "advance"),
    ("Rossi anniversary shoot", "Wedding Photography", "Elena Rossi", "Delivered", None, None, "advance"),
    ("Berg-Olsen wedding", "Wedding Photography", "Jonas Berg", "Inquiry", "On hold", None, "advance"),
    ("Fischer 1040 (2025)", "1040 Tax Return", "Daniel Fischer", "Prepare Return", None, 20, "advance"),
    ("Rossi 1040 (2025)", "1040 Tax Return", "Elena Rossi", "Review Docs", "Waiting on documents", 14, "advance"),
    ("Rossi Schedule C", "1040 Tax Return", "Elena Rossi", "Prepare Engagement Letter", None, 21, "advance"),
    ("Haddad 1040 (2025)", "1040 Tax Return", "Farid Haddad", "Review", "Client review", 1, "advance"),
    ("Murphy 1040 (2025)", "1040 Tax Return", "Isla Murphy", "Filed", None, None, "advance"),
    ("Haddad amended 1040-X", "1040 Tax Return", "Farid Haddad", "Review Docs", None, -5, "advance"),
    ("Fischer estimated taxes", "1040 Tax Return", "Daniel Fischer", "Prepare Return", "Waiting on payment", 9, "skip"),
    ("Berg consulting 1040", "1040 Tax Return", "Jonas Berg", "Review Docs", None, 40, "advance"),
    ("Kim household return", "1040 Tax Return", "Grace Kim", "Prepare Engagement Letter", None, 16, "advance"),
    ("Kim lead", "Leads", "Grace Kim", "Call Lead After 2 Days", None, 2, "advance"),
    ("Laurent lead", "Leads", "Hugo Laurent", "Email Lead", None, 0, "advance"),
    ("Berg referral", "Leads", "Jonas Berg", "Reattempt Call After 4 Days", None, 4, "advance"),
    ("Nguyen family portraits", "Leads", "Chloe Nguyen", "Send Final Email", "On hold", -1, "skip"),
    ("Okafor corporate headshots", "Leads", "Ben Okafor", "Email Lead", None, 1, "advance"),
    ("Martinez parents' 40th", "Leads", "Ava Martinez", "Call Lead After 2 Days", None, 3, "advance"),
    ("Fischer bookkeeping enquiry", "Leads", "Daniel Fischer", "Email Lead", None, None, "advance"),
    ("Rossi studio rebrand", "Leads", "Elena Rossi", "Reattempt Call After 4 Days", "Client review", 6, "advance"),
]

# (saved list, job title, days ago the list was applied, how many of its tasks are done)
APPLIED_LISTS = [
    ("Wedding prep", "Martinez-Lopez wedding", 4, 2),
    ("Wedding prep", "Okafor wedding", 0, 0),
    ("Gallery delivery", "Murphy elopement", 16, 1),
    ("1040 intake", "Rossi 1040 (2025)", 10, 1),
    ("1040 intake", "Haddad amended 1040-X", 3, 0),
    ("1040 intake", "Berg consulting 1040", 0, 0),
]

LOOSE_TASKS = [
    ("Renew liability insurance", None, 10, 2),
    ("Back up the photo archive", None, -1, 1),
    ("Call Ava about the second shooter", "Martinez-Lopez wedding", 0, 3),
    ("Chase Elena for 1099-NEC", "Rossi 1040 (2025)", -3, 3),
    ("Book engagement session location", "Nguyen engagement + wedding", 7, 1),
]


def has_data(db: Database) -> bool:
    with db.read() as session:
        return any(session.exec(select(func.count()).select_from(m)).one() for m in (Pipeline, Client, Job))


def write_demo(db: Database, force: bool = False, today: date | None = None) -> dict[str, int]:
    """Write the demo data in one transaction; returns how many of each thing were made."""
    if not force and has_data(db):
        raise StudioflowError(f"{db.label} already has data; use --force to add the demo data anyway")
    today = today or date.today()
    with db.write() as session:
        history = journal.newest_entry(session)  # the user's own undo history is kept
        names = {name: _free_name(session, Pipeline, name) for name in PIPELINES}
        for name, stages in PIPELINES.items():
            pipelines.create_pipeline(db, names[name], stages)
            for stage, wait in WAITS.items():
                if stage in stages:
                    pipelines.set_stage_wait(db, names[name], stage, wait)
        for name, kind, stages, waits in KIND_PIPELINES:
            names[name] = _free_name(session, Pipeline, name)
            pipelines.create_pipeline(db, names[name], stages, kind=kind)
            for stage, wait in waits.items():
                pipelines.set_stage_wait(db, names[name], stage, wait)
        known = {s.name.casefold() for s in clients.list_statuses(db)}
        for status, colour in STATUSES:
            if status.casefold() not in known:
                clients.add_status(db, status, colour)
        # Like the statuses, the demo's clients are not doubled by a second demo (a name is one client).
        known_clients = {fold(c.name): c.id for c in clients.list_clients(db)}
        client_ids = {
            name: known_clients.get(fold(name)) or clients.add_client(db, name, email, phone, tags).id
            for name, email, phone, tags in CLIENTS
        }
        job_ids: dict[str, int] = {}
        for title, pipeline, client, stage, job_status, due_in, way in JOBS:
            due = None if due_in is None else today + timedelta(days=due_in)
            job = jobs.add_job(db, title, names[pipeline], client=client_ids[client], due_on=due)
            move = jobs.skip if way == "skip" else jobs.advance
            for _ in range(PIPELINES[pipeline].index(stage)):
                move(db, job.id)
                move = jobs.advance  # only the first stage is skipped on a "skip" job
            if job_status is not None:
                jobs.set_status(db, job.id, job_status)
            job_ids[title] = job.id
        list_names = {name: _free_name(session, SavedTaskList, name) for name in SAVED_LISTS}
        for name, items in SAVED_LISTS.items():
            tasks.create_saved_list(db, list_names[name], items)
        task_count = 0
        for list_name, job_title, days_ago, done in APPLIED_LISTS:
            created = tasks.apply_saved_list(
                db, list_names[list_name], job=job_ids[job_title], start=today - timedelta(days=days_ago)
            )
            for task in created[:done]:
                tasks.complete_task(db, task.id)
            task_count += len(created)
        project = tasks.add_project(db, "Studio admin")
        for title, owner_title, due_in, priority in LOOSE_TASKS:
            job_id, project_id = (job_ids[owner_title], None) if owner_title else (None, project.id)
            tasks.add_task(db, title, job_id, project_id, due_on=today + timedelta(days=due_in), priority=priority)
            task_count += 1
        # The automations come last, so the jobs above stand where the demo puts them
        # and the user's first moves are what makes them fire.
        template_names = {name: _free_name(session, MessageTemplate, name) for name, *_ in TEMPLATES}
        for name, channel, subject, body in TEMPLATES:
            templates.create_template(db, template_names[name], channel, subject, body)
        for pipeline, stage, trigger, action, uses, delay in AUTOMATIONS:
            named: dict[str, Any] = dict(uses)
            if "template" in named:
                named["template"] = template_names[str(named["template"])]
            if "saved_list" in named:
                named["saved_list"] = list_names[str(named["saved_list"])]
            automation_rules.add_automation(
                db,
                names[pipeline],
                stage,
                trigger,
                action,
                delay_minutes=delay,
                **named,
            )
        for pipeline, stage in AUTO_MOVE:
            automation_rules.set_auto_move(db, names[pipeline], stage, True)
        for job_title, client, role in JOB_CLIENTS:
            _put_on_job(db, job_ids[job_title], client_ids[client], role)
        for job_title, title, days, hour, hours, location, miles in EVENTS:
            starts = datetime.combine(today + timedelta(days=days), time(hour)).astimezone()
            event = events.add_event(
                db, title, starts, starts + timedelta(hours=hours), job=job_ids[job_title], location=location
            )
            if miles is not None:
                mileage.add_trip(
                    db,
                    job_ids[job_title],
                    starts.date(),
                    miles,
                    f"to {location} and back",
                    event=event.id,
                    unit="mi",
                    rate_cents=MILEAGE_RATE_CENTS,
                )
        pipelines.set_default_for_new(db, names["Invoice follow-up"], True)  # every invoice is followed up
        for job_title, payer, issued, days_to_pay, status, lines in INVOICES:
            issued_on = today + timedelta(days=issued)
            invoice = invoices.add_invoice(
                db,
                lines,
                job=job_ids[job_title],
                client=client_ids[payer],
                issued_on=issued_on,
                due_on=issued_on + timedelta(days=days_to_pay),
                taxes=[("Tax", 82_500)],
                today=today,
            )
            for step in {"draft": (), "sent": ("sent",), "paid": ("sent", "paid")}[status]:
                invoices.set_status(db, invoice.id, step, today=today)
        _write_kind_pipelines(db, today, names, list_names, template_names, client_ids)
        journal.forget(session, after=history)  # the demo is one block, not steps to undo
    return {
        "pipelines": len(PIPELINES) + len(KIND_PIPELINES),
        "clients": len(CLIENTS),
        "jobs": len(JOBS),
        "statuses": len(STATUSES),
        "saved task lists": len(SAVED_LISTS),
        "templates": len(TEMPLATES),
        "automations": len(AUTOMATIONS) + len(KIND_AUTOMATIONS),
        "tasks": task_count,
        "events": len(EVENTS),
        "invoices": len(INVOICES),
        "mileage logs": sum(1 for *_, miles in EVENTS if miles is not None),
    }


def _write_kind_pipelines(
    db: Database,
    today: date,
    names: dict[str, str],
    list_names: dict[str, str],
    template_names: dict[str, str],
    client_ids: dict[str, int],
) -> None:
    """Leads, sessions and invoices on their pipelines; their automations come last, as the jobs' do."""
    for client, stage in LEADS_TRACKED:
        tracking.track(db, "clients", client_ids[client], names["Lead follow-up"], stage)
    for event in events.list_events(db):
        if event.starts_at.astimezone().date() >= today:
            tracking.track(db, "events", event.id, names["Session prep"])
    model = invoices.list_invoices(db)[0]  # the first wedding's package: the model for the balance invoice
    for pipeline, stage, action, uses in KIND_AUTOMATIONS:
        named: dict[str, Any] = dict(uses)
        if "template" in named:
            named["template"] = template_names[str(named["template"])]
        if "saved_list" in named:
            named["saved_list"] = list_names[str(named["saved_list"])]
        if action == "send_invoice":
            named["from_invoice"] = model.number
        automation_rules.add_automation(db, names[pipeline], stage, "enter", action, **named)


def _put_on_job(db: Database, job_id: int, client_id: int, role: str) -> None:
    """The client on the job with that role (the primary client is already on it: only its role is set)."""
    if any(c.client_id == client_id for c in jobclients.list_job_clients(db, job_id)):
        jobclients.set_role(db, job_id, client_id, role)
    else:
        jobclients.add_job_client(db, job_id, client_id, role)


def _free_name(session: Session, model: type[Pipeline] | type[SavedTaskList] | type[MessageTemplate], name: str) -> str:
    """`name`, or `name (demo N)` when a forced demo meets data that already uses it."""
    candidate, n = name, 1
    while session.exec(select(model).where(lookup.same_name(model.name, candidate))).first() is not None:
        n += 1
        candidate = f"{name} (demo {n})"
    return candidate

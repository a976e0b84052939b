"""Stage automations: what a stage does when a job enters it, leaves it, or gets a status.

The same engine serves every kind of pipeline: the subject moving is a job or a tracked
client, event or invoice (see `subjects`); the actions that make sense only for jobs
(statuses, due dates) are refused for the others when the rule is made.

Everything here runs inside the caller's transaction, so a move, the ledger rows, the
tasks made and the messages queued commit together or not at all (transactional
outbox). Nothing is sent here: delivery reads committed outbox rows later.

Exactly once per visit: each firing writes a ledger row (automation x visit, unique)
before it acts, and an automation whose row exists is passed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from studioflow.errors import StudioflowError
from studioflow.store.models import (
    Automation,
    AutomationRun,
    Client,
    Invoice,
    Job,
    MessageTemplate,
    OutboxMessage,
    Stage,
    StageVisit,
    Task,
    utcnow,
)
from studioflow.workflow import lookup
from studioflow.workflow.automations import actions, outbox
from studioflow.workflow.automations.actions import Firing
from studioflow.workflow.jobs import journal, subjects
from studioflow.workflow.jobs.pipelines import enter_stage, leave_stage
from studioflow.workflow.jobs.subjects import Subject, Tracked
from studioflow.workflow.views import countdown

if TYPE_CHECKING:
    from studioflow.config import Config

MAX_CHAIN = 8  # automations moving a job that fire automations that move it...
FIRED = "studioflow.fired"  # session.info key: what fired during this transaction
CONFIG = "studioflow.config"  # session.info key: config.toml, read once per transaction
LEAVE_TRIGGERS = {"completed": "complete", "skipped": "skip"}


@dataclass(frozen=True)
class Effect:
    """What one automation did: a line to show, and the message it queued if any."""

    text: str
    message: str = ""  # "To: …\nSubject: …\n\nbody", for dry runs
    nobody: bool = False  # a message held because the job has no client, or its client no address


def fired(session: Session) -> list[Effect]:
    """What the automations did in this transaction, in order, for the caller to show."""
    return session.info.setdefault(FIRED, [])


def transition(
    session: Session,
    job: Subject,
    leaving: str | None,
    target: Stage,
    passed: Sequence[Stage] = (),
    fire_leave: bool = True,
    depth: int = 0,
    quiet: bool = False,
) -> StageVisit:
    """Move a job: close its visit as `leaving` (completed/skipped), record `passed`
    stages as skipped, enter `target`; firing each stage's automations on the way.

    `quiet`: a correction, made without automations; the visits say so. What the stage
    left still has waiting (not due yet) is taken back all the same: the job left it."""
    _check_depth(depth, job)
    if leaving is not None:
        left = leave_stage(session, job, leaving)
        cancel_pending(session, left)
        if fire_leave and not quiet:
            fire(session, job, left, LEAVE_TRIGGERS[leaving], depth)
    now = utcnow()
    for stage in passed:
        visit = StageVisit(
            **subjects.owner(job),
            stage_id=stage.id,
            stage_name=stage.name,
            state="skipped",
            entered_at=now,
            left_at=now,
            automations_off=quiet,
        )
        session.add(visit)
        session.flush()
        if not quiet:
            fire(session, job, visit, "skip", depth)
    visit = enter_stage(session, job, target)
    if quiet:
        visit.automations_off = True
        session.flush()
    else:
        fire(session, job, visit, "enter", depth)
    return visit


def status_changed(session: Session, job: Job, depth: int = 0) -> None:
    """Fire the active stage's automations waiting for the job's new status."""
    visit = session.exec(select(StageVisit).where(StageVisit.job_id == job.id, StageVisit.state == "active")).first()
    if job.status_id is None or visit is None:
        return  # no active visit: the status was set while the job is between stages
    fire(session, job, visit, "status", depth, job.status_id)


def fire(
    session: Session, job: Subject, visit: StageVisit, trigger: str, depth: int, status_id: int | None = None
) -> None:
    """Run the visit's stage automations for `trigger`, each at most once per visit."""
    _check_depth(depth, job)
    query = select(Automation).where(
        Automation.stage_id == visit.stage_id, Automation.trigger == trigger, col(Automation.enabled).is_(True)
    )
    if trigger == "status":
        query = query.where(Automation.status_id == status_id)
    for automation in session.exec(query.order_by(col(Automation.position), col(Automation.id))).all():
        if trigger in ("enter", "status") and visit.state != "active":
            break  # an earlier automation moved the job on: this stage is done acting
        already = session.exec(
            select(AutomationRun.id).where(
                AutomationRun.automation_id == automation.id, AutomationRun.visit_id == visit.id
            )
        ).first()
        if already is not None:
            continue
        run = AutomationRun(automation_id=automation.saved_id, visit_id=visit.saved_id)
        session.add(run)
        session.flush()
        journal.note(session, "run", run.saved_id)
        missing = _missing_tags(automation, subjects.client_of(session, job))
        if missing:
            run.outcome = f"not run: the client lacks the tag(s) {', '.join(missing)}"
            continue
        if (again := _ran_before(session, automation, job, visit)) is not None:
            run.outcome = f"not run: {again}"
            continue
        effect = _act(session, job, visit, automation, run, depth)
        run.outcome = effect.text
        fired(session).append(effect)
    session.flush()


def after_task_done(session: Session, task: Task) -> None:
    """Auto-move: when the last open task a stage's automations made for the job's
    current visit is checked off, and the stage allows it, the job advances."""
    if task.run_id is None:
        return
    run = session.get(AutomationRun, task.run_id)
    visit = None if run is None else session.get(StageVisit, run.visit_id)
    if visit is None or visit.state != "active" or visit.stage_id is None:
        return
    stage = session.get(Stage, visit.stage_id)
    job = subjects.of_visit(session, visit)
    if stage is None or not stage.auto_move or job is None or (isinstance(job, Job) and job.archived):
        return
    runs = select(AutomationRun.id).where(AutomationRun.visit_id == visit.id)
    still_open = session.exec(select(func.count()).where(col(Task.run_id).in_(runs), col(Task.done_at).is_(None))).one()
    stages = lookup.ordered_stages(session, job.pipeline_id)
    here = [s.id for s in stages].index(stage.id)
    if still_open or here == len(stages) - 1:
        return
    following = stages[here + 1]
    key = subjects.journal_key(job)
    with journal.recording(session, f"auto-move {job.title!r} to {following.name}", [key]):
        transition(session, job, "completed", following)
    fired(session).append(Effect(f"all tasks done: moved on to {following.name}"))


def _act(
    session: Session, job: Subject, visit: StageVisit, automation: Automation, run: AutomationRun, depth: int
) -> Effect:
    return actions.get(automation.action).run(actions.Firing(session, job, visit, automation, run, depth))


def untrack(session: Session, tracked: Tracked, state: str = "untracked") -> StageVisit:
    """Take a tracked resource off its pipeline: its visit ends (`untracked`, or `completed`
    when its work is done, e.g. an invoice paid) and its pending delayed messages are cancelled."""
    visit = leave_stage(session, tracked, state)
    cancel_pending(session, visit)
    return visit


def message_config(session: Session, config: Config | None = None) -> Config:
    """config.toml for the messages of this transaction ([me], the send delay), read once per
    transaction, not once per message; a caller that holds the config (the app) passes it in."""
    if config is not None:
        session.info[CONFIG] = config
    found: Config | None = session.info.get(CONFIG)
    if found is None:
        from studioflow.config import load_config

        found = session.info[CONFIG] = load_config()
    return found


def queue_message(firing: Firing, invoice: Invoice | None = None) -> Effect:
    """The firing automation's message, rendered from its template for the card's client
    (or the invoice's payer, with the invoice below the letter), in the outbox: queued, or
    held with the reason when it cannot go. The one place automations write messages."""
    # Imported here: jinja2 is only loaded when a message is written, not at start-up.
    from studioflow.workflow.automations import templates

    session, job, visit, automation, run = firing.session, firing.subject, firing.visit, firing.automation, firing.run
    send_delay = message_config(session).send_delay()
    channel = actions.get(automation.action).channel
    template = session.get(MessageTemplate, automation.params.get("template_id"))
    client = subjects.client_of(session, job)
    attached = ""  # the invoice, as text below the letter
    if invoice is not None:
        from studioflow.workflow.money import invoices  # it builds on this module

        # The payer, who may not be the job's primary client.
        client = None if invoice.client_id is None else session.get(Client, invoice.client_id)
        view = invoices.invoice_views(session, None, Invoice.id == invoice.id)[0]
        attached = "\n\n" + invoices.invoice_text(view)
    address = "" if client is None else (client.email if channel == "email" else client.phone)
    what = "email" if channel == "email" else "text"
    if address:
        earlier = session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.automation_id == automation.id,
                OutboxMessage.job_id == subjects.job_id_of(session, job),
                OutboxMessage.to_addr == address,
                journal.MAY_HAVE_GONE,
            )
        ).first()
        if earlier is not None:
            # It may have reached the client already: a second copy waits for the user's word on the first.
            return Effect(
                f"{what} to {address} not queued: an earlier one (message {earlier}) is held and may have gone;"
                " release or cancel it in the outbox"
            )
    state, reason, subject, body = "queued", "", "", ""
    if template is None:
        state, reason = "held", "its template was deleted"
    else:
        try:
            context = render_context(session, job, visit, None if invoice is None else invoice.id)
            if invoice is not None:
                context["client"] = templates.client_values(client)
            subject, body = templates.render(template.subject, template.body, context)
            body = body.rstrip("\n") + attached if attached else body
        except StudioflowError as exc:
            state, reason = "held", f"the template could not be filled in: {exc}"
    if state == "queued" and not address:
        state = "held"
        kind = "email address" if channel == "email" else "phone number"
        owner = subjects.NOUN["jobs" if isinstance(job, Job) else job.kind]
        reason = f"the {owner} has no client" if client is None else f"{client.name} has no {kind}"
    message = outbox.enqueue(
        session,
        f"automation-run-{run.id}",
        channel,
        address,
        subject,
        body,
        subjects.job_id_of(session, job),
        send_delay,
        seed=f"run{run.id}",
        delay_minutes=automation.delay_minutes,
        automation_id=automation.id,
        visit_id=visit.id,
        held_because=reason,  # "" unless held
        # Not gone yet when the job leaves the stage (a slip, corrected within the send
        # delay): it is taken back, unless the automation says to keep it.
        # (A message of a visit already over, "on complete" or "on skip", has nothing left to leave.)
        cancel_on_leave=not automation.keep_on_leave and visit.state == "active",
    )
    journal.note(session, "queued", message.saved_id)
    shown = f"To: {address or '(nobody)'}\n" + (f"Subject: {subject}\n" if channel == "email" else "") + f"\n{body}"
    if state == "held":
        return Effect(f"{what} held: {reason}", shown, nobody=not address)
    when = f" (sends in {delay_text(automation.delay_minutes)})" if automation.delay_minutes else ""
    if not when and send_delay:
        when = f" (sends in {countdown(send_delay)}: u takes it back)"
    return Effect(f"{what} queued to {address}{when}", shown)


def render_context(session: Session, job: Subject, visit: StageVisit, invoice_id: int | None = None) -> dict[str, Any]:
    """The placeholders' values for what fires in `visit`: the job's (or the tracked card's),
    and the stage that fired, which is not the card's own for stages passed or left."""
    from studioflow.workflow.automations import templates

    me = message_config(session).me()
    if isinstance(job, Job):
        context = templates.job_context(session, job.id, me, invoice_id=invoice_id)
    else:
        context = templates.tracked_context(session, job.kind, job.id, job.pipeline_id, me)
    context["stage"] = {"name": visit.stage_name}
    return context


def cancel_pending(session: Session, visit: StageVisit) -> None:
    """A message from this visit that is not due yet (in its send delay, or delayed by its
    automation) is cancelled on leaving, so `L`, `H`, `L` sends one message, not two. One
    already due was meant to go whatever happens next (send delay 0), and automations
    marked keep-on-leave keep theirs. A held message is cancelled only if it never left
    (no address, a bad template): one held after an attempt may have gone, stays held for
    the user's word, and keeps a return to the stage from queueing a second copy."""
    not_due = (col(OutboxMessage.state) == "queued") & (col(OutboxMessage.send_at) > utcnow())
    never_tried = (col(OutboxMessage.state) == "held") & (col(OutboxMessage.attempts) == 0)
    pending = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.visit_id == visit.id,
            col(OutboxMessage.cancel_on_leave).is_(True),
            not_due | never_tried,
        )
    ).all()
    for message in pending:
        prior = {"state": message.state, "last_error": message.last_error}
        journal.note(session, "cancelled", message.saved_id, prior=prior)
        message.state = "cancelled"
        who = "job" if visit.job_id is not None else "card"
        message.last_error = f"cancelled: the {who} left {visit.stage_name!r} before it was sent"
        fired(session).append(Effect(f"cancelled a pending {message.channel} to {message.to_addr or 'nobody'}"))
    session.flush()


def _ran_before(session: Session, automation: Automation, job: Subject, visit: StageVisit) -> str | None:
    """Why the automation's re-entry rule keeps it from firing in this visit, or None."""
    if automation.reentry == "every":
        return None
    mine = [getattr(StageVisit, column) == value for column, value in subjects.owner(job).items()]
    earlier = select(func.max(AutomationRun.ran_at)).where(
        AutomationRun.automation_id == automation.id,
        AutomationRun.visit_id != visit.id,
        col(AutomationRun.visit_id).in_(select(StageVisit.id).where(*mine)),
        col(AutomationRun.outcome).not_like("not run%"),
    )
    last = session.exec(earlier).one()
    if last is None:
        return None
    if automation.reentry == "first":
        return "first visit only, and it ran on an earlier visit"
    days = int(automation.reentry.removeprefix("days:"))
    if last.replace(tzinfo=UTC) > utcnow() - timedelta(days=days):
        return f"not again within {days} day{'s' if days != 1 else ''}"
    return None


def _missing_tags(automation: Automation, client: Client | None) -> list[str]:
    have = {t.casefold() for t in (client.tags if client else [])}
    return [t for t in automation.required_tags if t.casefold() not in have]


def _check_depth(depth: int, job: Subject) -> None:
    if depth > MAX_CHAIN:
        raise StudioflowError(
            f"automations moved {subjects.describe(job)} more than {MAX_CHAIN} times in a row; "
            "they seem to loop, so nothing was done"
        )


def delay_text(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"

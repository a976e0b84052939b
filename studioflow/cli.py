"""The command line: a thin face over the workflow services, and the door to the TUI.

Exit status: 0 success; 2 bad usage or bad input (one line on stderr, nothing
written); 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

from studioflow import __version__
from studioflow.config import DB_ENV, MILEAGE_UNITS, db_path, load_me
from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store import Database, open_database
from studioflow.store.choices import (
    AUTOMATION_ACTIONS,
    AUTOMATION_TRIGGERS,
    CHANNELS,
    CSV_EXPORTS,
    CSV_FIELDS,
    INVOICE_STATES,
    OUTBOX_STATE_ORDER,
    PIPELINE_KINDS,
)
from studioflow.workflow.views import (
    AgendaItem,
    ClientPageView,
    ClientView,
    EventView,
    InvoiceView,
    JobView,
    MessageView,
    MileageView,
    PipelineView,
    ProjectDetailView,
    RenderedView,
    SavedItemView,
    SavedTaskListView,
    TaskView,
    TemplateView,
    TrackView,
    first_line,
    local_minute,
    to_json,
)

if TYPE_CHECKING:
    from studioflow.workflow.automations.automation_rules import AutomationView


class _OnUse:
    """A workflow module imported when a command first uses it: `--help` and the read
    commands (which read through `reads`, plain SQL) never load the ORM."""

    def __init__(self, name: str) -> None:
        self._name = f"studioflow.workflow.{name}"  # "room.module"

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


agenda = _OnUse("schedule.agenda")
automation_rules = _OnUse("automations.automation_rules")
automations = _OnUse("automations.automations")
clients = _OnUse("people.clients")
events = _OnUse("schedule.events")
invoices = _OnUse("money.invoices")
jobclients = _OnUse("people.jobclients")
jobs = _OnUse("jobs.jobs")
journal = _OnUse("jobs.journal")
mileage = _OnUse("money.mileage")
outbox = _OnUse("automations.outbox")
pipelines = _OnUse("jobs.pipelines")
quickadd = _OnUse("tasks.quickadd")
reads = _OnUse("board.reads")
spreadsheet = _OnUse("files.spreadsheet")
tasks = _OnUse("tasks.tasks")
tracking = _OnUse("jobs.tracking")
transfer = _OnUse("files.transfer")

USAGE_ERROR = 2
Handler = Callable[[Database, argparse.Namespace], Any]


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI's one error boundary: whatever the user typed ends in a result or one line and exit 2."""
    for stream in (sys.stdout, sys.stderr):
        # Text the terminal cannot show (a file name from undecodable bytes) is shown escaped, not a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    db: Database | None = None
    try:
        args = build_parser().parse_args(argv)
        _check_text(args)
        db = open_database(db_path(args.db))
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            return _run_tui(db)
        if getattr(args, "dry_run", False):
            _dry_run(db, handler, args)
            return 0
        result = handler(db, args)
        _print(result, args)
        _warn_nobody(result)
        return 0
    except DatabaseTrouble as exc:  # busy or full: not the input's fault (a damaged file is the file's)
        print(f"studioflow: {exc}", file=sys.stderr)
        return USAGE_ERROR if exc.damaged else 1
    except StudioflowError as exc:
        return _fail(exc)
    except (sqlite3.DatabaseError, _orm_database_error()) as exc:
        # Raised by the read path (sqlite3) or by SQLAlchemy around the same sqlite3 error.
        error = getattr(exc, "orig", exc)
        if isinstance(error, sqlite3.IntegrityError):  # a rule the services missed: not the input's fault
            print(f"studioflow: could not save: {error}", file=sys.stderr)
            return 1
        if isinstance(error, sqlite3.OperationalError):  # locked, disk full: not the input's fault
            print(f"studioflow: {error}", file=sys.stderr)
            return 1
        where = db.path if db is not None else "the database"
        print(f"studioflow: {where} is damaged ({error}); see `studioflow check`", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as shell tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    # What is left of user input's faults: a name the file system refuses (too long, a folder
    # where a file should be), text that is not text, a number or date out of any range.
    except UnicodeError:
        print("studioflow: an argument is not valid text (check the terminal's encoding)", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"studioflow: {where}{exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    except (ValueError, OverflowError) as exc:
        print(f"studioflow: {_one_line(exc)}", file=sys.stderr)
        return USAGE_ERROR
    except Exception as exc:
        if os.environ.get("STUDIOFLOW_DEBUG"):
            raise
        print(f"studioflow: internal error: {exc!r} (set STUDIOFLOW_DEBUG=1 for details)", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.close()


def _check_text(args: argparse.Namespace) -> None:
    """Every text argument is text: no NUL, nothing that cannot be UTF-8 (bytes the terminal could not decode)."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str) and ("\x00" in text or not _encodable(text)):
                raise StudioflowError(f"{name.replace('_', '-')}: not valid text (check the terminal's encoding)")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _orm_database_error() -> type[Exception]:
    """SQLAlchemy's DatabaseError if a command loaded SQLAlchemy; if not, none was raised."""
    if "sqlalchemy" not in sys.modules:
        return sqlite3.DatabaseError
    from sqlalchemy.exc import DatabaseError

    return DatabaseError


def _fail(exc: StudioflowError) -> int:
    print(f"studioflow: {exc}", file=sys.stderr)
    return USAGE_ERROR


def _run_tui(db: Database) -> int:
    from studioflow.app import make_app  # Textual is only loaded when the TUI is wanted

    make_app(db).run()
    return 0


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def year(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (1 to 9999)")
    return int(text)


def positive_int(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def build_parser() -> Parser:
    # Every command takes --db and --json, before or after its own arguments.
    common = Parser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=f"database file (or ${DB_ENV})")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts")

    parser = Parser(
        prog="studioflow",
        description="Pipelines, jobs and tasks for a solo practice, in the terminal. With no command, opens the board.",
    )
    parser.add_argument("--version", action="version", version=f"studioflow {__version__}")
    parser.add_argument("--db", metavar="PATH", default=None, help=f"database file (or ${DB_ENV})")
    parser.set_defaults(json=False)
    groups = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(group: Any, name: str, handler: Handler, help_text: str) -> Parser:
        sub: Parser = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def group(name: str, help_text: str) -> Any:
        sub = groups.add_parser(name, help=help_text, description=help_text)
        return sub.add_subparsers(title="commands", metavar="COMMAND", required=True)

    cmd = command(groups, "demo", _demo, "write demo data (a wedding and a 1040 pipeline, clients, jobs, tasks)")
    cmd.add_argument("--force", action="store_true", help="add the demo data even if the database has data")
    command(groups, "check", _check, "check the database file for damage (integrity and foreign keys)")
    command(groups, "undo", lambda db, a: f"undid: {journal.undo(db)}", "undo the last change to a job")
    command(groups, "redo", lambda db, a: f"redid: {journal.redo(db)}", "redo the last undone change")

    g = group("pipeline", "pipelines (kanban boards) and their stages")
    cmd = command(g, "add", lambda db, a: pipelines.create_pipeline(db, a.name, a.stage, a.kind), "add a pipeline")
    cmd.add_argument("name")
    cmd.add_argument("--stage", action="append", default=[], metavar="S", help="a stage, in order (repeat)")
    cmd.add_argument("--for", dest="kind", choices=PIPELINE_KINDS, default="jobs", help="what its cards are")
    cmd = command(
        g,
        "default",
        lambda db, a: pipelines.set_default_for_new(db, a.pipeline, a.state == "on"),
        "make every new client, event or invoice enter this pipeline (on/off)",
    )
    cmd.add_argument("pipeline")
    cmd.add_argument("state", choices=("on", "off"))
    cmd = command(g, "list", lambda db, a: reads.list_pipelines(db, a.all), "list pipelines")
    cmd.add_argument("--all", action="store_true", help="include archived pipelines")
    cmd = command(g, "show", lambda db, a: reads.get_pipeline(db, a.pipeline), "show a pipeline's stages")
    cmd.add_argument("pipeline")
    cmd = command(g, "rename", lambda db, a: pipelines.rename_pipeline(db, a.pipeline, a.name), "rename a pipeline")
    cmd.add_argument("pipeline")
    cmd.add_argument("name")
    cmd = command(g, "move", lambda db, a: pipelines.move_pipeline(db, a.pipeline, a.to), "reorder pipelines")
    cmd.add_argument("pipeline")
    cmd.add_argument("--to", type=positive_int, required=True, metavar="N", help="new place, 1 = first")
    cmd = command(g, "delete", _delete_pipeline, "delete a pipeline that holds no jobs")
    cmd.add_argument("pipeline")

    g = group("stage", "stages (columns) of a pipeline")
    cmd = command(g, "add", lambda db, a: pipelines.add_stage(db, a.pipeline, a.name, a.at, a.wait), "add a stage")
    cmd.add_argument("pipeline")
    cmd.add_argument("name")
    cmd.add_argument("--at", type=positive_int, metavar="N", help="place, 1 = first column (default: last)")
    cmd.add_argument("--wait", type=int, metavar="DAYS", help="days a job usually waits here")
    cmd = command(g, "rename", lambda db, a: pipelines.rename_stage(db, a.pipeline, a.stage, a.name), "rename a stage")
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    cmd.add_argument("name")
    cmd = command(
        g,
        "wait",
        lambda db, a: pipelines.set_stage_wait(db, a.pipeline, a.stage, None if a.clear else a.days),
        "set how many days a job usually waits in a stage",
    )
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    wait = cmd.add_mutually_exclusive_group(required=True)
    wait.add_argument("days", nargs="?", type=int, metavar="DAYS")
    wait.add_argument("--clear", action="store_true", help="no wait")
    cmd = command(g, "move", lambda db, a: pipelines.move_stage(db, a.pipeline, a.stage, a.to), "reorder a stage")
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    cmd.add_argument("--to", type=positive_int, required=True, metavar="N", help="new place, 1 = first column")
    cmd = command(
        g,
        "delete",
        lambda db, a: pipelines.delete_stage(db, a.pipeline, a.stage, a.jobs_to),
        "delete a stage (its jobs move to --jobs-to)",
    )
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    cmd.add_argument("--jobs-to", metavar="S", help="the stage that receives the deleted stage's jobs")

    g = group("client", "clients")
    cmd = command(g, "add", _add_client, "add a client (refused when the name exists, unless --allow-duplicate)")
    cmd.add_argument("name")
    cmd.add_argument("--email", default="")
    cmd.add_argument("--phone", default="")
    cmd.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeat)")
    cmd.add_argument("--notes", default="")
    cmd.add_argument("--allow-duplicate", action="store_true", help="add it even if a client has that name")
    command(g, "list", lambda db, a: reads.list_clients(db), "list clients")
    cmd = command(g, "show", lambda db, a: clients.client_page(db, a.client), "show a client: jobs, events, invoices")
    cmd.add_argument("client")
    _tracking_commands(command, g, "clients")
    cmd = command(g, "edit", _edit_client, "change a client's name, email, phone, tags or notes (undoable)")
    cmd.add_argument("client")
    cmd.add_argument("--name")
    cmd.add_argument("--email", help="'' for none")
    cmd.add_argument("--phone", help="'' for none")
    cmd.add_argument("--tag", action="append", metavar="T", help="a tag (repeat; replaces the tags)")
    cmd.add_argument("--no-tags", action="store_true", help="remove every tag")
    cmd.add_argument("--notes")
    cmd.add_argument("--allow-duplicate", action="store_true", help="rename even to a name another client has")
    cmd = command(g, "delete", _delete_client, "delete a client: its jobs, events and invoices stay (undoable)")
    cmd.add_argument("client")
    cmd = command(
        g,
        "merge",
        lambda db, a: clients.merge_clients(db, a.original, a.duplicate),
        "fold duplicate client B into the original A: jobs, roles, events, invoices, history (undoable)",
    )
    cmd.add_argument("original", metavar="A")
    cmd.add_argument("duplicate", metavar="B")

    g = group("status", "custom job statuses that flag blockers")
    cmd = command(g, "add", lambda db, a: clients.add_status(db, a.name, a.colour), "add a job status")
    cmd.add_argument("name")
    cmd.add_argument("--colour", "--color", default="yellow", help="a colour name or #rrggbb")
    command(g, "list", lambda db, a: clients.list_statuses(db), "list job statuses")
    cmd = command(g, "rename", lambda db, a: clients.rename_status(db, a.status, a.name), "rename a job status")
    cmd.add_argument("status")
    cmd.add_argument("name")
    cmd = command(g, "colour", lambda db, a: clients.recolour_status(db, a.status, a.colour), "change its colour")
    cmd.add_argument("status")
    cmd.add_argument("colour", help="a colour name or #rrggbb")
    cmd = command(g, "delete", _delete_status, "delete a job status: the jobs holding it lose it (undoable)")
    cmd.add_argument("status")

    g = group("job", "jobs: a client's piece of paid work, moving through a pipeline")
    cmd = command(g, "add", _add_job, "add a job to a pipeline (its first stage unless --stage)")
    cmd.add_argument("title")
    cmd.add_argument("--pipeline", required=True, metavar="P")
    cmd.add_argument("--client", metavar="C")
    cmd.add_argument("--stage", metavar="S")
    cmd.add_argument("--due", type=parse_date, metavar="YYYY-MM-DD")
    cmd = command(g, "list", _list_jobs, "list jobs in board order")
    cmd.add_argument("--pipeline", metavar="P")
    cmd.add_argument("--stage", metavar="S", help="only this stage (needs --pipeline)")
    cmd.add_argument("--all", action="store_true", help="include archived jobs")
    for name, text in (
        ("show", "show a job and its stage history"),
        ("archive", "archive a job (hidden from the board)"),
        ("unarchive", "bring an archived job back"),
    ):
        service = "get_job" if name == "show" else name
        cmd = command(g, name, lambda db, a, f=service: getattr(reads if f == "get_job" else jobs, f)(db, a.job), text)
        cmd.add_argument("job")
    for name, text in (
        ("advance", "complete the job's stage and enter the next"),
        ("skip", "skip the job's stage and enter the next"),
    ):
        cmd = command(
            g, name, lambda db, a, m=name: getattr(jobs, m)(db, a.job, automations_on=not a.no_automations), text
        )
        cmd.add_argument("job")
        dry_run_option(cmd)
        no_automations_option(cmd)
    cmd = command(
        g,
        "move",
        lambda db, a: jobs.move_to(db, a.job, a.to, automations_on=not a.no_automations),
        "move a job to a stage of its pipeline",
    )
    cmd.add_argument("job")
    cmd.add_argument("--to", required=True, metavar="S")
    dry_run_option(cmd)
    no_automations_option(cmd)
    cmd = command(g, "status", _job_status, "set (or --clear) a job's status")
    dry_run_option(cmd)
    cmd.add_argument("job")
    cmd.add_argument("status", nargs="?")
    cmd.add_argument("--clear", action="store_true")
    cmd = command(g, "due", _job_due, "set (or --clear) a job's due date")
    cmd.add_argument("job")
    cmd.add_argument("due", nargs="?", type=parse_date, metavar="YYYY-MM-DD")
    cmd.add_argument("--clear", action="store_true")
    cmd = command(
        g,
        "pipeline",
        lambda db, a: jobs.move_to_pipeline(db, a.job, a.pipeline, a.stage),
        "move a job to another pipeline",
    )
    cmd.add_argument("job")
    cmd.add_argument("pipeline")
    cmd.add_argument("--stage", metavar="S", help="default: the pipeline's first stage")
    dry_run_option(cmd)

    g = group("task", "tasks: things to do, for a job, a project or alone")
    cmd = command(
        g,
        "add",
        _add_task,
        'add a task; the text may hold due:fri, !high and @"a job or project", e.g. '
        "'Call Anna due:fri !high @\"Smith wedding\"'",
    )
    cmd.add_argument("title", help="the task, with due:WHEN, !low/!medium/!high and @name where wanted")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--project", metavar="PR")
    cmd.add_argument("--due", type=parse_due, metavar="WHEN", help="YYYY-MM-DD, today, tomorrow, fri, +3d, +2w")
    cmd.add_argument("--priority", type=parse_priority, metavar="P", help="low, medium, high (or 0-3)")
    cmd = command(g, "delete", _delete_task, "delete a task (studioflow undo brings it back)")
    cmd.add_argument("task")
    cmd = command(g, "done", lambda db, a: tasks.complete_task(db, a.task), "check a task off")
    cmd.add_argument("task")
    cmd = command(g, "reopen", lambda db, a: tasks.reopen_task(db, a.task), "uncheck a done task")
    cmd.add_argument("task")
    cmd = command(
        g, "list", lambda db, a: reads.list_tasks(db, a.all, a.job, a.project), "list open tasks, soonest due first"
    )
    cmd.add_argument("--all", action="store_true", help="include done tasks")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--project", metavar="PR")

    g = group("project", "projects: groups of tasks, for a client, an event, an invoice, a job or alone")
    cmd = command(
        g,
        "add",
        lambda db, a: tasks.add_project(db, a.name, a.job, a.client, a.event, a.invoice),
        "add a project",
    )
    cmd.add_argument("name")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--client", metavar="C")
    cmd.add_argument("--event", metavar="E", help="an event (session), by id or title")
    cmd.add_argument("--invoice", metavar="I", help="an invoice, by id or number")
    command(g, "list", lambda db, a: tasks.list_projects(db), "list projects with their progress and next due date")
    cmd = command(g, "show", _show_project, "show a project and its tasks")
    cmd.add_argument("project")

    g = group("automation", "what a stage does when a job enters it, leaves it or gets a status")
    cmd = command(g, "add", _add_automation, "add an automation to a stage")
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    cmd.add_argument("--on", required=True, choices=AUTOMATION_TRIGGERS, help="when it fires")
    cmd.add_argument("--status", metavar="S", help="with --on status: the status it waits for")
    cmd.add_argument("--action", required=True, choices=AUTOMATION_ACTIONS)
    cmd.add_argument("--template", metavar="T", help="send_email/send_sms: the message template")
    cmd.add_argument("--list", metavar="L", help="create_tasks: the saved task list")
    cmd.add_argument("--to-status", metavar="S", help="set_status: the status to set")
    cmd.add_argument("--days", type=int, metavar="N", help="set_due: due N days after it fires")
    cmd.add_argument("--to-pipeline", metavar="P", help="move_to_pipeline: where to")
    cmd.add_argument("--to-stage", metavar="S", help="move_to_pipeline: which stage (default: first)")
    cmd.add_argument("--from-invoice", metavar="I", help="send_invoice: the invoice to copy (lines, tax)")
    cmd.add_argument("--delay", type=parse_delay, default=0, metavar="D", help="messages: send later, e.g. 2d or 4h")
    cmd.add_argument("--tag", action="append", default=[], metavar="T", help="only for clients with this tag")
    cmd.add_argument("--keep", action="store_true", help="a delayed message still goes if the job moves on")
    cmd.add_argument(
        "--reentry",
        default="every",
        metavar="R",
        help="when the job comes back to the stage: every (visit, the default), first (visit only), "
        "or days:N (not again within N days)",
    )
    cmd = command(g, "list", lambda db, a: automation_rules.list_automations(db, a.pipeline, a.stage), "list")
    cmd.add_argument("--pipeline", metavar="P")
    cmd.add_argument("--stage", metavar="S", help="needs --pipeline")
    for name, enabled in (("enable", True), ("disable", False)):
        cmd = command(
            g, name, lambda db, a, on=enabled: automation_rules.set_enabled(db, a.id, on), f"{name} an automation"
        )
        cmd.add_argument("id", type=positive_int)
    cmd = command(g, "move", lambda db, a: automation_rules.move_automation(db, a.id, a.to), "reorder")
    cmd.add_argument("id", type=positive_int)
    cmd.add_argument("--to", type=positive_int, required=True, metavar="N", help="new place, 1 = fires first")
    cmd = command(g, "delete", _delete_automation, "delete an automation")
    cmd.add_argument("id", type=positive_int)
    cmd = command(g, "automove", _auto_move, "advance jobs once the tasks a stage made are all done (on/off)")
    cmd.add_argument("pipeline")
    cmd.add_argument("stage")
    cmd.add_argument("state", choices=("on", "off"))

    g = group("savedtasks", "saved task lists: tasks made again and again, for a job or a project")
    cmd = command(g, "add", _add_saved_list, "add a saved task list")
    cmd.add_argument("name")
    cmd.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="TASK",
        help="a task (repeat); +N for due N days after the list is applied, !low/!medium/!high",
    )
    command(g, "list", lambda db, a: tasks.list_saved_lists(db), "list saved task lists")
    cmd = command(g, "show", lambda db, a: tasks.get_saved_list(db, a.list), "show a saved task list's items")
    cmd.add_argument("list")
    cmd = command(g, "apply", _apply_saved_list, "make the list's tasks for a job or a project, due from today")
    cmd.add_argument("list")
    owner = cmd.add_mutually_exclusive_group(required=True)
    owner.add_argument("--job", metavar="J")
    owner.add_argument("--project", metavar="PR")
    cmd.add_argument("--start", type=parse_date, metavar="YYYY-MM-DD", help="count due dates from here, not today")

    _job_container_commands(command, group, groups)

    g = group("template", "message templates: an email or a text with placeholders like {{ client.first_name }}")
    cmd = command(g, "add", _add_template, "add a message template")
    cmd.add_argument("name")
    cmd.add_argument("--channel", required=True, choices=CHANNELS)
    cmd.add_argument("--subject", default="", metavar="S", help="the email's subject (a text has none)")
    body = cmd.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", metavar="B")
    body.add_argument("--body-file", metavar="F", help="read the body from a file ('-' for stdin)")
    command(g, "list", lambda db, a: _templates().list_templates(db), "list message templates")
    cmd = command(g, "show", lambda db, a: _templates().get_template(db, a.template), "show a template")
    cmd.add_argument("template")
    cmd = command(g, "preview", _preview_template, "show a template rendered for a job")
    cmd.add_argument("template")
    cmd.add_argument("--job", required=True, metavar="J")
    cmd = command(g, "delete", _delete_template, "delete a template")
    cmd.add_argument("template")

    g = group("outbox", "messages waiting to go, sent, failed or held; delivery by SMTP or to the stub outbox")
    cmd = command(g, "list", lambda db, a: reads.list_messages(db, a.state or ()), "list messages")
    cmd.add_argument("--state", action="append", choices=OUTBOX_STATE_ORDER, help="only this state (repeat)")
    cmd = command(g, "show", lambda db, a: reads.get_message(db, a.id), "show a message in full")
    cmd.add_argument("id", type=positive_int)
    command(g, "send", _send_outbox, "send every message that is due (progress on stderr)")
    cmd = command(g, "retry", _retry_outbox, "put failed messages back in the queue, due now")
    retry_what = cmd.add_mutually_exclusive_group(required=True)
    retry_what.add_argument("id", type=positive_int, nargs="*", default=[])
    retry_what.add_argument("--failed", action="store_true", help="every failed message")
    cmd = command(g, "cancel", lambda db, a: outbox.cancel(db, a.id), "cancel messages not sent yet (undo with 'undo')")
    cmd.add_argument("id", type=positive_int, nargs="+")
    cmd = command(
        g, "release", lambda db, a: outbox.release(db, a.id), "let held messages go (they may have been sent once)"
    )
    cmd.add_argument("id", type=positive_int, nargs="+")
    cmd = command(g, "now", lambda db, a: outbox.send_now(db, a.id), "make queued messages due now")
    cmd.add_argument("id", type=positive_int, nargs="+")
    cmd = command(g, "test", _test_email, "send a test email through the configured SMTP server")
    cmd.add_argument("to", metavar="ADDRESS")
    return parser


def _send_outbox(db: Database, args: argparse.Namespace) -> Any:
    from studioflow.mail.delivery import MailSettings, deliver_due

    settings = MailSettings.load(db.path)
    live = sys.stderr.isatty()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        # A line per tenth on a pipe or log; one line redrawn in place on a terminal.
        if live:
            print(f"\rsending to {settings.destination}: {done}/{total}", end="", file=sys.stderr, flush=True)
        elif done * 10 // total != shown[0] or done == total:
            shown[0] = done * 10 // total
            print(f"sending to {settings.destination}: {done}/{total}", file=sys.stderr, flush=True)

    report = deliver_due(db, settings, progress)
    if live and report.handled:
        print(file=sys.stderr)
    for problem in report.problems:
        print(f"studioflow: {problem}", file=sys.stderr)
    return report if args.json else report.summary()


def _retry_outbox(db: Database, args: argparse.Namespace) -> Any:
    return outbox.retry_failed(db) if args.failed else outbox.retry(db, args.id)


def _test_email(db: Database, args: argparse.Namespace) -> str:
    from studioflow.config import load_smtp
    from studioflow.mail.transport import SendFailure, send_test_email

    smtp = load_smtp()
    if smtp is None:
        raise StudioflowError("no [smtp] table in the config: messages go to the stub outbox, nothing to test")
    try:
        reply = send_test_email(smtp, clients.clean_email(args.to) or args.to)
    except SendFailure as failure:
        raise StudioflowError(f"the test email was not sent: {failure.reason}") from None
    answer = reply.removeprefix(f"{smtp.host}: ")  # the host is said already, with its port
    return f"sent a test email to {args.to} through {smtp.host}:{smtp.port}: {answer}"


def _tracking_commands(command: Callable[..., Parser], g: Any, kind: str) -> None:
    """The job verbs for a client, event or invoice on a pipeline of its kind."""
    noun = kind[:-1]
    cmd = command(g, "track", _track, f"put a {noun} on a {noun} pipeline (its first stage unless --stage)")
    cmd.add_argument("ref", metavar=noun.upper())
    cmd.add_argument("--pipeline", required=True, metavar="P")
    cmd.add_argument("--stage", metavar="S")
    cmd.set_defaults(kind=kind)
    for name, text in (
        ("advance", "complete its stage and enter the next"),
        ("skip", "skip its stage and enter the next"),
        ("untrack", "take it off a pipeline (its history stays)"),
    ):
        # The service is looked up when the command runs: building the parser loads no ORM.
        run = lambda db, a, verb=name: getattr(tracking, verb)(db, a.kind, a.ref, a.pipeline)  # noqa: E731
        cmd = command(g, name, run, f"{noun}: {text}")
        cmd.add_argument("ref", metavar=noun.upper())
        cmd.add_argument("--pipeline", metavar="P", help="needed when it stands on several")
        cmd.set_defaults(kind=kind)
    cmd = command(
        g, "move", lambda db, a: tracking.move_to(db, a.kind, a.ref, a.to, a.pipeline), f"move a {noun} to a stage"
    )
    cmd.add_argument("ref", metavar=noun.upper())
    cmd.add_argument("--to", required=True, metavar="S")
    cmd.add_argument("--pipeline", metavar="P", help="needed when it stands on several")
    cmd.set_defaults(kind=kind)
    cmd = command(
        g,
        "pipeline",
        lambda db, a: tracking.move_to_pipeline(db, a.kind, a.ref, a.to_pipeline, a.stage, a.pipeline),
        f"move a {noun} to another {noun} pipeline",
    )
    cmd.add_argument("ref", metavar=noun.upper())
    cmd.add_argument("to_pipeline", metavar="TO_PIPELINE")
    cmd.add_argument("--stage", metavar="S", help="default: the pipeline's first stage")
    cmd.add_argument("--pipeline", metavar="P", help="the one it leaves, when it stands on several")
    cmd.set_defaults(kind=kind)
    cmd = command(
        g, "pipelines", lambda db, a: tracking.get_tracks(db, a.kind, a.ref), f"the {noun}'s pipelines and history"
    )
    cmd.add_argument("ref", metavar=noun.upper())
    cmd.set_defaults(kind=kind)


def _track(db: Database, a: argparse.Namespace) -> TrackView:
    return tracking.track(db, a.kind, a.ref, a.pipeline, a.stage)


def _job_container_commands(command: Callable[..., Parser], group: Callable[[str, str], Any], top: Any) -> None:
    """What a job holds besides tasks: clients with roles, events, invoices, mileage; and whole-file transfers."""
    g = group("jobclient", "the clients of a job, each with a role (bride, payer...); one is the primary client")
    cmd = command(g, "list", lambda db, a: jobclients.list_job_clients(db, a.job), "list a job's clients")
    cmd.add_argument("job")
    cmd = command(g, "add", lambda db, a: jobclients.add_job_client(db, a.job, a.client, a.role), "add a client")
    cmd.add_argument("job")
    cmd.add_argument("client")
    cmd.add_argument("--role", default="", metavar="R", help='e.g. "bride" or "payer"')
    cmd = command(g, "remove", lambda db, a: jobclients.remove_job_client(db, a.job, a.client), "take a client off")
    cmd.add_argument("job")
    cmd.add_argument("client")
    cmd = command(g, "primary", lambda db, a: jobclients.set_primary(db, a.job, a.client), "make the primary client")
    cmd.add_argument("job")
    cmd.add_argument("client")
    cmd = command(g, "role", lambda db, a: jobclients.set_role(db, a.job, a.client, a.role), "set a client's role")
    cmd.add_argument("job")
    cmd.add_argument("client")
    cmd.add_argument("role")

    g = group("event", "events: a job's sessions and appointments")
    cmd = command(g, "add", _add_event, "add an event")
    cmd.add_argument("title")
    cmd.add_argument("--start", type=parse_datetime, required=True, metavar="'YYYY-MM-DD HH:MM'", help="local time")
    cmd.add_argument("--end", type=parse_datetime, metavar="'YYYY-MM-DD HH:MM'")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--client", metavar="C", help="default: the job's primary client")
    cmd.add_argument("--location", default="", metavar="L")
    cmd = command(g, "list", _list_events, "list events in time order")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--upcoming", action="store_true", help="only events that have not ended")
    cmd = command(g, "delete", lambda db, a: events.delete_event(db, a.id), "delete an event")
    cmd.add_argument("id", type=positive_int)
    cmd = command(g, "ics", _events_ics, "write a job's events (or all upcoming) to an .ics file for a calendar app")
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--job", metavar="J", help="default: every upcoming event")
    _tracking_commands(command, g, "events")

    g = group("invoice", "invoices: numbered, with lines and tax, draft → sent → paid (or void)")
    cmd = command(g, "add", _add_invoice, "add a draft invoice")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--client", metavar="C", help="who pays (default: the job's primary client)")
    cmd.add_argument(
        "--line", nargs=3, action="append", default=[], metavar=("DESC", "QTY", "PRICE"), help="a line (repeat)"
    )
    tax_help = "a tax: 'GST=5', 'QST=9.975' or a bare rate like 8.25 (repeat; each on the subtotal)"
    cmd.add_argument("--tax", action="append", default=[], metavar="NAME=PCT", help=tax_help)
    cmd.add_argument("--issued", type=parse_date, metavar="YYYY-MM-DD", help="default: today")
    cmd.add_argument("--due", type=parse_date, metavar="YYYY-MM-DD")
    cmd.add_argument("--number", metavar="N", help="default: the next number")
    cmd.add_argument("--notes", default="", help="printed under the totals")
    cmd = command(g, "edit", _edit_invoice, "change a draft: lines, taxes, payer, due date, notes (undoable)")
    cmd.add_argument("invoice")
    cmd.add_argument(
        "--line", nargs=3, action="append", metavar=("DESC", "QTY", "PRICE"), help="a line (repeat; replaces the lines)"
    )
    cmd.add_argument("--tax", action="append", metavar="NAME=PCT", help=tax_help + "; replaces the taxes")
    cmd.add_argument("--no-tax", action="store_true", help="remove every tax")
    cmd.add_argument("--client", metavar="C", help="who pays")
    due = cmd.add_mutually_exclusive_group()
    due.add_argument("--due", type=parse_date, metavar="YYYY-MM-DD")
    due.add_argument("--no-due", action="store_true", help="no due date")
    cmd.add_argument("--notes")
    cmd = command(
        g,
        "correct",
        lambda db, a: invoices.correct(db, a.invoice),
        "void a sent invoice and make a new draft (new number) to fix and send instead (undoable)",
    )
    cmd.add_argument("invoice")
    cmd = command(g, "show", lambda db, a: invoices.get_invoice(db, a.invoice), "show an invoice with its lines")
    cmd.add_argument("invoice")
    cmd = command(g, "list", lambda db, a: invoices.list_invoices(db, a.job, a.client), "list invoices")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--client", metavar="C")
    cmd = command(g, "status", lambda db, a: invoices.set_status(db, a.invoice, a.status), "change the status")
    cmd.add_argument("invoice")
    cmd.add_argument("status", choices=INVOICE_STATES)
    cmd = command(g, "email", _email_invoice, "queue the invoice in the outbox to its client (a draft becomes sent)")
    cmd.add_argument("invoice")
    cmd.add_argument("--template", required=True, metavar="T", help="an email template: the letter above the invoice")
    cmd = command(g, "line", _add_invoice_line, "add a line to a draft invoice")
    cmd.add_argument("invoice")
    cmd.add_argument("description")
    cmd.add_argument("quantity", type=int)
    cmd.add_argument("price")
    cmd = command(g, "csv", _invoices_csv, "write invoices to a CSV file")
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--client", metavar="C")
    _tracking_commands(command, g, "invoices")

    g = group("csv", "spreadsheets: export any records to CSV; import clients and jobs from CSV")
    cmd = command(g, "export", _export_csv, "write every record of a kind to a CSV file")
    cmd.add_argument("kind", choices=CSV_EXPORTS)
    cmd.add_argument("file", type=Path)
    cmd = command(
        g, "import", _import_csv, "read clients or jobs from a CSV file: a dry run unless --apply (then all or nothing)"
    )
    cmd.add_argument("kind", choices=tuple(CSV_FIELDS))
    cmd.add_argument("file", type=Path)
    cmd.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read a column as a field, e.g. 'Full name=name' (fields: clients: "
        + ", ".join(CSV_FIELDS["clients"])
        + "; jobs: "
        + ", ".join(CSV_FIELDS["jobs"])
        + ")",
    )
    cmd.add_argument("--apply", action="store_true", help="import for real (every row, or none if one is refused)")

    g = group("mileage", "mileage logs: trips for a job or one of its events")
    cmd = command(g, "add", _add_trip, "log a trip (unit and rate from config.toml [mileage] unless given)")
    cmd.add_argument("distance")
    cmd.add_argument("--job", required=True, metavar="J")
    cmd.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD", help="default: today")
    cmd.add_argument("--purpose", default="", metavar="P", help="from/to or what for")
    cmd.add_argument("--event", type=positive_int, metavar="ID", help="the job's event the trip was for")
    cmd.add_argument("--unit", choices=MILEAGE_UNITS)
    cmd.add_argument("--rate", type=int, metavar="CENTS", help="cents per unit")
    cmd = command(g, "list", lambda db, a: mileage.list_trips(db, a.job, a.year), "list trips, with totals")
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--year", type=year, metavar="YYYY")
    cmd = command(g, "csv", _trips_csv, "write trips to a CSV file")
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--job", metavar="J")
    cmd.add_argument("--year", type=year, metavar="YYYY")

    cmd = command(top, "agenda", _agenda, "today and the days ahead")
    cmd.add_argument("--days", type=int, choices=range(31), metavar="N", help="default: a week")
    cmd = command(top, "export", _export, "write the whole database to a JSON file")
    cmd.add_argument("file", type=Path)
    cmd = command(top, "import", _import, "load a JSON export into a new, empty database")
    cmd.add_argument("file", type=Path)
    cmd = command(top, "backup", _backup, "copy the database safely, even while the app runs")
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--force", action="store_true", help="replace the file if it exists")


def _templates() -> ModuleType:
    # Imported on use: jinja2 is not loaded for the commands (and the TUI) that need no template.
    from studioflow.workflow.automations import templates

    return templates


def parse_datetime(text: str) -> datetime:
    """ "2026-06-13 14:00" (local time, or with an offset) -> an aware datetime."""
    try:
        value = datetime.fromisoformat(text.strip())
        return value.astimezone() if value.tzinfo is None else value
    except (ValueError, OverflowError):  # OverflowError: a time at the very edge of the calendar
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time (YYYY-MM-DD HH:MM)") from None


def _add_event(db: Database, a: argparse.Namespace) -> EventView:
    return events.add_event(db, a.title, a.start, a.end, job=a.job, client=a.client, location=a.location)


def _list_events(db: Database, a: argparse.Namespace) -> list[EventView]:
    return events.list_events(db, job=a.job, since=datetime.now(UTC) if a.upcoming else None)


def _events_ics(db: Database, a: argparse.Namespace) -> str:
    chosen = events.list_events(db, job=a.job) if a.job else events.upcoming_events(db)
    transfer.write_file(db, a.file, events.to_ics(chosen))
    return f"{len(chosen)} event(s) written to {a.file}"


def _add_invoice(db: Database, a: argparse.Namespace) -> InvoiceView:
    lines = [_invoice_line(desc, qty, price) for desc, qty, price in a.line]
    return invoices.add_invoice(
        db,
        lines,
        job=a.job,
        client=a.client,
        issued_on=a.issued,
        due_on=a.due,
        taxes=[invoices.parse_tax(t) for t in a.tax],
        number=a.number,
        notes=a.notes,
    )


def _edit_invoice(db: Database, a: argparse.Namespace) -> InvoiceView:
    if a.no_tax and a.tax:
        raise StudioflowError("give either --tax or --no-tax")
    lines = None if a.line is None else [_invoice_line(desc, qty, price) for desc, qty, price in a.line]
    taxes = [] if a.no_tax else None if a.tax is None else [invoices.parse_tax(t) for t in a.tax]
    due: date | bool | None = None if a.no_due else a.due if a.due is not None else False
    if lines is None and taxes is None and a.client is None and due is False and a.notes is None:
        raise StudioflowError("nothing to change: give --line, --tax, --no-tax, --client, --due, --no-due or --notes")
    return invoices.edit_invoice(db, a.invoice, lines=lines, taxes=taxes, client=a.client, due_on=due, notes=a.notes)


def _invoice_line(description: str, quantity: str, price: str) -> tuple[str, int, int]:
    try:
        count = int(quantity)
    except ValueError:
        raise StudioflowError(f"the quantity of {description!r} must be a whole number, not {quantity!r}") from None
    return description, count, invoices.parse_cents(price, f"the price of {description!r}")


def _email_invoice(db: Database, a: argparse.Namespace) -> str:
    view, address = invoices.email_invoice(db, a.invoice, a.template, load_me())
    return f"invoice {view.number} queued to {address} (it is {view.status})"


def _add_invoice_line(db: Database, a: argparse.Namespace) -> InvoiceView:
    description, quantity, price = _invoice_line(a.description, str(a.quantity), a.price)
    return invoices.add_line(db, a.invoice, description, quantity, price)


def _invoices_csv(db: Database, a: argparse.Namespace) -> str:
    chosen = invoices.list_invoices(db, a.job, a.client)
    transfer.write_file(db, a.file, invoices.to_csv(chosen).encode("utf-8"))
    return f"{len(chosen)} invoice(s) written to {a.file}"


def _export_csv(db: Database, a: argparse.Namespace) -> str:
    text, count = spreadsheet.export(db, a.kind)
    transfer.write_file(db, a.file, text.encode("utf-8"))  # the one rule for files a command writes
    return f"{count} {a.kind} written to {a.file}"


def _import_csv(db: Database, a: argparse.Namespace) -> str:
    try:
        text = a.file.expanduser().read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StudioflowError(f"cannot read {a.file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudioflowError(f"{a.file} is not UTF-8 text (save the sheet as CSV UTF-8)") from None
    mapping = spreadsheet.parse_mapping(a.map)
    done = (spreadsheet.apply if a.apply else spreadsheet.plan)(db, a.kind, text, mapping)
    lines = ["columns: " + ", ".join(f"{h} -> {f}" for h, f in done.columns.items())]
    if done.ignored:
        lines.append("ignored columns: " + ", ".join(done.ignored))
    lines += [f"  + {made}" for made in done.made[: spreadsheet.MAX_SHOWN]]
    if len(done.made) > spreadsheet.MAX_SHOWN:
        lines.append(f"  ... and {len(done.made) - spreadsheet.MAX_SHOWN} more")
    lines += [f"  refused, line {line}: {why}" for line, why in done.refused[: spreadsheet.MAX_SHOWN]]
    lines.append(done.summary() + ("" if a.apply else " (dry run: nothing written; --apply imports)"))
    return "\n".join(lines)


def _add_trip(db: Database, a: argparse.Namespace) -> MileageView:
    trip_on = a.date or date.today()
    return mileage.add_trip(db, a.job, trip_on, a.distance, a.purpose, a.event, a.unit, a.rate)


def _trips_csv(db: Database, a: argparse.Namespace) -> str:
    chosen = mileage.list_trips(db, a.job, a.year)
    transfer.write_file(db, a.file, mileage.to_csv(chosen).encode("utf-8"))
    return f"{len(chosen)} trip(s) written to {a.file}"


def _progress(verb: str) -> Callable[[str, int, int], None] | None:
    """Progress on stderr for a person watching (a terminal); scripts get a quiet stderr."""
    if not sys.stderr.isatty():
        return None

    def show(table: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r\033[K{verb}: {done}/{total} tables {table}", end=end, file=sys.stderr, flush=True)

    return show


def _agenda(db: Database, a: argparse.Namespace) -> list[AgendaItem]:
    return reads.agenda(db, days=reads.AGENDA_DAYS if a.days is None else a.days)


def _export(db: Database, a: argparse.Namespace) -> str:
    counts = transfer.export_json(db, a.file, _progress("exporting"))
    return f"{sum(counts.values())} rows of {len(counts)} tables written to {a.file}"


def _import(db: Database, a: argparse.Namespace) -> str:
    counts = transfer.import_json(db, a.file, _progress("importing"))
    return f"{sum(counts.values())} rows of {len(counts)} tables imported from {a.file}"


def _backup(db: Database, a: argparse.Namespace) -> str:
    return f"backup written to {transfer.backup(db, a.file, overwrite=a.force)}"


def no_automations_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--no-automations",
        action="store_true",
        help="a correction: fire no automation (recorded in the job's history)",
    )


def dry_run_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--dry-run", action="store_true", help="show what would happen and what would fire; write nothing")


def parse_delay(text: str) -> int:
    """ "2d", "4h", "30m" or minutes as a number -> minutes."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a delay (e.g. 2d, 4h, 30m)")
    return int(match[1]) * {"d": 1440, "h": 60, "m": 1, "": 1}[match[2]]


def _add_automation(db: Database, a: argparse.Namespace) -> AutomationView:
    return automation_rules.add_automation(
        db,
        a.pipeline,
        a.stage,
        a.on,
        a.action,
        status=a.status,
        template=a.template,
        saved_list=a.list,
        to_status=a.to_status,
        days=a.days,
        to_pipeline=a.to_pipeline,
        to_stage=a.to_stage,
        from_invoice=a.from_invoice,
        delay_minutes=a.delay,
        required_tags=a.tag,
        keep_on_leave=a.keep,
        reentry=a.reentry,
    )


def _delete_automation(db: Database, a: argparse.Namespace) -> str:
    automation_rules.delete_automation(db, a.id)
    return f"automation {a.id} deleted"


def _auto_move(db: Database, a: argparse.Namespace) -> str:
    automation_rules.set_auto_move(db, a.pipeline, a.stage, a.state == "on")
    return f"auto-move {a.state} for {a.stage!r}"


def _add_saved_list(db: Database, a: argparse.Namespace) -> SavedTaskListView:
    return tasks.create_saved_list(db, a.name, [quickadd.parse_saved_item(item) for item in a.item])


def _apply_saved_list(db: Database, a: argparse.Namespace) -> list[TaskView]:
    return tasks.apply_saved_list(db, a.list, job=a.job, project=a.project, start=a.start)


def _show_project(db: Database, a: argparse.Namespace) -> ProjectDetailView:
    project = tasks.get_project(db, a.project)
    return ProjectDetailView(project, tuple(tasks.list_tasks(db, include_done=True, project=project.id)))


def _dry_run(db: Database, handler: Handler, args: argparse.Namespace) -> None:
    """Run a move in a transaction that is rolled back, and show what it would do."""
    result, effects = jobs.rehearse(db, lambda: handler(db, args))
    if args.json:
        data = {"dry_run": True, "job": to_json(result), "effects": [to_json(e) for e in effects]}
        _write_json(data)
        return
    print(f"dry run, nothing written: job {result.id} {result.title!r} would be at {result.pipeline} › {result.stage}")
    if not effects:
        print("no automation would fire")
    for effect in effects:
        print(f"  - {effect.text}")
        for line in effect.message.splitlines():
            print(f"      {line}")


def _warn_nobody(result: Any) -> None:
    """A move that queued a message to nobody did what was asked (the message waits, held, to
    be edited or cancelled) but is said on stderr: the shell has no dialog to ask first."""
    for line in getattr(result, "fired", ()):
        if " held: " in line and " has no " in line:  # no client, or a client without the address
            print(f"studioflow: warning: {line} (see 'studioflow outbox list --state held')", file=sys.stderr)


def _demo(db: Database, args: argparse.Namespace) -> str:
    from studioflow.workflow.files import demo  # imported on use: it brings jinja2 for its templates

    counts = demo.write_demo(db, force=args.force)
    return "demo data written: " + ", ".join(f"{n} {what}" for what, n in counts.items())


def _check(db: Database, _args: argparse.Namespace) -> str:
    problems = db.health()
    if problems:
        raise StudioflowError(f"{db.path} is damaged: " + "; ".join(problems[:5]))
    return f"{db.path}: ok"


def _delete_pipeline(db: Database, args: argparse.Namespace) -> str:
    pipelines.delete_pipeline(db, args.pipeline)
    return f"pipeline {args.pipeline!r} deleted"


def _add_client(db: Database, a: argparse.Namespace) -> ClientView:
    try:
        return clients.add_client(db, a.name, a.email, a.phone, a.tag, a.notes, allow_duplicate=a.allow_duplicate)
    except clients.DuplicateClient as exc:
        raise StudioflowError(f"{exc}; --allow-duplicate adds a second one") from None


def _edit_client(db: Database, a: argparse.Namespace) -> ClientView:
    if a.no_tags and a.tag:
        raise StudioflowError("give either --tag or --no-tags")
    tags = [] if a.no_tags else a.tag
    fields = (a.name, a.email, a.phone, tags, a.notes)
    if all(field is None for field in fields):
        raise StudioflowError("nothing to change: give --name, --email, --phone, --tag, --no-tags or --notes")
    return clients.edit_client(
        db,
        a.client,
        name=a.name,
        email=a.email,
        phone=a.phone,
        tags=tags,
        notes=a.notes,
        allow_duplicate=a.allow_duplicate,
    )


def _delete_client(db: Database, a: argparse.Namespace) -> str:
    links = clients.delete_client(db, a.client)
    return f"deleted client {links.id} {links.name}: {links.consequence()} (`studioflow undo` brings it back)"


def _delete_status(db: Database, a: argparse.Namespace) -> str:
    name = clients.get_status(db, a.status).name
    held = clients.delete_status(db, a.status)
    return f"deleted status {name}: {held} job(s) lost it (`studioflow undo` brings it back)"


def _add_job(db: Database, a: argparse.Namespace) -> JobView:
    return jobs.add_job(db, a.title, a.pipeline, client=a.client, stage=a.stage, due_on=a.due)


def _list_jobs(db: Database, a: argparse.Namespace) -> list[JobView]:
    return reads.list_jobs(db, a.pipeline, a.stage, a.all)


def _job_status(db: Database, a: argparse.Namespace) -> JobView:
    if a.clear == (a.status is not None):
        raise StudioflowError("give either a status or --clear")
    return jobs.set_status(db, a.job, None if a.clear else a.status)


def _job_due(db: Database, a: argparse.Namespace) -> JobView:
    if a.clear == (a.due is not None):
        raise StudioflowError("give either a due date or --clear")
    return jobs.set_due(db, a.job, a.due)


def _add_task(db: Database, a: argparse.Namespace) -> TaskView:
    if (a.job or a.project) and quickadd.parse(a.title, date.today()).owner is not None:
        raise StudioflowError("the job or project is given twice: keep @name or the option")
    return tasks.quick_add(db, a.title, job=a.job, project=a.project, due_on=a.due, priority=a.priority)


def _delete_task(db: Database, a: argparse.Namespace) -> str:
    gone = tasks.delete_task(db, a.task)
    return f"task {gone.id} {gone.title!r} deleted (studioflow undo brings it back)"


def parse_due(text: str) -> date:
    try:
        return quickadd.parse_due(text, date.today())
    except StudioflowError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_priority(text: str) -> int:
    try:
        return quickadd.parse_priority(text)
    except StudioflowError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_template(db: Database, a: argparse.Namespace) -> TemplateView:
    body = a.body if a.body is not None else _read_text(a.body_file)
    return _templates().create_template(db, a.name, a.channel, a.subject, body)


def _read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise StudioflowError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudioflowError(f"{name} is not UTF-8 text") from None


def _preview_template(db: Database, a: argparse.Namespace) -> RenderedView:
    me = load_me()
    channel = _templates().get_template(db, a.template).channel
    subject, body = _templates().preview(db, a.template, a.job, me)
    return RenderedView(channel, subject, body)


def _delete_template(db: Database, a: argparse.Namespace) -> str:
    view = _templates().delete_template(db, a.template)
    return f"template {view.id} {view.name!r} deleted"


# Output: JSON for scripts, short aligned text for people.


def _write_json(data: Any) -> None:
    # One write of the whole text: json.dump to stdout writes each token on its own,
    # which made `job list --json` of 10,000 jobs spend seconds in write calls.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _print(result: Any, args: argparse.Namespace) -> None:
    if args.json:
        _write_json(to_json(result))
    elif isinstance(result, str):
        print(result)
    elif isinstance(result, list) and result and isinstance(result[0], TrackView) and result[0].history:
        for number, track in enumerate(result):
            if number:
                print()
            _print_track(track)
    elif isinstance(result, list):
        rows = [_row(item) for item in result]
        print(_table(rows) if rows else "(none)")
        if rows and isinstance(result[0], MileageView):
            for total in mileage.totals(result):
                print(
                    f"total: {total.trips} trip(s), {mileage.format_distance(total.distance)} {total.unit}, "
                    f"{invoices.money(total.amount_cents)}"
                )
    elif isinstance(result, PipelineView):
        print(f"pipeline {result.id} {result.name}")
        print(_table([_row(stage) for stage in result.stages]) if result.stages else "(no stages)")
    elif isinstance(result, JobView):
        _print_job(result)
    elif isinstance(result, TrackView):
        _print_track(result)
    elif isinstance(result, TemplateView):
        print(f"template {result.id} {result.name} ({result.channel})")
        _print_message(result.channel, result.subject, result.body)
    elif isinstance(result, RenderedView):
        _print_message(result.channel, result.subject, result.body)
    elif isinstance(result, MessageView):
        _print_outbox_message(result)
    elif isinstance(result, ProjectDetailView):
        print(_table([_row(result.project)]))
        print(_table([_row(task) for task in result.tasks]) if result.tasks else "(no tasks)")
    elif isinstance(result, SavedTaskListView):
        print(f"saved task list {result.id} {result.name}")
        print(_table([_row(item) for item in result.items]) if result.items else "(no items)")
    elif isinstance(result, InvoiceView):
        _print_invoice(result)
    elif isinstance(result, ClientPageView):
        _print_client_page(result)
    else:
        print(_table([_row(result)]))


def _print_job(job: JobView) -> None:
    fields = {
        "job": f"{job.id} {job.title}" + (" (archived)" if job.archived else ""),
        "pipeline": job.pipeline,
        "stage": job.stage,
        "client": job.client or "-",
        "status": job.status or "-",
        "due": job.due_on.isoformat() if job.due_on else "-",
        "tasks": f"{job.tasks_total - job.tasks_open}/{job.tasks_total} done",
    }
    _print_moved(fields, job)


def _print_track(track: TrackView) -> None:
    fields = {
        track.kind[:-1]: f"{track.id} {track.title}",
        "pipeline": track.pipeline,
        "stage": track.stage + ("" if track.tracked else " (left the pipeline)"),
        "due": track.due_on.isoformat() if track.due_on else "-",
    }
    _print_moved(fields, track)


def _print_moved(fields: dict[str, str], moved: JobView | TrackView) -> None:
    """A job or tracked resource: its fields, what its automations did, its stage history."""
    for key, value in fields.items():
        print(f"{key:>9}  {value}")
    for line in moved.fired:
        print(f"{'fired':>9}  {line}")
    if moved.history:
        print("  history")
        for visit in moved.history:
            when = local_minute(visit.entered_at)
            quiet = "  (moved without automations)" if visit.automations_off else ""
            print(f"           {when}  {visit.state:<9}  {visit.stage}{quiet}")


def _print_outbox_message(message: MessageView) -> None:
    fields = {
        "message": f"{message.id} ({message.channel}) {message.state_label()}",
        "to": message.to_addr or "-",
        "job": f"{message.job_id} {message.job_title}" if message.job_id else "-",
        "send at": local_minute(message.send_at),
        "sent at": local_minute(message.sent_at),
        "attempts": str(message.attempts),
        "went to": message.reply or "-",
        "problem": message.last_error or "-",
        "id": message.message_id or "-",
    }
    for key, value in fields.items():
        print(f"{key:>9}  {value}")
    print()
    _print_message(message.channel, message.subject, message.body)


def _print_invoice(invoice: InvoiceView) -> None:
    fields = {
        "invoice": f"{invoice.number} ({invoice.status}{', overdue' if invoice.overdue else ''})",
        "client": invoice.client or "-",
        "job": invoice.job or "-",
        "issued": invoice.issued_on.isoformat(),
        "due": invoice.due_on.isoformat() if invoice.due_on else "-",
    }
    for key, value in fields.items():
        print(f"{key:>9}  {value}")
    for line in invoice.lines:
        each = f"{line.quantity} × {invoices.money(line.unit_price_cents)}"
        print(f"           {line.description:<40} {each:>16} {invoices.money(line.amount_cents):>14}")
    print(f"{'subtotal':>9}  {invoices.money(invoice.subtotal_cents):>72}")
    for tax in invoice.taxes:
        print(f"{'tax':>9}  {invoices.tax_label(tax):<20}{invoices.money(tax.amount_cents):>52}")
    print(f"{'total':>9}  {invoices.money(invoice.total_cents):>72}")
    if invoice.replaces:
        print(f"{'replaces':>9}  {invoice.replaces} (voided)")
    if invoice.notes:
        print(f"{'notes':>9}  {invoice.notes}")


def _print_client_page(page: ClientPageView) -> None:
    fields = {
        "client": f"{page.id} {page.name}",
        "email": page.email or "-",
        "phone": page.phone or "-",
        "tags": ", ".join(page.tags) or "-",
        "owed": invoices.money(page.owed_cents),
    }
    for key, value in fields.items():
        print(f"{key:>9}  {value}")
    for job in page.jobs:
        role = f" ({job.role})" if job.role else ""
        print(f"{'job':>9}  {job.id} {job.title} — {job.pipeline} › {job.stage}{role}")
    for event in page.events:
        print(f"{'event':>9}  {local_minute(event.starts_at)}  {event.title}")
    for invoice in page.invoices:
        late = ", overdue" if invoice.overdue else ""
        print(f"{'invoice':>9}  {invoice.number}  {invoice.status}{late}  {invoices.money(invoice.total_cents)}")
    for track in page.pipelines:
        print(f"{'pipeline':>9}  {track.pipeline} › {track.stage}" + ("" if track.tracked else " (left)"))
        for visit in track.history:
            print(f"           {local_minute(visit.entered_at)}  {visit.state:<9}  {visit.stage}")


def _print_message(channel: str, subject: str, body: str) -> None:
    if channel == "email":
        print(f"Subject: {subject}\n")
    print(body, end="" if body.endswith("\n") else "\n")


def _row(item: Any) -> dict[str, str]:
    if isinstance(item, MessageView):
        when = item.sent_at if item.state == "sent" and item.sent_at else item.send_at
        return {
            "id": str(item.id),
            "state": item.state_label(),
            "to": item.to_addr or "-",
            "subject": first_line(item.subject if item.channel == "email" else f"(text) {item.body}"),
            "when": local_minute(when),
            "tries": str(item.attempts),
            "job": first_line(item.job_title) if item.job_title else "-",
            "problem": first_line(item.last_error) if item.last_error else "",
        }
    data = to_json(item)
    if isinstance(item, PipelineView):
        data["stages"] = " > ".join(s.name for s in item.stages)
    for noisy in (
        "history",
        "fired",
        "pipeline_id",
        "stage_id",
        "client_id",
        "status_colour",
        "position",
        "project_id",
        "job_id",
        "done_at",
        "notes",
    ):
        data.pop(noisy, None)
    if isinstance(item, SavedTaskListView):
        data["items"] = "; ".join(_item_text(i) for i in item.items)
    if isinstance(item, InvoiceView):
        data = {
            "number": item.number,
            "client": item.client,
            "job": item.job,
            "issued": data["issued_on"],
            "due": data["due_on"],
            "status": item.status + (" (overdue)" if item.overdue else ""),
            "total": invoices.money(item.total_cents),
        }
    elif isinstance(item, EventView):
        data = {
            "id": item.id,
            "start": local_minute(item.starts_at),
            "end": local_minute(item.ends_at) if item.ends_at else None,
            "title": item.title,
            "job": item.job,
            "client": item.client,
            "location": item.location,
        }
    elif isinstance(item, MileageView):
        data = {
            "id": item.id,
            "date": data["trip_on"],
            "job": item.job,
            "event": item.event,
            "purpose": item.purpose,
            "distance": f"{mileage.format_distance(item.distance)} {item.unit}",
            "amount": invoices.money(item.amount_cents),
        }
    elif isinstance(item, AgendaItem):
        when = item.at.astimezone()
        data = {
            "day": when.strftime("%a %Y-%m-%d"),
            "time": "" if item.all_day else when.strftime("%H:%M"),
            "what": item.kind,
            "item": item.text,
        }
    if isinstance(item, TemplateView):  # a table cell holds the body's first line only
        data["body"] = first_line(item.body)
    if "tasks_open" in data:
        data["tasks"] = f"{data.pop('tasks_total') - data.pop('tasks_open')}/{item.tasks_total}"
    return {key: _cell(value) for key, value in data.items()}


def _item_text(item: SavedItemView) -> str:
    return quickadd.saved_item_text(item.title, item.due_offset_days, item.priority)


def _cell(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _table(rows: list[dict[str, str]]) -> str:
    headers = list(rows[0])
    widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in headers}
    lines = ["  ".join(h.ljust(widths[h]) for h in headers).rstrip()]
    lines += ["  ".join(r[h].ljust(widths[h]) for h in headers).rstrip() for r in rows]
    return "\n".join(lines)

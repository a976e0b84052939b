"""`studioflow outbox …`: messages waiting to go, sent, failed or held."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from studioflow.cli.frame import Section
from studioflow.cli.params import POSITIVE, OneOf, record_id
from studioflow.cli.services import clients, outbox, reads
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import OUTBOX_STATE_ORDER

if TYPE_CHECKING:
    from studioflow.workflow.views import MessageView

if TYPE_CHECKING:
    from studioflow.mail.delivery import DeliveryReport

IDS = click.argument("ids", metavar="ID...", type=POSITIVE, nargs=-1, required=True)


outbox_group = Section(
    "outbox", help="messages waiting to go, sent, failed or held; delivery by SMTP or to the stub outbox"
)


outbox_group.calls(
    "list",
    "list messages",
    click.option("--state", "states", multiple=True, type=OneOf(OUTBOX_STATE_ORDER), help="only this state (repeat)"),
    service=lambda: reads.list_messages,
)


outbox_group.calls("show", "show a message in full", record_id("message_id"), service=lambda: reads.get_message)


@outbox_group.command("send", help="send every message that is due (progress on stderr)")
def send(db: Database) -> DeliveryReport:
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
    return report  # shown as its summary, or in full with --json


@outbox_group.command("retry", help="put failed messages back in the queue, due now", one_of=[("ids", "failed")])
@click.argument("ids", metavar="[ID]...", type=POSITIVE, nargs=-1)
@click.option("--failed", is_flag=True, help="every failed message")
def retry(db: Database, ids: tuple[int, ...], failed: bool) -> list[MessageView]:
    return outbox.retry_failed(db) if failed else outbox.retry(db, ids)


outbox_group.calls("cancel", "cancel messages not sent yet (undo with 'undo')", IDS, service=lambda: outbox.cancel)


outbox_group.calls(
    "release", "let held messages go (they may have been sent once)", IDS, service=lambda: outbox.release
)


outbox_group.calls("now", "make queued messages due now", IDS, service=lambda: outbox.send_now)


@outbox_group.command("test", help="send a test email through the configured SMTP server")
@click.argument("to", metavar="ADDRESS")
def test_email(db: Database, to: str) -> str:
    from studioflow.config import load_smtp
    from studioflow.mail.transport import SendFailure, send_test_email

    smtp = load_smtp()
    if smtp is None:
        raise StudioflowError("no [smtp] table in the config: messages go to the stub outbox, nothing to test")
    try:
        reply = send_test_email(smtp, clients.clean_email(to) or to)
    except SendFailure as failure:
        raise StudioflowError(f"the test email was not sent: {failure.reason}") from None
    answer = reply.removeprefix(f"{smtp.host}: ")  # the host is said already, with its port
    return f"sent a test email to {to} through {smtp.host}:{smtp.port}: {answer}"

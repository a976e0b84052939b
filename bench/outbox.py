"""Outbox benchmark: deliver 1,000 queued emails to a local SMTP server (aiosmtpd).

    python bench/outbox.py [COUNT]
    python bench/outbox.py --pg [COUNT]     # on a private PostgreSQL server (or --db URL)

Prints the seconds, messages per second and connections used. Every message is
claimed and recorded in its own committed transaction (synchronous=FULL), as in
real use. The server runs in its own process (as a real one would: not competing
with the sender for the GIL), accepts everything, and reports what it received.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from email.utils import make_msgid
from pathlib import Path

from studioflow.config import SmtpConfig
from studioflow.mail.delivery import MailSettings, deliver_due
from studioflow.store import open_database
from studioflow.store.models import OutboxMessage

SERVER = """
import asyncio, json, sys, signal
from aiosmtpd.controller import Controller

class Counting:
    received = 0
    connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        Counting.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        Counting.received += 1
        return "250 2.0.0 Ok"

controller = Controller(Counting(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
controller.stop()
print(json.dumps({"received": Counting.received, "connections": Counting.connections}), flush=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(count: int, url: str | None) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    assert server.stdout.readline().strip() == "ready"
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(url or Path(tmp) / "bench.db")
        with db.write() as session:
            for n in range(count):
                session.add(
                    OutboxMessage(
                        idempotency_key=f"bench-{n}",
                        to_addr=f"client{n}@example.com",
                        subject=f"Your gallery is ready ({n})",
                        body="Hi,\n\nyour photos are ready to view.\n\nJo\n" * 5,
                        message_id=make_msgid(domain="bench.test"),
                    )
                )
        smtp = SmtpConfig(host="127.0.0.1", port=port, security="none", from_addr="jo@studio.test")
        started = time.perf_counter()
        report = deliver_due(db, MailSettings(smtp=smtp, stub_root=Path(tmp) / "stub"))
        seconds = time.perf_counter() - started
        db.close()
    seen = json.loads(server.communicate("")[0].strip().splitlines()[-1])
    assert report.sent == seen["received"] == count, (report, seen)
    if url is not None:
        print(f"on PostgreSQL ({db.label})")
    print(f"messages     {count}")
    print(f"seconds      {seconds:.2f}   (target ≤ 5 s for 1,000)")
    print(f"per second   {count / seconds:.0f}")
    print(f"per message  {seconds / count * 1000:.1f} ms")
    print(f"connections  {seen['connections']}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pg

    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=pg.HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("count", nargs="?", type=int, default=1000, help="how many emails (default 1000)")
    pg.add_arguments(parser)
    args = parser.parse_args()
    with pg.target(args) as url:
        main(args.count, url)

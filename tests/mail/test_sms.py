"""Texts sent for real: by a command (real scripts) and by an HTTP API (a server on 127.0.0.1)."""

from __future__ import annotations

import json
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from studioflow import config
from studioflow.config import SmsConfig, SmsHttpConfig
from studioflow.errors import StudioflowError
from studioflow.mail.delivery import MailSettings, deliver_due
from studioflow.store import Database
from studioflow.store.models import OutboxMessage, utcnow

from .conftest import Queue

NUMBER = "+1 555 0100"


def rows(db: Database) -> dict[int, OutboxMessage]:
    with db.read() as session:
        from sqlmodel import select

        return {m.id: m for m in session.exec(select(OutboxMessage)).all()}  # type: ignore[misc]


def script(tmp_path: Path, name: str, body: str) -> Path:
    """A real executable: python, reading the text on stdin."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport sys, time, os\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def by_command(tmp_path: Path, argv: list[str], timeout: float = 10.0) -> MailSettings:
    return MailSettings(smtp=None, stub_root=tmp_path / "stub", sms=SmsConfig(command=tuple(argv), timeout=timeout))


RECORDING = "open(os.environ['SMS_LOG'], 'a').write(sys.argv[1] + '|' + sys.stdin.read() + '\\n')"


@pytest.fixture
def sms_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "sms.log"
    monkeypatch.setenv("SMS_LOG", str(log))
    return log


def test_a_command_that_exits_0_sends_the_text_once(db: Database, queue: Queue, tmp_path: Path, sms_log: Path) -> None:
    sender = script(tmp_path, "my-sms", f"{RECORDING}\nprint('queued as 77')")
    [text] = queue(1, to=NUMBER, channel="sms")
    report = deliver_due(db, by_command(tmp_path, [str(sender), "{to}"]))
    assert report.sent == 1
    sent = rows(db)[text]
    assert (sent.state, sent.local_only, sent.reply) == ("sent", False, "sms via my-sms: queued as 77")
    assert sms_log.read_text(encoding="utf-8").startswith(f"{NUMBER}|Hello, this is message 1.")
    assert deliver_due(db, by_command(tmp_path, [str(sender), "{to}"])).sent == 0
    assert sms_log.read_text(encoding="utf-8").count("|") == 1


def test_a_command_that_exits_75_is_tried_again_later_with_backoff(db: Database, queue: Queue, tmp_path: Path) -> None:
    busy = script(tmp_path, "busy-sms", "sys.stdin.read(); print('modem busy', file=sys.stderr); sys.exit(75)")
    [text] = queue(1, to=NUMBER, channel="sms")
    before = utcnow()
    report = deliver_due(db, by_command(tmp_path, [str(busy), "{to}"]))
    assert report.retrying == 1
    waiting = rows(db)[text]
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert waiting.last_error == "busy-sms asked to try again later (exit 75): modem busy"
    assert waiting.send_at >= before + timedelta(minutes=1)


def test_a_command_that_exits_1_fails_with_the_last_line_of_its_stderr(
    db: Database, queue: Queue, tmp_path: Path
) -> None:
    bad = script(
        tmp_path,
        "bad-sms",
        "print('warming up', file=sys.stderr); print('no such number', file=sys.stderr); sys.exit(1)",
    )
    [text] = queue(1, to=NUMBER, channel="sms")
    assert deliver_due(db, by_command(tmp_path, [str(bad), "{to}"])).failed == 1
    failed = rows(db)[text]
    assert (failed.state, failed.last_error) == ("failed", "bad-sms failed (exit 1): no such number")


def test_a_command_that_hangs_past_the_timeout_is_killed_and_the_text_held(
    db: Database, queue: Queue, tmp_path: Path, sms_log: Path
) -> None:
    hang = script(tmp_path, "slow-sms", f"{RECORDING}\ntime.sleep(60)")
    [text] = queue(1, to=NUMBER, channel="sms")
    report = deliver_due(db, by_command(tmp_path, [str(hang), "{to}"], timeout=1))
    assert report.held == 1
    held = rows(db)[text]
    assert held.state == "held"
    assert held.last_error == "slow-sms did not finish within 1 s: it may have sent the text"
    # Never tried again on its own.
    assert deliver_due(db, by_command(tmp_path, [str(hang), "{to}"], timeout=1)).handled == 0
    assert sms_log.read_text(encoding="utf-8").count("|") == 1


def test_a_command_that_cannot_start_fails(db: Database, queue: Queue, tmp_path: Path) -> None:
    [text] = queue(1, to=NUMBER, channel="sms")
    deliver_due(db, by_command(tmp_path, [str(tmp_path / "missing-sms"), "{to}"]))
    assert rows(db)[text].state == "failed"
    assert rows(db)[text].last_error.startswith("sms.command missing-sms could not start")


# The HTTP API


@dataclass
class Provider:
    """A Twilio-shaped messages API: answers from `answers` in turn (then 201), keeps what it got."""

    answers: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    received: list[dict[str, object]] = field(default_factory=list)
    hang: bool = False
    port: int = 0


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            state.received.append({"path": self.path, "auth": self.headers["Authorization"], **form})
            if state.hang:
                threading.Event().wait(3)
                return
            status, answer = state.answers.pop(0) if state.answers else (201, {"sid": f"SM{len(state.received)}"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def by_http(tmp_path: Path, port: int, timeout: float = 5.0) -> MailSettings:
    http = SmsHttpConfig(
        account_sid="AC123", from_number="+15550199", base_url=f"http://127.0.0.1:{port}", timeout=timeout
    )
    return MailSettings(smtp=None, stub_root=tmp_path / "stub", sms=SmsConfig(http=http))


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOFLOW_SMS_TOKEN", "tok")


@pytest.mark.usefixtures("token")
def test_the_http_api_sends_with_the_providers_message_id(
    db: Database, queue: Queue, tmp_path: Path, provider: Provider
) -> None:
    [text] = queue(1, to=NUMBER, channel="sms")
    assert deliver_due(db, by_http(tmp_path, provider.port)).sent == 1
    assert (rows(db)[text].state, rows(db)[text].reply) == ("sent", "sms via http api: SM1")
    [request] = provider.received
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (request["To"], request["From"]) == ([NUMBER], ["+15550199"])
    assert request["Body"] == ["Hello, this is message 1.\n.\nA line with only a dot, above.\n"]
    assert request["auth"] == "Basic QUMxMjM6dG9r"  # AC123:tok


@pytest.mark.usefixtures("token")
@pytest.mark.parametrize(
    ("status", "state", "error"),
    [
        (429, "queued", "answered 429: Too many requests"),
        (503, "queued", "answered 503: Too many requests"),
        (400, "failed", "answered 400: Too many requests"),
    ],
)
def test_http_429_and_5xx_retry_and_other_4xx_fail(
    db: Database, queue: Queue, tmp_path: Path, provider: Provider, status: int, state: str, error: str
) -> None:
    provider.answers.append((status, {"message": "Too many requests"}))
    [text] = queue(1, to=NUMBER, channel="sms")
    deliver_due(db, by_http(tmp_path, provider.port))
    assert rows(db)[text].state == state
    assert rows(db)[text].last_error.endswith(error)


@pytest.mark.usefixtures("token")
def test_http_without_an_answer_holds_the_text_and_an_unreachable_api_retries(
    db: Database, queue: Queue, tmp_path: Path, provider: Provider
) -> None:
    provider.hang = True
    [text] = queue(1, to=NUMBER, channel="sms")
    assert deliver_due(db, by_http(tmp_path, provider.port, timeout=1)).held == 1
    assert rows(db)[text].last_error.endswith("the text may have been sent")

    [other] = queue(1, to=NUMBER, channel="sms")
    closed = provider.port + 1 if provider.port < 65535 else provider.port - 1
    deliver_due(db, by_http(tmp_path, closed))
    assert (rows(db)[other].state, rows(db)[other].attempts) == ("queued", 1)
    assert rows(db)[other].last_error.startswith("cannot reach the SMS API at 127.0.0.1")


def test_http_without_a_token_waits(db: Database, queue: Queue, tmp_path: Path, provider: Provider) -> None:
    [text] = queue(1, to=NUMBER, channel="sms")
    deliver_due(db, by_http(tmp_path, provider.port))
    assert rows(db)[text].state == "queued"
    assert "sms.http has no token" in rows(db)[text].last_error
    assert provider.received == []


# The config


def test_the_sms_table(private_config: Path) -> None:
    private_config.parent.mkdir(parents=True, exist_ok=True)
    assert config.load_sms() is None
    private_config.write_text('[sms]\ncommand = ["kdeconnect-cli", "--destination", "{to}"]\ntimeout = 20\n')
    assert config.load_sms() == SmsConfig(command=("kdeconnect-cli", "--destination", "{to}"), timeout=20.0)
    private_config.write_text("[sms]\ncommand = \"my-sms --to '{to}'\"\n")
    assert config.load_sms() == SmsConfig(command=("my-sms", "--to", "{to}"))
    private_config.write_text('[sms.http]\naccount_sid = "AC1"\nfrom = "+1555"\ntoken_command = "pass sms"\n')
    loaded = config.load_sms()
    assert loaded is not None
    assert loaded.http == SmsHttpConfig("AC1", "+1555", "https://api.twilio.com", "pass sms")
    for bad, said in [
        ("[sms]\n", "[sms] needs a command"),
        ('[sms]\ncommand = ["x"]\n[sms.http]\naccount_sid = "A"\nfrom = "1"\n', "not both"),
        ('[sms.http]\nfrom = "1"\n', "sms.http.account_sid is missing"),
        ("[sms]\ncommand = 3\n", "sms.command must be a list of words"),
        ('[sms]\ncommand = ["x"]\ntimeout = 0\n', "sms.timeout must be a number of seconds"),
    ]:
        private_config.write_text(bad)
        with pytest.raises(StudioflowError, match=said.replace("[", r"\[").replace("]", r"\]")):
            config.load_sms()

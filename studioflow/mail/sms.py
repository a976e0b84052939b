"""Texts leaving the machine: the user's own command, or a provider's HTTP messages API.

Both hand back where the text went ("sms via kdeconnect-cli", "sms via http api: SM…")
or raise `SendFailure`. The rules, which decide whether a text may be tried again:

- command: exit 0 = sent; 75 (EX_TEMPFAIL) = try again later; any other exit = failed,
  with the last line it wrote on stderr. A command still running at the timeout, or
  killed by a signal, may already have handed the text over: it is killed and the text
  is `held` (never sent again unless the user releases it). It is never run by a shell:
  `{to}` and `{body}` are filled into its words, and the body is also on its stdin.
- http (Twilio's shape: POST {base_url}/2010-04-01/Accounts/{sid}/Messages.json, form
  fields To, From, Body, basic auth sid:token): 2xx = sent with the provider's message
  id; 429 and 5xx = try again later; any other answer = failed. A connection that cannot
  be made, or a request that cannot be written in full, is tried again later (the
  provider never had the whole request); no answer after the whole request went (a read
  timeout, a dropped connection) = `held`, for the same reason as a lost SMTP "250".
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import signal
import ssl
import subprocess
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from studioflow.config import SmsConfig, SmsHttpConfig
from studioflow.errors import StudioflowError
from studioflow.mail.transport import Letter, SendFailure, command_secret

EX_TEMPFAIL = 75
TOKEN_ENV = "STUDIOFLOW_SMS_TOKEN"
NO_WAY = "no way to send texts is set up: add [sms] command = [...] or an [sms.http] table to config.toml"


class CommandSms:
    """The user's tool (`kdeconnect-cli`, `termux-sms-send`, `gammu-smsd-inject`, a script)."""

    def __init__(self, argv: tuple[str, ...], timeout: float) -> None:
        self.argv = argv
        self.timeout = timeout
        self.name = Path(argv[0]).name

    def send(self, letter: Letter) -> str:
        words = [word.replace("{to}", letter.to_addr).replace("{body}", letter.body) for word in self.argv]
        try:
            # A session of its own: a timeout kills the command and whatever it started.
            process = subprocess.Popen(
                words,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError as exc:
            raise SendFailure(f"sms.command {self.name} could not start: {exc.strerror or exc}", retry=False) from None
        try:
            out, err = process.communicate(letter.body, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise SendFailure(
                f"{self.name} did not finish within {self.timeout:g} s: it may have sent the text",
                retry=False,
                maybe_sent=True,
            ) from None
        code = process.returncode
        said = _last_line(err)
        if code == 0:
            reply = _last_line(out)
            return f"sms via {self.name}" + (f": {reply}" if reply else "")
        if code == EX_TEMPFAIL:
            raise SendFailure(
                f"{self.name} asked to try again later (exit 75)" + (f": {said}" if said else ""), retry=True
            )
        if code < 0:
            raise SendFailure(
                f"{self.name} was stopped by signal {-code}: it may have sent the text", retry=False, maybe_sent=True
            )
        raise SendFailure(f"{self.name} failed (exit {code})" + (f": {said}" if said else ""), retry=False)

    def close(self) -> None:
        pass


class HttpSms:
    """A provider's REST messages API; one request per text."""

    def __init__(self, config: SmsHttpConfig, token: str, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.token = token
        self.context = ssl_context or ssl.create_default_context()
        parts = urlsplit(config.base_url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port
        self.path = f"{parts.path}/2010-04-01/Accounts/{config.account_sid}/Messages.json"

    def send(self, letter: Letter) -> str:
        body = urlencode({"To": letter.to_addr, "From": self.config.from_number, "Body": letter.body})
        credentials = base64.b64encode(f"{self.config.account_sid}:{self.token}".encode()).decode("ascii")
        headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        timeout = self.config.timeout
        connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.context)
            if self.https
            else http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        )
        where = f"the SMS API at {self.host}"
        try:
            try:
                connection.request("POST", self.path, body=body, headers=headers)
            except (OSError, http.client.HTTPException) as exc:
                raise SendFailure(f"cannot reach {where}: {_reason(exc)}", retry=True) from None
            try:
                response = connection.getresponse()
                data = response.read(100_000)
            except (OSError, http.client.HTTPException) as exc:
                raise SendFailure(
                    f"{where} gave no answer ({_reason(exc)}): the text may have been sent",
                    retry=False,
                    maybe_sent=True,
                ) from None
        finally:
            connection.close()
        status = response.status
        answer = _json(data)
        if 200 <= status < 300:
            sid = str(answer.get("sid", "")) or "(no message id in the answer)"
            return f"sms via http api: {sid}"
        said = str(answer.get("message", "")) or data.decode("utf-8", "replace").strip()[:200]
        text = f"{where} answered {status}" + (f": {said}" if said else "")
        raise SendFailure(text, retry=status == 429 or status >= 500)

    def close(self) -> None:
        pass


def sms_transport(config: SmsConfig, ssl_context: ssl.SSLContext | None = None) -> CommandSms | HttpSms:
    """The way texts go, as configured; a token that cannot be had is a failure to try again later."""
    if config.command:
        return CommandSms(config.command, config.timeout)
    assert config.http is not None
    try:
        token = command_secret(config.http.token_command, TOKEN_ENV, "sms.http.token_command")
    except StudioflowError as exc:
        raise SendFailure(str(exc), retry=True) from None
    if token is None:
        raise SendFailure(
            f"sms.http has no token: set sms.http.token_command in the config or ${TOKEN_ENV}", retry=True
        )
    return HttpSms(config.http, token, ssl_context)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _json(data: bytes) -> dict[str, object]:
    try:
        found = json.loads(data)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__

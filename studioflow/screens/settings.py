"""Mail settings: the user's SMTP server (or none: the stub outbox), the send delay, a test email."""

from __future__ import annotations

import re

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from studioflow import config
from studioflow.config import SECURITY_PORTS, SmtpConfig
from studioflow.errors import StudioflowError
from studioflow.mail.transport import send_test_email
from studioflow.screens.effects import studio
from studioflow.widgets.footer import KeysFooter
from studioflow.widgets.keys import key_for

FIELDS = (
    # (input id, label, placeholder)
    ("host", "SMTP server", "smtp.example.com (empty: keep mail in the stub outbox)"),
    ("port", "Port", "587 for starttls, 465 for ssl"),
    ("username", "User name", "usually your email address"),
    ("from", "From address", "Jo Lens <jo@example.com>"),
    ("password_command", "Password command", "e.g. pass show mail/jo (or set $STUDIOFLOW_SMTP_PASSWORD)"),
    ("timeout", "Timeout (seconds)", "30"),
    ("send_delay", "Send delay (seconds)", "120: new messages wait this long, so a slip can be undone"),
)
ME_FIELDS = (("name", "Your name", "{{ me.name }} in templates"), ("business", "Business", "{{ me.business }}"))


class SettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("ctrl+t", "test", "Send test email", id="settings.test"),
        Binding("escape", "app.pop_screen", "Back", id="settings.back"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="settings"):
            yield Label("Mail settings", classes="dialog-title")
            yield Static(f"Saved in {config.config_path()} (readable by you only). The password is never saved.")
            with Grid(id="settings-grid"):
                for key, label, placeholder in FIELDS[:2]:
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=f"smtp-{key}")
                yield Label("Security")
                yield Select(
                    [(mode, mode) for mode in SECURITY_PORTS], value="starttls", allow_blank=False, id="smtp-security"
                )
                for key, label, placeholder in FIELDS[2:]:
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=f"smtp-{key}")
                yield Label("Test address")
                test_key = key_for(self, "test", "ctrl+t")
                yield Input(placeholder=f"where {test_key} sends a test email", id="smtp-test-to")
                for key, label, placeholder in ME_FIELDS:
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=f"me-{key}")
            yield Static("", id="settings-result")
        yield KeysFooter()

    def on_mount(self) -> None:
        try:
            smtp = config.load_smtp()
            delay = config.load_send_delay()
        except StudioflowError as exc:
            self._say(f"The config file has a problem; saving replaces the mail part: {exc}", error=True)
            smtp, delay = None, config.DEFAULT_SEND_DELAY
        try:
            self.me: dict[str, str] = config.load_me()
        except StudioflowError:
            self.me = {key: "" for key, _, _ in ME_FIELDS}  # unreadable: written only if typed here
        for key, value in self.me.items():
            self.query_one(f"#me-{key}", Input).value = value
        values: dict[str, object] = {"send_delay": str(delay)}
        if smtp is not None:
            values.update(smtp.as_table())
            with self.prevent(Select.Changed):  # the saved port stays, even if another mode's default
                self.query_one("#smtp-security", Select).value = smtp.security
        for key, setting in values.items():
            for field in self.query(f"#smtp-{key}").results(Input):
                field.value = str(setting)
        self.query_one("#smtp-host", Input).focus()

    @on(Select.Changed, "#smtp-security")
    def _default_port(self, event: Select.Changed) -> None:
        port = self.query_one("#smtp-port", Input)
        if not port.value or port.value in {str(p) for p in SECURITY_PORTS.values()}:
            port.value = str(SECURITY_PORTS[str(event.value)])

    def form(self) -> tuple[SmtpConfig | None, int]:
        """The settings as typed, checked like the config file; None = no SMTP server."""
        text = {key: self.query_one(f"#smtp-{key}", Input).value.strip() for key, _, _ in FIELDS}
        delay = _number(text.pop("send_delay") or str(config.DEFAULT_SEND_DELAY), "send delay")
        if not 0 <= delay <= 86400:
            raise StudioflowError("the send delay must be from 0 to 86400 seconds")
        if not text["host"]:
            return None, int(delay)
        table: dict[str, object] = {k: v for k, v in text.items() if v and k not in ("port", "timeout")}
        table["security"] = str(self.query_one("#smtp-security", Select).value)
        if text["port"]:
            table["port"] = int(_number(text["port"], "port"))
        if text["timeout"]:
            table["timeout"] = _number(text["timeout"], "timeout")
        return config.smtp_from_table(table), int(delay)

    def action_save(self) -> None:
        try:
            smtp, delay = self.form()
            config.save_table("smtp", None if smtp is None else smtp.as_table())
            config.save_table("outbox", {"send_delay_seconds": delay})
            me = {key: self.query_one(f"#me-{key}", Input).value.strip() for key, _, _ in ME_FIELDS}
            if me != self.me:  # the user's [me] is written only when changed here
                config.save_table("me", me)
                self.me = me
        except StudioflowError as exc:
            self._say(str(exc), error=True)
            return
        # The app (delivery, the badge, the keys, the theme) goes on with the file as saved.
        studio(self).use_config(config.load_config())
        studio(self).recount_outbox()
        where = "the stub outbox (no SMTP server)" if smtp is None else f"{smtp.host}:{smtp.port} ({smtp.security})"
        self._say(f"Saved. Mail goes to {where}.")

    def action_test(self) -> None:
        try:
            smtp, _ = self.form()
        except StudioflowError as exc:
            self._say(str(exc), error=True)
            return
        to_addr = self.query_one("#smtp-test-to", Input).value.strip() or (smtp.from_addr if smtp else "")
        if smtp is None:
            self._say("No SMTP server set: messages go to the stub outbox, there is nothing to test.", error=True)
            return
        if not to_addr:
            self._say("Type a test address (or a From address) first.", error=True)
            return
        self._say(f"Sending a test email to {to_addr} through {smtp.host}:{smtp.port}…")
        self._send_test(smtp, to_addr)

    @work(thread=True, exclusive=True, group="smtp-test", exit_on_error=False)
    def _send_test(self, smtp: SmtpConfig, to_addr: str) -> str:
        # A refusal (SendFailure, its text the server's reason) is said by on_worker_state_changed.
        return f"Sent to {to_addr}. The server said: {send_test_email(smtp, to_addr)}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "smtp-test":
            return
        if event.state == WorkerState.SUCCESS:
            self._say(str(event.worker.result))
        elif event.state == WorkerState.ERROR:
            self._say(f"The test email was not sent: {event.worker.error}", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        result = self.query_one("#settings-result", Static)
        result.update(text)
        result.set_class(error, "-error")


NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def _number(text: str, what: str) -> float:
    if not NUMBER.fullmatch(text):
        raise StudioflowError(f"the {what} must be a number, not {text!r}")
    return float(text) if "." in text else int(text)

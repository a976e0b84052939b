"""The SMTP password: from $STUDIOFLOW_SMTP_PASSWORD or a command, never from the config file itself."""

from __future__ import annotations

import pytest

from studioflow.config import SmtpConfig
from studioflow.errors import StudioflowError
from studioflow.mail.transport import PASSWORD_ENV, SmtpTransport, smtp_password


def config(command: str = "") -> SmtpConfig:
    return SmtpConfig(
        host="mail.test",
        port=587,
        security="starttls",
        username="jo",
        from_addr="jo@studio.test",
        password_command=command,
    )


@pytest.fixture(autouse=True)
def no_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_the_first_line_the_command_prints_is_the_password() -> None:
    assert smtp_password(config("printf 's3cret  \\nsecond line\\n'")) == "s3cret  "


def test_the_environment_wins_over_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert smtp_password(config("echo from-command")) == "from-env"


def test_a_failing_command_is_a_clear_error_without_its_output() -> None:
    with pytest.raises(StudioflowError) as caught:
        smtp_password(config("echo hunter2; echo 'gpg: bad passphrase hunter2' >&2; exit 3"))
    assert str(caught.value) == ("smtp.password_command failed (exit 3); run it yourself in a terminal to see why")
    assert "hunter2" not in str(caught.value)


def test_no_command_and_no_environment_means_no_password() -> None:
    assert smtp_password(config()) is None
    with pytest.raises(StudioflowError, match=r"smtp\.username is set but there is no password"):
        SmtpTransport(config(), None)


def test_an_address_to_send_from_is_needed() -> None:
    anonymous = SmtpConfig(host="mail.test", port=25, security="none")
    with pytest.raises(StudioflowError, match=r"smtp\.from is missing"):
        SmtpTransport(anonymous, None)

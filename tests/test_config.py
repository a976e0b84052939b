"""config.toml: the `[me]` table, read from $STUDIOFLOW_CONFIG or the user config dir (always tmp_path here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow import config
from studioflow.errors import StudioflowError


@pytest.fixture
def toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config file that $STUDIOFLOW_CONFIG points to (not written yet)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    return path


def test_a_missing_file_gives_empty_strings(toml: Path) -> None:
    assert config.load_me() == {"name": "", "business": ""}


def test_the_default_path_is_in_the_user_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    monkeypatch.setattr("platformdirs.user_config_dir", lambda app: str(tmp_path / "xdg" / app))
    assert config.config_path() == tmp_path / "xdg" / "studioflow" / "config.toml"
    (tmp_path / "xdg" / "studioflow").mkdir(parents=True)
    config.config_path().write_text('[me]\nname = "Jo"\n', encoding="utf-8")
    assert config.load_me() == {"name": "Jo", "business": ""}


def test_the_me_table_is_read(toml: Path) -> None:
    toml.write_text('[me]\nname = "Jo Lens"\nbusiness = "Lens & Co — Studio"\n\n[smtp]\nhost = "x"\n', encoding="utf-8")
    assert config.load_me() == {"name": "Jo Lens", "business": "Lens & Co — Studio"}


def test_a_file_without_me_gives_empty_strings(toml: Path) -> None:
    toml.write_text("# nothing yet\n", encoding="utf-8")
    assert config.load_me() == {"name": "", "business": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[me]\nname = "Jo"\nemail = "jo@example.com"\n', "unknown key me.email (known: name, business)"),
        ("[me]\nname = 42\n", 'me.name must be a string in quotes, e.g. name = "..."'),
        ('[me]\nbusiness = ["a"]\n', "me.business must be a string"),
        ('me = "Jo"\n', "'me' must be a table ([me])"),
        ("[me\nname = 1\n", "is not valid TOML"),
        ('[me]\nname = "Jo"\nname = "Al"\n', "is not valid TOML"),
    ],
)
def test_bad_config_is_refused_naming_the_key(toml: Path, text: str, expected: str) -> None:
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(StudioflowError) as info:
        config.load_me()
    message = str(info.value)
    assert message.startswith(str(toml))
    assert expected in message
    assert "\n" not in message


def test_unreadable_files_are_refused(toml: Path) -> None:
    toml.write_bytes(b'[me]\nname = "\xff"\n')
    with pytest.raises(StudioflowError, match="is not valid TOML"):
        config.load_me()
    toml.unlink()
    toml.mkdir()
    with pytest.raises(StudioflowError, match="cannot read"):
        config.load_me()


def test_no_smtp_table_means_the_stub_outbox(toml: Path) -> None:
    toml.write_text('[me]\nname = "Jo"\n', encoding="utf-8")
    assert config.load_smtp() is None


def test_the_smtp_table_is_read_with_defaults(toml: Path) -> None:
    toml.write_text('[smtp]\nhost = "smtp.example.com"\nsecurity = "ssl"\nfrom = "jo@example.com"\n', encoding="utf-8")
    smtp = config.load_smtp()
    assert smtp == config.SmtpConfig(host="smtp.example.com", port=465, security="ssl", from_addr="jo@example.com")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('hots = "x"', "unknown key smtp.hots (known: host, port,"),
        ('host = "x"\nport = "587"', "smtp.port must be a number, e.g. port = 30"),
        ("port = 587", "smtp.host is missing"),
        ('host = "x"\nsecurity = "tls"', "smtp.security must be one of starttls, ssl, none, not 'tls'"),
        ('host = "x"\nport = 70000', "smtp.port must be a number from 1 to 65535, not 70000"),
        ('host = "x"\ntimeout = true', "smtp.timeout must be a number"),
        ('host = "x"\nfrom = "Jo Lens"', 'smtp.from must be an address, e.g. from = "Jo Lens <jo@example.com>"'),
    ],
)
def test_a_bad_smtp_table_names_the_key(toml: Path, table: str, message: str) -> None:
    toml.write_text(f"[smtp]\n{table}\n", encoding="utf-8")
    with pytest.raises(StudioflowError) as caught:
        config.load_smtp()
    assert message in str(caught.value)


def test_the_send_delay(toml: Path) -> None:
    assert config.load_send_delay() == 120  # two minutes to undo a slip, unless the user says otherwise
    toml.write_text("[outbox]\nsend_delay_seconds = 0\n", encoding="utf-8")
    assert config.load_send_delay() == 0
    toml.write_text("[outbox]\nsend_delay_seconds = 30\n", encoding="utf-8")
    assert config.load_send_delay() == 30
    toml.write_text("[outbox]\nsend_delay_seconds = -1\n", encoding="utf-8")
    with pytest.raises(StudioflowError, match="send_delay_seconds must be from 0 to 86400"):
        config.load_send_delay()


def test_saving_a_table_keeps_the_others_and_only_the_owner_can_read(toml: Path) -> None:
    toml.write_text('[me]\nname = "Jo \\"Lens\\" Ø"\n\n[outbox]\nsend_delay_seconds = 10\n', encoding="utf-8")
    toml.chmod(0o644)
    smtp = config.SmtpConfig(
        host="smtp.example.com",
        port=587,
        security="starttls",
        username="jo",
        password_command='pass show "mail/jo"',
        timeout=12.5,
    )
    config.save_table("smtp", smtp.as_table())

    assert toml.stat().st_mode & 0o777 == 0o600
    assert config.load_smtp() == smtp
    assert config.load_me()["name"] == 'Jo "Lens" Ø'
    assert config.load_send_delay() == 10
    assert "password =" not in toml.read_text(encoding="utf-8")


def test_a_new_config_file_is_created_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    config.save_table("outbox", {"send_delay_seconds": 5})
    assert path.stat().st_mode & 0o777 == 0o600
    assert config.load_send_delay() == 5

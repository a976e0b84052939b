"""Every config write goes through one TOML writer that keeps the user's file as they wrote it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from studioflow import config
from studioflow.errors import StudioflowError

USERS_FILE = """\
# my studio's settings — hand written
[me]
name = "Jo Lens"  # as clients know me
business = "📷 Lens & Co"

[smtp]
host = "old.example.com"
port = 25
security = "none"

[outbox]
send_delay_seconds = 10

[plugins."my tool"]
"quoted key" = "ünïcode ✓"
limit = inf
started = 2026-03-02
at = 1979-05-27T07:32:00Z
nested = { a = [1, 2.5, "x"], b = { c = true } }

[[plugins.hooks]]
name = "first"
"""


@pytest.fixture
def toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    return path


def test_a_save_keeps_comments_order_unknown_tables_and_every_value(toml: Path) -> None:
    toml.write_text(USERS_FILE, encoding="utf-8")
    before = tomllib.loads(USERS_FILE)
    config.save_table("smtp", {"host": "smtp.example.com", "port": 587, "security": "starttls", "timeout": 30.0})
    text = toml.read_text(encoding="utf-8")
    after = tomllib.loads(text)  # still valid TOML
    assert after["smtp"] == {"host": "smtp.example.com", "port": 587, "security": "starttls", "timeout": 30.0}
    assert {k: v for k, v in after.items() if k != "smtp"} == {k: v for k, v in before.items() if k != "smtp"}
    assert "# my studio's settings — hand written" in text
    assert "# as clients know me" in text
    assert '"📷 Lens & Co"' in text  # the emoji as itself, not as an escaped surrogate pair
    assert text.index("[me]") < text.index("[smtp]") < text.index("[outbox]") < text.index("[plugins")
    assert toml.stat().st_mode & 0o777 == 0o600


def test_emoji_and_quotes_in_a_saved_value_read_back_the_same(toml: Path) -> None:
    config.save_table("me", {"name": 'Jo "JL" Lens', "business": "📷 Studio\\Ø"})
    assert config.load_me() == {"name": 'Jo "JL" Lens', "business": "📷 Studio\\Ø"}
    config.save_table("me", {"name": "Jo", "business": "📷 again"})
    assert config.load_me() == {"name": "Jo", "business": "📷 again"}


def test_removing_a_table_keeps_the_rest(toml: Path) -> None:
    toml.write_text(USERS_FILE, encoding="utf-8")
    config.save_table("smtp", None)
    after = tomllib.loads(toml.read_text(encoding="utf-8"))
    assert "smtp" not in after
    assert after["plugins"]["my tool"]["limit"] == float("inf")


def test_a_table_written_as_something_else_is_replaced(toml: Path) -> None:
    toml.write_text('outbox = "soon"\n', encoding="utf-8")
    config.save_table("outbox", {"send_delay_seconds": 5})
    assert config.load_send_delay() == 5


def load_every_table() -> None:
    config.load_me()
    config.load_smtp()
    config.load_send_delay()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[me]\nbusiness = 2026-03-02\n", "me.business"),
        ("[smtp]\nhost = 1979-05-27T07:32:00Z\n", "smtp.host"),
        ("[outbox]\nsend_delay_seconds = 2026-03-02\n", "outbox.send_delay_seconds"),
        ('[smtp]\nhost = "h"\nport = 25.5\n', "smtp.port"),
        ('[smtp]\nhost = "h"\nfrom = "jo@example.com\\r\\nBcc: all@example.com"\n', "smtp.from"),
        ('[me]\nname = "Jo\\nBcc: x"\n', "me.name"),
    ],
)
def test_a_wrongly_typed_value_is_one_line_naming_the_key(toml: Path, text: str, key: str) -> None:
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(StudioflowError) as caught:
        load_every_table()
    assert key in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_that_cannot_be_written_is_a_one_line_error(toml: Path) -> None:
    toml.mkdir()  # a folder where the file should be
    with pytest.raises(StudioflowError, match="cannot"):
        config.save_table("outbox", {"send_delay_seconds": 5})


def test_a_value_with_a_line_break_is_refused_before_anything_is_written(toml: Path) -> None:
    with pytest.raises(StudioflowError, match=r"me\.name must be one line"):
        config.save_table("me", {"name": "Jo\r\nBcc: all@example.com", "business": ""})
    assert not toml.exists()

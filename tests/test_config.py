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

"""config.toml read once into a Config: its [keys] and [ui] tables, and each table's problem kept to itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow import config
from studioflow.errors import StudioflowError


def test_keys_and_theme_read_back_as_written(private_config: Path) -> None:
    private_config.parent.mkdir(parents=True)
    private_config.write_text(
        '[keys]\n"board.advance" = "L, ctrl+right"\n"app.help" = "?"\n\n[ui]\ntheme = "nord"\n', encoding="utf-8"
    )
    loaded = config.load_config()
    assert loaded.keys() == {"board.advance": "L,ctrl+right", "app.help": "?"}
    assert loaded.theme() == "nord"


def test_no_file_is_no_keys_and_the_default_theme() -> None:
    loaded = config.load_config()
    assert loaded.keys() == {}
    assert loaded.theme() == ""


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[keys]\n"board.advance" = 3\n', "keys.board.advance must be keys in quotes"),
        ('[keys]\n"board.advance" = "L,,x"\n', "keys.board.advance must be keys in quotes"),
        ('keys = "L"\n', "'keys' must be a table"),
        ("[ui]\ntheme = 1\n", "ui.theme must be a string"),
        ('[ui]\ncolour = "red"\n', "unknown key ui.colour"),
    ],
)
def test_a_bad_keys_or_ui_table_is_one_line_naming_it(private_config: Path, text: str, said: str) -> None:
    private_config.parent.mkdir(parents=True)
    private_config.write_text(text, encoding="utf-8")
    loaded = config.load_config()
    with pytest.raises(StudioflowError, match=said) as caught:
        loaded.keys() if "keys" in text else loaded.theme()
    assert "\n" not in str(caught.value)


def test_a_broken_table_costs_only_itself(private_config: Path) -> None:
    private_config.parent.mkdir(parents=True)
    private_config.write_text('[smtp]\nport = "x"\n\n[me]\nname = "Jo"\n\n[ui]\ntheme = "nord"\n', encoding="utf-8")
    loaded = config.load_config()
    with pytest.raises(StudioflowError, match="smtp"):
        loaded.smtp()
    assert loaded.me()["name"] == "Jo"
    assert loaded.theme() == "nord"


def test_a_file_that_is_not_toml_is_said_by_each_table_not_by_loading(private_config: Path) -> None:
    private_config.parent.mkdir(parents=True)
    private_config.write_text("[ui\n", encoding="utf-8")
    loaded = config.load_config()  # the app still starts
    for table in (loaded.keys, loaded.theme, loaded.me, loaded.smtp):
        with pytest.raises(StudioflowError, match="is not valid TOML"):
            table()


def test_read_once_means_a_later_edit_waits_for_the_next_load(private_config: Path) -> None:
    private_config.parent.mkdir(parents=True)
    private_config.write_text('[me]\nname = "Jo"\n', encoding="utf-8")
    loaded = config.load_config()
    private_config.write_text('[me]\nname = "Sam"\n', encoding="utf-8")
    assert loaded.me()["name"] == "Jo"
    assert config.load_config().me()["name"] == "Sam"

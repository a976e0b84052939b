"""config.toml's `[mileage]` table: the unit and rate a new trip gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow import config
from studioflow.errors import StudioflowError


@pytest.fixture
def toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    return path


def test_defaults_without_a_file_or_a_table(toml: Path) -> None:
    assert config.load_mileage() == ("mi", 0)
    toml.write_text('[me]\nname = "Jo"\n', encoding="utf-8")
    assert config.load_mileage() == ("mi", 0)


def test_the_table_is_read(toml: Path) -> None:
    toml.write_text('[mileage]\nunit = "km"\nrate_cents = 30\n', encoding="utf-8")
    assert config.load_mileage() == ("km", 30)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('mileage = "km"', "must be a table"),
        ('[mileage]\nunit = "miles"', 'must be "mi" or "km"'),
        ("[mileage]\nrate_cents = 0.7", "whole number of cents"),
        ("[mileage]\nrate_cents = -1", "whole number of cents"),
        ("[mileage]\nrate = 70", "unknown key mileage.rate"),
    ],
)
def test_bad_values_are_refused_in_one_line(toml: Path, text: str, match: str) -> None:
    toml.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(StudioflowError, match=match) as info:
        config.load_mileage()
    assert "\n" not in str(info.value)

"""Where studioflow keeps its files, how a user points it elsewhere, and the user's `config.toml`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

from studioflow.errors import StudioflowError

APP_NAME = "studioflow"
DB_ENV = "STUDIOFLOW_DB"
CONFIG_ENV = "STUDIOFLOW_CONFIG"
ME_KEYS = ("name", "business")


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "studioflow.db"


def db_path(given: str | None = None) -> Path:
    """`--db PATH` if given, else $STUDIOFLOW_DB, else the user data dir."""
    chosen = given or os.environ.get(DB_ENV)
    return Path(chosen).expanduser() if chosen else default_db_path()


def config_path() -> Path:
    """$STUDIOFLOW_CONFIG, else `config.toml` in the user config dir."""
    chosen = os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser() if chosen else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_me() -> dict[str, str]:
    """The `[me]` table (who signs the messages); empty strings when there is no config file."""
    me = _read_config().get("me", {})
    if not isinstance(me, dict):
        raise StudioflowError(f"{config_path()}: 'me' must be a table ([me])")
    for key, value in me.items():
        if key not in ME_KEYS:
            raise StudioflowError(f"{config_path()}: unknown key me.{key} (known: {', '.join(ME_KEYS)})")
        if not isinstance(value, str):
            raise StudioflowError(f'{config_path()}: me.{key} must be a string in quotes, e.g. {key} = "..."')
    return {key: me.get(key, "") for key in ME_KEYS}


MILEAGE_UNITS = ("mi", "km")


def load_mileage() -> tuple[str, int]:
    """The `[mileage]` table: (unit, rate in cents per unit); ("mi", 0) when not configured.

    e.g. `[mileage]` `unit = "km"` `rate_cents = 30`
    """
    table = _read_config().get("mileage", {})
    if not isinstance(table, dict):
        raise StudioflowError(f"{config_path()}: 'mileage' must be a table ([mileage])")
    for key in table:
        if key not in ("unit", "rate_cents"):
            raise StudioflowError(f"{config_path()}: unknown key mileage.{key} (known: unit, rate_cents)")
    unit = table.get("unit", "mi")
    if unit not in MILEAGE_UNITS:
        raise StudioflowError(f'{config_path()}: mileage.unit must be "mi" or "km", not {unit!r}')
    rate = table.get("rate_cents", 0)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100_000:
        raise StudioflowError(f"{config_path()}: mileage.rate_cents must be a whole number of cents, e.g. 70")
    return unit, rate


def _read_config() -> dict[str, object]:
    path = config_path()
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StudioflowError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:  # TOMLDecodeError, or bytes that are not UTF-8
        raise StudioflowError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from None

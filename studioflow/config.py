"""Where studioflow keeps its files, and how a user points it elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "studioflow"
DB_ENV = "STUDIOFLOW_DB"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "studioflow.db"


def db_path(given: str | None = None) -> Path:
    """`--db PATH` if given, else $STUDIOFLOW_DB, else the user data dir."""
    chosen = given or os.environ.get(DB_ENV)
    return Path(chosen).expanduser() if chosen else default_db_path()

"""The commands of the database as a whole (`demo`, `check`, `undo`, `redo`), and `keys`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from studioflow.cli.frame import Leaf
from studioflow.cli.services import journal
from studioflow.config import load_config
from studioflow.errors import StudioflowError
from studioflow.store import Database

if TYPE_CHECKING:
    from studioflow.screens.keymap import KeyView


@click.command("demo", cls=Leaf, help="write demo data (a wedding and a 1040 pipeline, clients, jobs, tasks)")
@click.option("--force", is_flag=True, help="add the demo data even if the database has data")
def demo(db: Database, force: bool) -> str:
    from studioflow.workflow.files import demo as demo_data  # imported on use: it brings jinja2 for its templates

    counts = demo_data.write_demo(db, force=force)
    return "demo data written: " + ", ".join(f"{n} {what}" for what, n in counts.items())


@click.command("keys", cls=Leaf, help="every key binding id, its keys (with config.toml's [keys]) and what it does")
def keys(db: Database) -> list[KeyView]:
    """Every binding id, the keys that run it (config.toml's [keys] applied) and what it does."""
    from studioflow.app import StudioflowApp  # the app's bindings and, through it, every screen's
    from studioflow.screens.keymap import key_table

    return key_table(StudioflowApp, load_config().keys())


@click.command("check", cls=Leaf, help="check the database file for damage (integrity and foreign keys)")
def check(db: Database) -> str:
    problems = db.health()
    if problems:
        raise StudioflowError(f"{db.label} is damaged: " + "; ".join(problems[:5]))
    return f"{db.label}: ok"


@click.command("undo", cls=Leaf, help="undo the last change to a job")
def undo(db: Database) -> str:
    return f"undid: {journal.undo(db)}"


@click.command("redo", cls=Leaf, help="redo the last undone change")
def redo(db: Database) -> str:
    return f"redid: {journal.redo(db)}"

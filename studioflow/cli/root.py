"""The root command: `studioflow`, its commands (each module imported when its command runs), and
its `main`, which hands the parsed line to the error boundary in cli/main.py."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from functools import partial
from typing import Any

import click

from studioflow import __version__
from studioflow.cli import complete
from studioflow.cli.call import Call, check_text
from studioflow.cli.frame import Section, db_option
from studioflow.cli.main import COMPLETE_VAR, run

# Every command of the root: the module of studioflow.cli that holds it, and its name there.
# A module is imported when its command runs (`task list` loads task.py, not the other ten).
COMMANDS = {
    "agenda": ("event", "agenda"),
    "automation": ("automation", "automation"),
    "backup": ("files", "backup"),
    "check": ("top", "check"),
    "client": ("client", "client"),
    "completion": ("complete", "completion"),
    "csv": ("files", "csv"),
    "demo": ("top", "demo"),
    "event": ("event", "event"),
    "export": ("files", "export"),
    "import": ("files", "import_"),
    "invoice": ("money", "invoice"),
    "job": ("job", "job"),
    "jobclient": ("client", "jobclient"),
    "keys": ("top", "keys"),
    "mileage": ("money", "mileage_group"),
    "outbox": ("outbox", "outbox_group"),
    "pipeline": ("pipeline", "pipeline"),
    "project": ("task", "project"),
    "redo": ("top", "redo"),
    "savedtasks": ("task", "savedtasks"),
    "stage": ("pipeline", "stage"),
    "status": ("client", "status"),
    "task": ("task", "task"),
    "template": ("automation", "template"),
    "transfer": ("files", "transfer_"),
    "undo": ("top", "undo"),
}


class Root(Section):
    """`studioflow`: with no command, the TUI. Its `main` is the error boundary, so the console
    script, `python -m studioflow` and click's CliRunner all meet the same one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"studioflow.cli.{module}"), name)
        return command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if os.environ.get(complete_var or COMPLETE_VAR):
            complete.install()
        code = run(partial(super().main, args, prog_name or "studioflow", complete_var, False, **extra))
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(
    "studioflow",
    cls=Root,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[db_option()],
    help="Pipelines, jobs and tasks for a solo practice, in the terminal. With no command, opens the board.",
)
@click.version_option(__version__, prog_name="studioflow", message="%(prog)s %(version)s")
@click.pass_context
def studioflow(ctx: click.Context, db: str | None) -> Call | None:
    check_text({"db": db})
    if ctx.invoked_subcommand is None:
        return Call(None, db=db)
    return None

"""Shell completion for bash, zsh and fish: `studioflow completion SHELL` prints the script
(click's machinery); the script asks studioflow back through $_STUDIOFLOW_COMPLETE, and names
come from the database that --db, $STUDIOFLOW_DB or the default points to."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from studioflow.cli.frame import Leaf
from studioflow.cli.main import COMPLETE_VAR
from studioflow.cli.params import OneOf
from studioflow.cli.services import names
from studioflow.config import db_path
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.db import open_current

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")

# click's bash script, but names may hold spaces ("Contract Sent") and quotes: each is read as
# it is (read -r) and inserted escaped (%q), so the shell reads back one word.
BASH = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response completion type value
    COMPREPLY=()
    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD %(complete_var)s=bash_complete $1)
    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"
        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            printf -v value '%%q' "$value"
            COMPREPLY+=("$value")
        fi
    done
    return 0
}

complete -o nosort -F %(complete_func)s %(prog_name)s
"""


def install() -> None:
    """Use the bash script above in place of click's (click's completion is loaded only to complete)."""
    from click.shell_completion import BashComplete, add_completion_class

    class Bash(BashComplete):
        source_template = BASH

    add_completion_class(Bash, "bash")


def script(root: click.Command, shell: str) -> str:
    from click.shell_completion import get_completion_class

    install()
    complete = get_completion_class(shell)
    assert complete is not None  # SHELLS are click's own
    return complete(root, {}, "studioflow", COMPLETE_VAR).source()


@click.command(
    "completion",
    cls=Leaf,
    uses_db=False,
    help='print the shell completion script for bash, zsh or fish, e.g. eval "$(studioflow completion bash)"',
)
@click.argument("shell", type=OneOf(SHELLS))
def completion(shell: str) -> str:
    from studioflow.cli.root import studioflow  # the whole command tree, to complete

    return script(studioflow, shell).rstrip("\n")


# Names from the database: each function is a click `shell_complete` for one kind of argument.


@contextmanager
def _database(ctx: click.Context) -> Iterator[Database | None]:
    """The database the command line names, if it exists at this schema: completing never
    creates, migrates or writes one."""
    given = next((c.params["db"] for c in _chain(ctx) if c.params.get("db")), None)
    try:
        db = open_current(db_path(given))
    except StudioflowError:  # a config.toml that cannot be read: no names, no noise in the prompt
        db = None
    if db is None:
        yield None
        return
    try:
        yield db
    finally:
        db.close()


def _chain(ctx: click.Context | None) -> Iterator[click.Context]:
    while ctx is not None:
        yield ctx
        ctx = ctx.parent


def _offer(
    ctx: click.Context, incomplete: str, read: Callable[[Database], Sequence[tuple[object, str]]]
) -> list[CompletionItem]:
    """The names that start with what is typed (case ignored), each with a word of help for zsh and fish."""
    from click.shell_completion import CompletionItem

    try:
        with _database(ctx) as db:
            found = read(db) if db is not None else []
    except Exception:  # a damaged or locked file: no names, never a traceback in the middle of a line
        return []
    typed = incomplete.casefold()
    return [CompletionItem(str(name), help=help) for name, help in found if str(name).casefold().startswith(typed)]


def pipeline_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _offer(ctx, incomplete, names.pipelines)


def stage_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The stages of the pipeline given on the line, else of the job's pipeline, else all."""
    pipeline = ctx.params.get("to_pipeline") or ctx.params.get("pipeline")
    job = ctx.params.get("job")
    return _offer(ctx, incomplete, lambda db: names.stages(db, pipeline, job))


def client_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _offer(ctx, incomplete, names.clients)


def status_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _offer(ctx, incomplete, names.statuses)


def job_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Job ids, each with its title as help; what is typed matches an id's digits or a title's start."""
    if incomplete and not incomplete.isdecimal():
        return _offer(ctx, incomplete, lambda db: [(title, f"job {id_}") for id_, title in names.jobs(db)])
    return _offer(ctx, incomplete, names.jobs)


# The arguments and options that name a record, with its names to complete: declared once for
# every command group that takes them (`job show JOB`, `task list --job J`, `stage move PIPELINE STAGE`).
JOB = click.argument("job", shell_complete=job_ids)
PIPELINE = click.argument("pipeline", shell_complete=pipeline_names)
STAGE = click.argument("stage", shell_complete=stage_names)
ON_JOB = click.option("--job", metavar="J", shell_complete=job_ids)
ON_CLIENT = click.option("--client", metavar="C", shell_complete=client_names)
ON_PIPELINE = click.option("--pipeline", metavar="P", shell_complete=pipeline_names)
ON_STAGE = click.option("--stage", metavar="S", shell_complete=stage_names)

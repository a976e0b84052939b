"""The frame every command hangs on: commands that take --db and --json, and groups of them.
Each parses its line into a `Call` (cli/call.py), which `main` runs inside its error boundary."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from studioflow.cli.call import Call, check_text
from studioflow.config import DB_ENV

if TYPE_CHECKING:
    from studioflow.store import Database

NEGATIVE = re.compile(r"-\d+|-\d*\.\d+")  # argparse's own test of a negative number


def db_option() -> click.Option:
    return click.Option(["--db"], metavar="PATH", type=click.Path(), help=f"database file (or ${DB_ENV})")


class Leaf(click.Command):
    """A command. Its callback is a handler `(db, **params) -> result`, which `main` runs once the
    whole line is parsed; every command takes --db and --json, before or after its own arguments.

    `one_of`: groups of parameters of which exactly one must be given; `at_most_one`: of which
    one at most may be given (argparse's mutually exclusive groups)."""

    def __init__(
        self,
        *args: Any,
        uses_db: bool = True,
        one_of: Sequence[tuple[str, ...]] = (),
        at_most_one: Sequence[tuple[str, ...]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("no_args_is_help", False)
        kwargs.setdefault("short_help", kwargs.get("help"))  # the whole line in a group's list, not cut at 45
        super().__init__(*args, **kwargs)
        self.uses_db = uses_db
        self.one_of = one_of
        self.at_most_one = at_most_one
        if uses_db:
            self.params += [
                db_option(),
                click.Option(["--json"], is_flag=True, help="print JSON for scripts"),
            ]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [param for param in self.get_params(ctx) if isinstance(param, click.Option)]
        takes = {opt: param.nargs for param in options if not param.is_flag for opt in param.opts}
        args = _whole_names(args, [opt for param in options for opt in param.opts], takes)
        if ctx.resilient_parsing and args and args[-1] in takes:
            # Completing that option's value (`job move 2 --to <TAB>`): read what comes before it,
            # so the stages offered are the job's (click would stop at the option without a value).
            args = args[:-1]
        if any(NEGATIVE.fullmatch(arg) for arg in args):
            args = _positionals_last(args, takes)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Call:
        params = dict(ctx.params)
        self._check_groups(ctx, params)
        db = params.pop("db", None) or ctx.find_root().params.get("db")
        check_text({"db": db, **params})
        as_json = params.pop("json", False)
        dry_run = params.pop("dry_run", False)
        assert self.callback is not None
        return Call(self.callback, params, db=db, json=as_json, dry_run=dry_run, uses_db=self.uses_db)

    def _check_groups(self, ctx: click.Context, params: dict[str, Any]) -> None:
        def hint(name: str) -> str:
            param = next(p for p in self.params if p.name == name)
            return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name

        for names in self.one_of:
            given = [name for name in names if _given(params[name])]
            if not given:
                raise click.UsageError(f"one of {', '.join(map(hint, names))} is required", ctx)
            if len(given) > 1:
                raise click.UsageError(f"{hint(given[1])} is not allowed with {hint(given[0])}", ctx)
        for names in self.at_most_one:
            given = [name for name in names if _given(params[name])]
            if len(given) > 1:
                raise click.UsageError(f"{hint(given[1])} is not allowed with {hint(given[0])}", ctx)


def _whole_names(args: list[str], options: list[str], takes: dict[str, int]) -> list[str]:
    """`--pipe Leads` for `--pipeline Leads`: a long option cut short where no other starts the
    same way, as argparse allowed (scripts may have it)."""
    whole: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            whole += [arg, *rest]
            break
        name, equals, value = arg.partition("=")
        if name.startswith("--") and name not in options:
            matches = [option for option in options if option.startswith(name)]
            name = matches[0] if len(matches) == 1 else name
        whole.append(name + equals + value)
        if not equals and name in takes:
            whole += itertools.islice(rest, takes[name])  # its values, read as they are
    return whole


def _positionals_last(args: list[str], takes: dict[str, int]) -> list[str]:
    """`mileage add -3 --job 1`: a negative number is a value, as argparse read it (no option
    looks like a number), where click would take it for an unknown option. The options go
    first and the values after `--`, in their order."""
    options: list[str] = []
    values: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            values += rest
        elif arg in takes:
            options += [arg, *itertools.islice(rest, takes[arg])]
        elif arg.startswith("-") and not NEGATIVE.fullmatch(arg):
            options.append(arg)  # a flag, --name=value, or an unknown option for click to refuse
        else:
            values.append(arg)
    return [*options, "--", *values]


def _given(value: Any) -> bool:
    return value is not None and value is not False and value != ()


class Section(click.Group):
    """A group of commands (`job`, `task`...): its commands are `Leaf`s, and a missing command
    is a one-line usage error rather than the whole help."""

    command_class = Leaf

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", False)
        kwargs.setdefault("short_help", kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def calls(
        self,
        name: str,
        help: str,
        *params: Callable[[Any], Any],
        service: Callable[[], Callable[..., Any]],
        said: str = "",
    ) -> click.Command:
        """A command whose whole work is one service (`job show JOB` is `reads.get_job(db, job)`): it
        hands the service its arguments and options in the order they are declared, and what the
        service returns is shown. `service` names it without loading it: its module (often the ORM)
        is imported when the command runs. A service that returns nothing (a delete) has the command
        say `said`, its arguments filled in by name: "automation {automation_id} deleted"."""

        def handler(db: Database, **given: Any) -> Any:
            # Click fills its params in the order typed; the service takes them as declared. The
            # options the Leaf reads itself (--db, --json, --dry-run) are not among `given`.
            result = service()(db, *(given[key] for key in names if key in given))
            return said.format(**given) if result is None and said else result

        callback: Callable[..., Any] = handler
        for param in reversed(params):  # applied last first, as decorators written in this order are
            callback = param(callback)
        command = self.command(name, help=help)(callback)
        names = [param.name for param in command.params if param.name]
        return command

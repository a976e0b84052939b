"""The CLI's one error boundary: whatever the user typed ends in a result, or in one line on
stderr and exit 2 (exit 1 for what is not the input's fault). And the console script's `main`:
the board's own launch (`studioflow`, `studioflow --db FILE`) is read here without click, which
a launch would otherwise load for nothing (some 40 ms); every other line is click's (cli/root.py).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from studioflow import process
from studioflow.cli.call import Call, check_text
from studioflow.cli.services import jobs
from studioflow.config import Config, db_path, load_config
from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store import Database, open_database
from studioflow.store.db import trouble

USAGE_ERROR = 2
COMPLETE_VAR = "_STUDIOFLOW_COMPLETE"  # set by the shell when it asks for completions


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: the exit status of the command line `argv` (default: sys.argv)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _opens_the_board(args):
        return run(lambda: _board(args[1] if args else None))
    from studioflow.cli.root import studioflow

    code: int = studioflow.main(args, "studioflow", standalone_mode=False)
    return code


def _opens_the_board(args: list[str]) -> bool:
    """`studioflow` or `studioflow --db FILE`; any other line (`--db=FILE`, a missing value, a
    completion asked by the shell) is click's, so its answers and errors stay click's."""
    if os.environ.get(COMPLETE_VAR):
        return False
    return not args or (len(args) == 2 and args[0] == "--db" and bool(args[1]) and not args[1].startswith("-"))


def _board(db: str | None) -> Call:
    check_text({"db": db})
    return Call(None, db=db)


def run(parse: Callable[[], Any]) -> int:
    """Parse (click, or the board's own launch), then run what was asked inside the error boundary."""
    for stream in (sys.stdout, sys.stderr):
        # Text the terminal cannot show (a file name from undecodable bytes) is shown escaped, not a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    db: Database | None = None
    try:
        call = parse()
        if not isinstance(call, Call):  # --help or --version: click has answered
            return int(call or 0)
        if call.handler is not None:
            process.collect_from_here()  # what a command needs first is loaded
        if not call.uses_db:
            show(call.handler(**call.params) if call.handler else None, call.json)
            return 0
        # config.toml is read here only when it matters: no --db or $STUDIOFLOW_DB (db_path reads
        # [store] url), a PostgreSQL studio (its password_command), or the TUI.
        target = db_path(call.db)
        config = load_config() if isinstance(target, str) or call.handler is None else None
        db = open_database(target, config.store()[1] if config and isinstance(target, str) else "")
        if call.handler is None:
            return _run_tui(db, config or load_config())
        handler = partial(call.handler, db, **call.params)
        if call.dry_run:
            _dry_run(db, handler, call.json)
            return 0
        result = handler()
        show(result, call.json)
        _warn_nobody(result)
        return 0
    except _click().UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "studioflow"
        print(f"{where}: {_one_line(exc.format_message())} (see '{where} --help')", file=sys.stderr)
        return USAGE_ERROR
    except _click().ClickException as exc:
        print(f"studioflow: {_one_line(exc.format_message())}", file=sys.stderr)
        return USAGE_ERROR if exc.exit_code == USAGE_ERROR else 1
    except DatabaseTrouble as exc:  # busy or full: not the input's fault (a damaged file is the file's)
        print(f"studioflow: {exc}", file=sys.stderr)
        return USAGE_ERROR if exc.damaged else 1
    except StudioflowError as exc:
        print(f"studioflow: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except (sqlite3.DatabaseError, _orm_database_error(), _server_error()) as exc:
        # Raised by the read path (sqlite3, psycopg) or by SQLAlchemy around the same driver error.
        error = getattr(exc, "orig", exc)
        if not isinstance(error, sqlite3.Error):  # PostgreSQL: busy, unreachable, a rule missed
            print(f"studioflow: {trouble(db.label if db else None, error)}", file=sys.stderr)
            return 1
        if isinstance(error, sqlite3.IntegrityError):  # a rule the services missed: not the input's fault
            print(f"studioflow: could not save: {error}", file=sys.stderr)
            return 1
        if isinstance(error, sqlite3.OperationalError):  # locked, disk full: not the input's fault
            print(f"studioflow: {error}", file=sys.stderr)
            return 1
        damaged = db.label if db is not None else "the database"
        print(f"studioflow: {damaged} is damaged ({error}); see `studioflow check`", file=sys.stderr)
        return USAGE_ERROR
    except (KeyboardInterrupt, _click().Abort):
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as shell tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    # What is left of user input's faults: a name the file system refuses (too long, a folder
    # where a file should be), text that is not text, a number or date out of any range.
    except UnicodeError:
        print("studioflow: an argument is not valid text (check the terminal's encoding)", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"studioflow: {where}{exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    except (ValueError, OverflowError) as exc:
        print(f"studioflow: {_one_line(exc)}", file=sys.stderr)
        return USAGE_ERROR
    except Exception as exc:
        if os.environ.get("STUDIOFLOW_DEBUG"):
            raise
        print(f"studioflow: internal error: {exc!r} (set STUDIOFLOW_DEBUG=1 for details)", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.close()


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class _NoClick:
    """click's errors as the boundary names them, for a line click did not read: nothing raises them."""

    class UsageError(Exception): ...

    class ClickException(Exception): ...

    class Abort(Exception): ...


def _click() -> Any:
    """click, whose errors the boundary catches, if the line went through it (the board's launch does not)."""
    if "click" not in sys.modules:
        return _NoClick
    import click

    return click


def _orm_database_error() -> type[Exception]:
    """SQLAlchemy's DatabaseError if a command loaded SQLAlchemy; if not, none was raised."""
    if "sqlalchemy" not in sys.modules:
        return sqlite3.DatabaseError
    from sqlalchemy.exc import DatabaseError

    return DatabaseError


def _server_error() -> type[Exception]:
    """psycopg's Error if a command reached a PostgreSQL studio; if not, none was raised."""
    if "psycopg" not in sys.modules:
        return sqlite3.DatabaseError
    import psycopg

    return psycopg.Error


def show(result: Any, as_json: bool) -> None:
    """A command's result on stdout (its renderers, and the views with them, load only when there is
    one to show: `--help` goes without)."""
    from studioflow.cli import render

    render.show(result, as_json)


def _run_tui(db: Database, config: Config) -> int:
    from studioflow.app import make_app  # Textual is only loaded when the TUI is wanted

    process.collect_from_here()  # what the first frame needs is loaded
    make_app(db, config).run()  # config.toml read once, here, for the whole session
    return 0


def _dry_run(db: Database, handler: Callable[[], Any], as_json: bool) -> None:
    """Run a move in a transaction that is rolled back, and show what it would do."""
    result, effects = jobs.rehearse(db, handler)
    if as_json:
        from studioflow.workflow.views import to_json

        show({"dry_run": True, "job": to_json(result), "effects": [to_json(e) for e in effects]}, as_json=True)
        return
    print(f"dry run, nothing written: job {result.id} {result.title!r} would be at {result.pipeline} › {result.stage}")
    if not effects:
        print("no automation would fire")
    for effect in effects:
        print(f"  - {effect.text}")
        for line in effect.message.splitlines():
            print(f"      {line}")


def _warn_nobody(result: Any) -> None:
    """A move that queued a message to nobody did what was asked (the message waits, held, to
    be edited or cancelled) but is said on stderr: the shell has no dialog to ask first."""
    for line in getattr(result, "fired", ()):
        if " held: " in line and " has no " in line:  # no client, or a client without the address
            print(f"studioflow: warning: {line} (see 'studioflow outbox list --state held')", file=sys.stderr)



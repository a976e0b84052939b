"""One side of a two-process race: runs one studioflow command line many times in this process.

    python race_driver.py TIMES ARG...

Each run goes through `studioflow.cli.main`, the console script's own entry point (its
error boundary, a fresh `open_database` and close), without paying an interpreter start
per run. It prints "ready" once imported, waits for a line on stdin (so both sides start
together), then prints one JSON list: [exit code, stderr] per run. Anything that escapes
the error boundary is recorded as exit -1 with its traceback, for the test to fail on.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback

from studioflow.cli import main
from studioflow.cli.main import COMMANDS
from studioflow.cli.main import studioflow as root


def run_once(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(args)
    except BaseException:  # the test asserts there is none
        return -1, err.getvalue() + traceback.format_exc()
    return code, err.getvalue()


def warm_up(args: list[str]) -> None:
    """Import what the command will use before the start line, as a launched script has."""
    module = COMMANDS[args[0]][0]
    root.get_command(None, args[0])  # type: ignore[arg-type]
    __import__(f"studioflow.cli.{module}")


if __name__ == "__main__":
    times, args = int(sys.argv[1]), sys.argv[2:]
    warm_up(args)
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps([run_once(args) for _ in range(times)]), flush=True)

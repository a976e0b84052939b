"""One side of a two-process race: runs one studioflow command line many times in this process.

    python race_driver.py TIMES PAUSE_MS ARG...

Each run goes through `studioflow.cli.main`, the console script's own entry point (its
error boundary, a fresh `open_database` and close), without paying an interpreter start
per run. It prints "ready" once imported, waits for a line on stdin (so both sides start
together), then prints one JSON list: [exit code, stderr] per run. Anything that escapes
the error boundary is recorded as exit -1 with its traceback, for the test to fail on.

After one run in four it pauses PAUSE_MS milliseconds: without that, two sides waiting on
the one write lock take turns exactly, and neither ever finds the job already moved.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import random
import sys
import time
import traceback

from studioflow.cli import main
from studioflow.cli.root import COMMANDS


def run_once(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(args)
    except BaseException:  # the test asserts there is none
        return -1, err.getvalue() + traceback.format_exc()
    return code, err.getvalue()


def runs(times: int, pause_ms: int, args: list[str]) -> list[tuple[int, str]]:
    done = []
    for _ in range(times):
        done.append(run_once(args))
        if random.random() < 0.25:
            time.sleep(pause_ms / 1000)
    return done


if __name__ == "__main__":
    times, pause_ms, args = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    importlib.import_module(f"studioflow.cli.{COMMANDS[args[0]][0]}")  # imported before the start, as a script's
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(runs(times, pause_ms, args)), flush=True)

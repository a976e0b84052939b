"""The command line: a thin face over the workflow services, and the door to the TUI.

A click group per command group (`job`, `task`, `invoice`...), a module for each, a text
renderer per result type (`render`), and shell completion (`complete`).

Exit status: 0 success; 2 bad usage or bad input (one line on stderr, nothing
written); 1 anything else.
"""

from studioflow.cli.main import main, studioflow

__all__ = ["main", "studioflow"]

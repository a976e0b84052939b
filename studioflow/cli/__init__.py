"""The command line: a thin face over the workflow services, and the door to the TUI.

A click group per command group (`job`, `task`, `invoice`...), a module for each, a text
renderer per result type (`render`), and shell completion (`complete`).

Exit status: 0 success; 2 bad usage or bad input (one line on stderr, nothing
written); 1 anything else.
"""

from typing import TYPE_CHECKING, Any

from studioflow.cli.main import main

if TYPE_CHECKING:
    from studioflow.cli.root import studioflow

__all__ = ["main", "studioflow"]


def __getattr__(name: str) -> Any:
    if name == "studioflow":  # the click group, loaded when asked for (the board's launch never is)
        from studioflow.cli.root import studioflow

        return studioflow
    raise AttributeError(name)

"""What a command line asks for once parsed (a `Call`, run by `main` inside its error boundary),
and the check every typed text passes. No click here: the board's own launch (`studioflow`,
`studioflow --db FILE`) is parsed without it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studioflow.errors import StudioflowError


@dataclass(frozen=True)
class Call:
    """What the command line asked for. Parsing is click's; running it is `main`'s, so that every
    failure of a handler meets the same error boundary, and a usage error writes nothing."""

    handler: Callable[..., Any] | None  # None: open the TUI
    params: dict[str, Any] = field(default_factory=dict)
    db: str | None = None  # --db as typed (None: $STUDIOFLOW_DB or the default)
    json: bool = False
    dry_run: bool = False
    uses_db: bool = True


def check_text(params: dict[str, Any]) -> None:
    """Every text argument is text: no NUL, nothing that cannot be UTF-8 (bytes the terminal could not decode)."""
    for name, value in params.items():
        for text in _strings(value):
            if "\x00" in text or not _encodable(text):
                raise StudioflowError(f"{name.replace('_', '-')}: not valid text (check the terminal's encoding)")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

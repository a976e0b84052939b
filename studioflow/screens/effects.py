"""The one path from a screen to a service that writes, and the one place an error becomes a notice.

A write may wait up to the busy timeout for another process's lock, so it runs in a
thread worker: the UI goes on drawing and taking keys. Writes run one after another,
in the order asked (a second `L` moves the job on from where the first left it). Any
error a person can act on (bad input, a busy, full or damaged database) is one line
on screen and the app stays up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.dom import DOMNode

from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store.db import database_error, trouble

T = TypeVar("T")


def notice(error: BaseException) -> str | None:
    """The one line to show for an error of the input or of the database; None for anything else (a bug)."""
    if isinstance(error, StudioflowError):
        return str(error)
    if database_error(error):
        return str(trouble(None, error))
    return None


class EffectRunner:
    """Runs writes in a thread worker, one at a time, in order; the app owns one."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._waiting: deque[tuple[Callable[[], Any], Callable[[Any], None], str]] = deque()
        self._busy = False

    def run(self, call: Callable[[], T], done: Callable[[T], None], refusal: str = "error") -> None:
        """`refusal`: the severity of the notice when the service refuses (a StudioflowError)."""
        self._waiting.append((call, done, refusal))
        if not self._busy:
            self._next()

    @property
    def busy(self) -> bool:
        return self._busy

    def _next(self) -> None:
        if not self._waiting:
            self._busy = False
            return
        self._busy = True
        call, done, refusal = self._waiting.popleft()
        self.app.run_worker(lambda: self._work(call, done, refusal), thread=True, group="effects", exit_on_error=False)

    def _work(self, call: Callable[[], Any], done: Callable[[Any], None], refusal: str) -> None:
        try:
            result = call()
        except Exception as error:
            said = notice(error) or f"internal error: {type(error).__name__}: {error}"
            refused = isinstance(error, StudioflowError) and not isinstance(error, DatabaseTrouble)
            severity: Any = refusal if refused else "error"
            self.app.call_from_thread(self._finish, lambda: self.app.notify(said, severity=severity))
            return
        self.app.call_from_thread(self._finish, lambda: done(result))

    def _finish(self, then: Callable[[], None]) -> None:
        try:
            then()
        finally:
            self._next()


def run_effect(node: DOMNode, call: Callable[[], T], done: Callable[[T], None], refusal: str = "error") -> None:
    """Run `call` (a service that writes) off the UI thread; `done(result)` on the UI thread after."""
    runner: EffectRunner = node.app.effects  # type: ignore[attr-defined]
    runner.run(call, done, refusal)

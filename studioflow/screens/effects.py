"""The one path from a screen to a service that writes, and the one place an error becomes a notice.

A screen calls `run_effect` with the service call and what to redraw after; the runner
does the rest, the same way for every screen: the call runs in a thread worker (a
write may wait up to the busy timeout for another process's lock, and the UI goes on
drawing and taking keys), writes run one after another in the order asked (a second
`L` moves the job on from where the first left it), an error a person can act on (bad
input, a busy, full or damaged database) is one line on screen and the app stays up,
what automations did is said, and what they queued is handed to delivery.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from textual.app import App
from textual.dom import DOMNode

from studioflow.config import Config
from studioflow.errors import DatabaseTrouble, StudioflowError
from studioflow.store.db import database_error, trouble

T = TypeVar("T")
Severity = Literal["information", "warning", "error"]


def notice(error: BaseException) -> str | None:
    """The one line to show for an error of the input or of the database; None for anything else (a bug)."""
    if isinstance(error, StudioflowError):
        return str(error)
    if database_error(error):
        return str(trouble(None, error))
    return None


@runtime_checkable
class Studio(Protocol):
    """What a screen may ask of the app (StudioflowApp), typed: the effect runner and delivery."""

    effects: EffectRunner
    outbox_counts: dict[str, int]
    config: Config

    def deliver(self, *, asked: bool = False) -> None: ...

    def recount_outbox(self) -> None: ...

    def use_config(self, config: Config) -> None: ...

    def warm_up(self) -> None: ...

    def when_writable(self, call: Callable[..., object], *args: object) -> None: ...


def studio(node: DOMNode) -> Studio:
    """The app a screen runs in, as the Studio it is."""
    app = node.app
    if not isinstance(app, Studio):
        raise TypeError(f"{type(app).__name__} is not a studioflow app")
    return app


@dataclass(frozen=True)
class Effect:
    """One write asked for by a screen, and what to do on the UI thread after it."""

    node: DOMNode
    call: Callable[[], Any]
    done: Callable[[Any], object] | None
    said: str | Callable[[Any], str | None] | None
    refused: Callable[[str], object] | None
    refusal: Severity
    send: bool


def tell_fired(app: App[Any], result: object) -> None:
    """Say what fired ("email queued to …; 3 task(s) from …; all tasks done: moved on to …"),
    and send what it queued once due, in the background. Nothing is said when nothing fired."""
    fired = getattr(result, "fired", ())
    if fired:
        app.notify("; ".join(fired), title="Automations", timeout=8)
        studio(app).deliver()


class EffectRunner:
    """Runs writes in a thread worker, one at a time, in order; the app owns one."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._waiting: deque[Effect] = deque()
        self._busy = False

    def run(self, effect: Effect) -> None:
        self._waiting.append(effect)
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
        effect = self._waiting.popleft()
        self.app.run_worker(lambda: self._work(effect), thread=True, group="effects", exit_on_error=False)

    def _work(self, effect: Effect) -> None:
        try:
            result = effect.call()
        except Exception as error:
            self.app.call_from_thread(self._finish, self._failed, effect, error)
            return
        self.app.call_from_thread(self._finish, self._succeeded, effect, result)

    def _finish(self, then: Callable[[Effect, Any], None], effect: Effect, outcome: Any) -> None:
        try:
            then(effect, outcome)
        except Exception as error:  # the redraw met an error: a record gone (undone elsewhere), a busy read
            self._failed(replace(effect, refused=None), error)
        finally:
            self._next()

    def _succeeded(self, effect: Effect, result: Any) -> None:
        said = effect.said(result) if callable(effect.said) else effect.said
        if said:
            self.app.notify(said)
        tell_fired(self.app, result)  # said even when the screen that asked has closed since
        if effect.done is not None and effect.node.is_attached:
            effect.done(result)
        if effect.send:
            studio(self.app).deliver(asked=True)

    def _failed(self, effect: Effect, error: Exception) -> None:
        said = notice(error)
        if said is None:
            said = f"internal error: {type(error).__name__}: {error}"
        elif effect.refused is not None and effect.node.is_attached:
            effect.refused(said)
            return
        refused = isinstance(error, StudioflowError) and not isinstance(error, DatabaseTrouble)
        self.app.notify(said, severity=effect.refusal if refused else "error")


def run_effect(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], object] | None = None,
    *,
    said: str | Callable[[T], str | None] | None = None,
    refused: Callable[[str], object] | None = None,
    refusal: Severity = "error",
    send: bool = False,
) -> None:
    """Run `call` (a service that writes) off the UI thread, then, on the UI thread: say `said`,
    say what automations fired (and deliver what they queued), deliver at once when `send`,
    and `done(result)` to redraw what changed.

    A refusal or a database error is one line: given to `refused` (a dialog shows it in
    place and stays open) or a notice (`refusal`: its severity when the service refused).
    """
    studio(node).effects.run(Effect(node, call, done, said, refused, refusal, send))

"""The collector of cyclic garbage in a studioflow process (the console script's, not a test's).

A command or the TUI loads some thousand modules whose objects live as long as the process,
and the collector would walk them again and again as they load: some 50 ms before the board's
first frame. So the process entry pauses it while studioflow loads; once what a command or the
first frame needs is loaded (and again once the TUI's write path is), that is frozen out of its
walks and it collects what comes after as usual. What loads later (a command's services, the
TUI's write path) loads the same way (`loading`). A process that imports studioflow any other
way (tests, scripts calling `cli.main`) keeps its collector as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = False  # by `pause_while_loading`, so the freezes below are this process's to make


def pause_while_loading() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def collect_from_here() -> None:
    """What is loaded now lives as long as the process: keep it out of the collector's walks."""
    if _paused:
        gc.freeze()
        gc.enable()


@contextmanager
def loading() -> Iterator[None]:
    """Load more of studioflow (SQLAlchemy and the models with it) with the collector paused,
    then freeze what was loaded out of its walks."""
    if not _paused:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        collect_from_here()

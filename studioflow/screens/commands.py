"""Command palette providers: every screen by name, and jobs, clients and projects by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from studioflow.store.text import fold

if TYPE_CHECKING:
    from studioflow.workflow.board.search import Found


def _open(app: Any, found: Found) -> None:
    # Imported on use: these screens import this module's neighbours.
    from studioflow.screens.clients import ClientScreen
    from studioflow.screens.job import JobScreen
    from studioflow.screens.tasks import ProjectTasksScreen

    screens: dict[str, Callable[[Any, int], Any]] = {
        "job": JobScreen,
        "client": ClientScreen,
        "project": ProjectTasksScreen,
    }
    app.push_screen(screens[found.kind](app.db, found.id))


class RecordsProvider(Provider):
    """Type part of a name ("emilie", "dubois wedding"): the jobs, clients and projects it names."""

    async def search(self, query: str) -> Hits:
        # Imported on use: the search runs on the ORM, which the first frame does not load.
        from studioflow.workflow.board.search import find_records

        app: Any = self.app
        for found in find_records(app.db, query):
            score = 1.0 if fold(found.name).startswith(fold(query)) else 0.6
            label = Text.assemble((f"{found.kind}: ", "dim"), found.name)
            if found.detail:
                label.append(f"  {found.detail}", style="dim")
            yield Hit(score, label, partial(_open, app, found), text=found.name, help=f"open the {found.kind}")


class ScreensProvider(Provider):
    """Every screen by name: "outbox", "tasks", "projects"..."""

    def _screens(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: Any = self.app
        return [(name, help, partial(app.open_by_name, name)) for name, help in app.SCREEN_NAMES]

    async def discover(self) -> Hits:
        for name, help, open_it in self._screens():
            yield DiscoveryHit(name, open_it, help=help)

    async def search(self, query: str) -> Hits:
        for name, help, open_it in self._screens():
            if fold(query) in fold(name) or fold(query) in fold(help):
                yield Hit(1.0 if fold(name).startswith(fold(query)) else 0.7, name, open_it, help=help)

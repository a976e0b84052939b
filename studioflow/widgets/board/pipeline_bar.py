"""The line above the board: every pipeline by name, the one shown highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from studioflow.workflow.views import PipelineView


class PipelineBar(Static):
    DEFAULT_CSS = """
    PipelineBar {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show(self, pipelines: list[PipelineView], current: int | None) -> None:
        text = Text()
        for pipeline in pipelines:
            if pipeline.id == current:
                text.append(f" {pipeline.name} ", style="bold reverse")
            else:
                text.append(f" {pipeline.name} ", style="dim")
            text.append(" ")
        text.append("  p pick · [ ] switch", style="dim italic")
        self.update(text)

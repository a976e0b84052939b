"""The line above the board: every pipeline by name, the one shown highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from studioflow.widgets.keys import key_for

KEYS = (("pick_pipeline", "p"), ("switch_pipeline(-1)", "["), ("switch_pipeline(1)", "]"))


class PipelineBar(Static):
    DEFAULT_CSS = """
    PipelineBar {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show(self, pipelines: list[tuple[int, str, str]], current: int | None) -> None:
        """`pipelines`: (id, name, kind) in board order (`names.shown_pipelines`)."""
        text = Text()
        for pipeline_id, name, _kind in pipelines:
            if pipeline_id == current:
                text.append(f" {name} ", style="bold reverse")
            else:
                text.append(f" {name} ", style="dim")
            text.append(" ")
        # The keys as bound now (the user may have moved them in [keys]).
        pick, back, on = (key_for(self, *k) for k in KEYS)
        text.append(f"  {pick} pick · {back} {on} switch", style="dim italic")
        self.update(text)

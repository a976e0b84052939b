"""Before a move: what it would send and create (the dry run), and a question when a stage
would write to a client the job does not have."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from studioflow.widgets.colours import theme_style
from studioflow.widgets.keys import KeyHints
from studioflow.workflow.automations.automations import Effect
from studioflow.workflow.views import JobView


def dry_run_text(result: JobView, effects: list[Effect], warning: Style | str = "bold yellow") -> Text:
    """The rehearsed move as the CLI's --dry-run says it: where the job would be, each effect,
    each message rendered exactly as it would go."""
    text = Text()
    text.append(f"{result.title} would be at {result.pipeline} › {result.stage}\n", style="bold")
    if not effects:
        text.append("\nNo automation would fire.", style="dim")
    for effect in effects:
        text.append(f"\n• {effect.text}\n", style=warning if effect.nobody else "")
        for line in effect.message.splitlines():
            text.append(f"    {line}\n", style="dim")
    return text


class DryRunPanel(ModalScreen[None]):
    """The dry run of a move: nothing was written."""

    BINDINGS = [Binding("escape,q,D", "dismiss(None)", "Close", id="dry_run.close")]

    def __init__(self, heading: str, result: JobView, effects: list[Effect]) -> None:
        super().__init__()
        self.heading = heading
        self.body = dry_run_text(result, effects, theme_style(self, "warning", bold=True))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dry-run"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            with VerticalScroll(id="dry-run-text"):
                yield Static(self.body, id="dry-run-body")
            yield KeyHints("Dry run: nothing was written")

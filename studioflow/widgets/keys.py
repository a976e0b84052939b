"""Which key the user presses for an action now, for text that names a key ("u to undo", a
dialog's line of keys).

The user may have moved any key in config.toml's [keys]; the app keeps what it applied in
`user_keys` (binding id -> keys), and the footer and `?` already show it.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Size
from textual.widget import Widget

SEPARATOR = " · "


def bound_now(node: DOMNode) -> list[tuple[str, Binding]]:
    """The bindings of the node's screen, once each and in the order declared, each with the key
    that runs it now (the first of its keys, the user's keymap applied), written as the footer
    writes it."""
    app = node.app
    keymap: Mapping[str, str] = getattr(app, "user_keys", {})
    seen: set[str] = set()
    found = []
    # Textual's map has a binding once per key it lists, the first of them first.
    for key_bindings in type(node.screen)._merge_bindings().key_to_bindings.values():
        for binding in key_bindings:
            name = binding.id or binding.action
            if name in seen:
                continue
            seen.add(name)
            key = keymap.get(binding.id, binding.key) if binding.id else binding.key
            found.append((app.get_key_display(Binding(key.split(",")[0], binding.action)), binding))
    return found


def key_for(node: DOMNode, action: str, default: str) -> str:
    """The key that runs `action` on the node's screen now; `default` when the screen has no such binding."""
    return next((key for key, binding in bound_now(node) if binding.action == action), default)


def undo_hint(node: DOMNode) -> str:
    """The end of a notice about a change that can be taken back: "(u to undo)", with the key bound."""
    return f"({key_for(node, 'undo', 'u')} to undo)"


class KeyHints(Widget):
    """A dialog's line of keys ("n: new · e: edit · esc: close"), written from its screen's shown
    bindings when it is mounted, so that it names the keys that work now, not the ones a
    programmer once typed. `lead` comes first: what the dialog's own fields do with tab or enter.
    A line too long for the dialog wraps between keys, never inside one ("d:" | "delete")."""

    DEFAULT_CSS = "KeyHints { height: auto; }"

    def __init__(self, lead: str = "") -> None:
        super().__init__(classes="dialog-hint")
        self.lead = lead
        self.items: list[str] = []

    def on_mount(self) -> None:
        shown = [(key, b) for key, b in bound_now(self) if b.show and b.description]
        shown.sort(key=lambda pair: pair[1].key == "escape")  # the way out last, where people look for it
        said = [f"{key}: {b.description[:1].lower()}{b.description[1:]}" for key, b in shown]
        self.items = [self.lead, *said] if self.lead else said
        self.refresh(layout=True)

    def lines(self, width: int) -> list[str]:
        """The keys packed into lines of `width` cells, each line as full as it goes."""
        lines: list[str] = []
        for item in self.items:
            if lines and cell_len(lines[-1]) + len(SEPARATOR) + cell_len(item) <= width:
                lines[-1] += SEPARATOR + item
            else:
                lines.append(item)
        return lines

    def render(self) -> Content:
        return Content("\n".join(self.lines(self.size.width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # A lead longer than the whole width still wraps (inside itself) when drawn.
        return sum(-(-cell_len(line) // max(width, 1)) or 1 for line in self.lines(width))

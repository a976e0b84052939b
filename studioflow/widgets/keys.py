"""Which key the user presses for an action now, for text that names a key ("u to undo").

The user may have moved any key in config.toml's [keys]; the app keeps what it applied in
`user_keys` (binding id -> keys), and the footer and `?` already show it.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding
from textual.dom import DOMNode


def key_for(node: DOMNode, action: str, default: str) -> str:
    """The key that runs `action` on the node's screen now (the user's keymap applied), written as
    the footer writes it; `default` when the screen has no such binding."""
    app = node.app
    screen = node.screen
    keymap: Mapping[str, str] = getattr(app, "user_keys", {})
    for key_bindings in type(screen)._merge_bindings().key_to_bindings.values():
        for binding in key_bindings:
            if binding.action == action:
                key = keymap.get(binding.id, binding.key) if binding.id else binding.key
                return app.get_key_display(Binding(key.split(",")[0], action))
    return default


def undo_hint(node: DOMNode) -> str:
    """The end of a notice about a change that can be taken back: "(u to undo)", with the key bound."""
    return f"({key_for(node, 'undo', 'u')} to undo)"

"""The app's own colours, taken from the theme, so every built-in theme, light ones included, stays readable.

Stylesheets name theme variables ($error, $warning...) themselves; this is for text drawn in
Python (table cells, badges, cards), which names what a colour means and gets the theme's
shade of it for text on the theme's background.
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color, ColorParseError
from textual.dom import DOMNode
from textual.widget import Widget

# What a colour says -> the theme variable made for text of that kind on the background.
MEANINGS = {
    "error": "text-error",
    "warning": "text-warning",
    "success": "text-success",
    "info": "text-primary",
    "local": "text-secondary",  # kept on this machine (no mail server): unlike held, which is warning
}
# A status colour the user named (`status colour 1 red`), shown in the theme's shade of it.
NAMED = {"red": "error", "yellow": "warning", "green": "success", "blue": "info", "cyan": "info", "magenta": "local"}


def theme_style(node: DOMNode, meaning: str, *, bold: bool = False) -> Style:
    """A text style in the theme's colour for `meaning` (see MEANINGS); "muted" is dimmed text."""
    if meaning == "muted":
        return Style(dim=True, bold=bold)
    value = node.app.theme_variables.get(MEANINGS[meaning], "")
    try:
        return Style(color=Color.parse(value).rich_color, bold=bold)
    except ColorParseError:  # no theme applied yet: the terminal's own colour
        return Style(bold=bold)


def status_style(node: DOMNode, colour: str | None) -> Style:
    """A status badge: a named colour in the theme's shade, greys dimmed, any other colour as chosen."""
    name = (colour or "yellow").strip().lower()
    if name.startswith(("grey", "gray")):
        return Style(dim=True, bold=True)
    if name in NAMED:
        return theme_style(node, NAMED[name], bold=True)
    try:
        return Style(color=Color.parse(name).rich_color, bold=True)
    except ColorParseError:
        return Style(bold=True)


def component_style(widget: Widget, name: str) -> Style:
    """A component class's style (`.card--meta`) with its colours blended over the widget's
    background, as Textual draws its own widgets: a colour with alpha ($primary 35%,
    $foreground-muted) is mixed into it (a partial rich style drops the alpha, which a light
    theme shows as a dark cursor). Component styles resolve `auto` colours ($text-muted) to
    white, unreadable on a light board: they use $foreground-muted instead."""
    # Kept beside Textual's own component styles, which it forgets on every repaint and style
    # change: a column asks for the same few styles on each of its lines (~0.1 ms each), some
    # 700 times before the board's first frame.
    key = ("studioflow.blended", name)
    cached = widget._rich_style_cache.get(key)
    if cached is None:
        style = _blended(widget, name)
        cached = widget._rich_style_cache[key] = (style, style)
    return cached[0]


def _blended(widget: Widget, name: str) -> Style:
    styles = widget.get_component_styles(name)
    background = widget.background_colors[1]
    bgcolor = color = None
    if styles.has_rule("background"):
        background = background + styles.background
        bgcolor = background.rich_color
    if styles.has_rule("color"):
        text = styles.color
        if text.auto:
            text = background.get_contrast_text(text.a)
        color = (background + text).rich_color
    return Style(color=color, bgcolor=bgcolor) + styles.text_style

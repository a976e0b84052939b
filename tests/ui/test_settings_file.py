"""The settings screen edits the user's config.toml in place, and a bad value in it is a notice."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, Select

from studioflow.app import make_app
from studioflow.screens.settings import SettingsScreen
from studioflow.store import Database

from .test_outbox_screen import SIZE, open_outbox, press

USERS_FILE = """\
# hand written, keep me
[me]
business = "📷 Lens & Co"

[smtp]
host = 1979-05-27T07:32:00Z

[plugins."my tool"]
"quoted key" = "✓"
limit = inf
started = 2026-03-02
"""


async def test_a_date_in_smtp_is_one_line_and_saving_keeps_the_rest_of_the_file(
    demo_db: Database, private_config: Path
) -> None:
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text(USERS_FILE, encoding="utf-8")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        await press(pilot, "comma")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        said = str(screen.query_one("#settings-result").render())
        assert "smtp.host must be a string" in said
        screen.query_one("#smtp-host", Input).value = "smtp.example.com"
        screen.query_one("#smtp-from", Input).value = "jo@example.com"
        screen.query_one("#smtp-security", Select).value = "ssl"
        await press(pilot, "ctrl+s")
        assert "Saved." in str(screen.query_one("#settings-result").render())
        await press(pilot, "ctrl+s")  # and again: the file it wrote reads back
        assert "Saved." in str(screen.query_one("#settings-result").render())
    text = private_config.read_text(encoding="utf-8")
    saved = tomllib.loads(text)
    assert saved["smtp"]["host"] == "smtp.example.com"
    assert saved["me"] == {"business": "📷 Lens & Co"}
    assert saved["plugins"]["my tool"] == {
        "quoted key": "✓",
        "limit": float("inf"),
        "started": tomllib.loads("d = 2026-03-02")["d"],
    }
    assert text.startswith("# hand written, keep me")

"""Snapshot fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from studioflow.app import StudioflowApp


@pytest.fixture(autouse=True)
def no_background_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages stay as the keys left them unless a test asks for delivery (no race with a worker);
    and no live refresh redraws a screen under a test that does not ask for it."""
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", False)
    monkeypatch.setattr(StudioflowApp, "watch_changes", False)


@pytest.fixture(autouse=True)
def no_countdown(private_config: Path) -> None:
    """Messages due at once: a countdown ("sends in 1:59") would change with the second the picture is taken."""
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text("[outbox]\nsend_delay_seconds = 0\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor is drawn or not depending on when the picture is taken (a slow,
    busy machine takes it later): keep every cursor shown, so pictures hold still."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)

"""Snapshot fixtures."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from studioflow.app import StudioflowApp


@pytest.fixture(autouse=True)
def no_background_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages stay as the keys left them unless a test asks for delivery (no race with a worker)."""
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", False)


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor is drawn or not depending on when the picture is taken (a slow,
    busy machine takes it later): keep every cursor shown, so pictures hold still."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)

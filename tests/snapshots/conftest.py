"""Snapshot fixtures."""

from __future__ import annotations

import pytest

from studioflow.app import StudioflowApp


@pytest.fixture(autouse=True)
def no_background_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages stay as the keys left them unless a test asks for delivery (no race with a worker)."""
    monkeypatch.setattr(StudioflowApp, "deliver_in_background", False)

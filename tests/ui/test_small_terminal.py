"""At 80 x 24 the focused field of a dialog stays in view, and the footer keeps ? and q."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from studioflow.app import make_app
from studioflow.screens.dialogs import FormDialog, JobDialog
from studioflow.store import Database
from studioflow.workflow.money import invoices
from tests.ui.test_board import paste, press
from tests.ui.test_job_page import martinez_id, open_job

SMALL = (80, 24)


def in_view(app: Any, widget: Any) -> bool:
    """True when the widget is what the screen shows at the middle of its region."""
    region = widget.region
    if not region.area:
        return False
    try:
        found, _ = app.screen.get_widget_at(region.x + 1, region.y + region.height // 2)
    except Exception:
        return False
    return found is widget or widget in found.ancestors_with_self


async def test_every_field_of_the_invoice_dialog_is_in_view_when_focused(demo_db: Database) -> None:
    job_id = martinez_id(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_job(pilot, demo_db, "invoices")
        await press(pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        fields = list(dialog.query(Input))
        for field in fields:
            assert app.focused is field
            assert in_view(app, field), f"{field.id} is off screen when focused"
            await press(pilot, "tab")
        # Typed into the last fields (taxes, due), the dialog saves what was typed there.
        await press(pilot, *["shift+tab"] * 6)
        await paste(pilot, "Bob Smith")
        await press(pilot, "ctrl+a", "ctrl+k")
        await press(pilot, "tab")
        await paste(pilot, "Second shooter")
        await press(pilot, "tab", "tab")
        await paste(pilot, "100")
        await press(pilot, "tab")
        await paste(pilot, "GST 5; QST 9.975")
        assert in_view(app, dialog.query_one("#form-taxes", Input))
        await press(pilot, "tab")
        assert in_view(app, dialog.query_one("#form-due", Input))
        await press(pilot, "ctrl+s")
        made = invoices.list_invoices(demo_db, job=job_id)[-1]
        assert [t.name for t in made.taxes] == ["GST", "QST"]


async def test_the_job_dialog_fields_stay_in_view(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "n")
        dialog = app.screen
        assert isinstance(dialog, JobDialog)
        seen = set()
        for _ in range(4):  # title, client, the client list, due date
            assert app.focused is not None
            assert in_view(app, app.focused), f"{app.focused.id} is off screen when focused"  # type: ignore[arg-type]
            seen.add(app.focused.id)
            await press(pilot, "tab")
        assert {"job-title", "job-client", "job-due"} <= seen


async def test_the_footer_keeps_help_and_quit_on_every_screen(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        for keys in (["1"], ["2"], ["3"], ["4"], ["5"], ["1", "enter"]):
            await press(pilot, *keys)
            footer_keys = [k for k in app.screen.query(FooterKey) if k.region.area]
            shown = {k.action for k in footer_keys if in_view(app, k)}  # type: ignore[arg-type]
            assert "help" in shown, keys
            assert shown & {"quit", "app.pop_screen"}, keys  # q: quit, or back from a sub-screen


async def test_the_footer_is_composed_again_only_when_its_keys_change(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "j", "l")
        before = list(app.screen.query(FooterKey))
        app.screen.refresh_bindings()  # as a focus change does
        await pilot.resize_terminal(SMALL[0], SMALL[1] + 6)  # taller: the same keys fit
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before  # the very same widgets: nothing composed
        await press(pilot, "slash")  # the filter line has keys of its own
        assert {k.action for k in app.screen.query(FooterKey)} != {k.action for k in before}
        await press(pilot, "escape")
        assert {k.action for k in app.screen.query(FooterKey)} == {k.action for k in before}

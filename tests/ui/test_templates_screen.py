"""Templates from the board (T): the live preview refuses a typo before saving; the DB is asserted."""

from studioflow.app import make_app
from studioflow.store import Database
from studioflow.workflow.automations import templates


async def test_a_typo_shows_in_the_preview_and_is_not_saved_then_a_fix_is(demo_db: Database) -> None:
    before = templates.get_template(demo_db, "Thanks for your inquiry")
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        await pilot.pause()
        names = app.screen.rows  # type: ignore[attr-defined]
        for _ in range(names.index("Thanks for your inquiry")):
            await pilot.press("down")
        await pilot.press("e")
        await pilot.pause()
        subject = app.screen.query_one("#template-subject")
        subject.value = "Hello {{ client.nmae }}"  # type: ignore[attr-defined]
        await pilot.pause()
        preview = str(app.screen.query_one("#template-preview").render())
        assert "Cannot be saved" in preview
        assert "client.nmae" in preview
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert templates.get_template(demo_db, "Thanks for your inquiry") == before
        subject.value = "Hello {{ client.first_name }} from {{ me.name }}"  # type: ignore[attr-defined]
        await pilot.pause()
        preview = str(app.screen.query_one("#template-preview").render())
        # No [me] set: the preview shows what would really go, blank, and says so.
        assert "No value here, sent blank: me.name, me.business" in preview
        assert "Subject: Hello Jonas from \n" in preview
        subject.value = "Hello {{ client.first_name }}"  # type: ignore[attr-defined]
        await pilot.pause()
        preview = str(app.screen.query_one("#template-preview").render())
        assert "Subject: Hello Jonas\n" in preview
        assert "No value here, sent blank: me.name, me.business\n" in preview  # the signature: blank lines
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert templates.get_template(demo_db, "Thanks for your inquiry").subject == "Hello {{ client.first_name }}"


async def test_a_new_text_template_is_made_from_the_list(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("T", "n")
        await pilot.pause()
        await pilot.press(*"text", "enter")
        await pilot.pause()
        await pilot.press(*"Reminder", "enter")
        await pilot.pause()
        app.screen.query_one("#template-body").text = "See you soon, {{ client.first_name }}!"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    made = templates.get_template(demo_db, "Reminder")
    assert (made.channel, made.subject, made.body) == ("sms", "", "See you soon, {{ client.first_name }}!")

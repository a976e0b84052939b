"""Keys the user moved in config.toml's [keys]: pressed on the board, shown by the footer and the help,
and a keymap that names no binding or gives one key twice said in one line, the app still up."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from studioflow.app import make_app
from studioflow.config import load_config
from studioflow.store import Database
from studioflow.widgets.keys import KeyHints

from .test_board import BERG, KIM, at, job, notices, press, problems, steps

SIZE = (120, 35)


def write_config(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def warmed_up(pilot: Pilot[Any]) -> None:
    """Wait for the write path (the keymap is checked once it is loaded, off the first frame)."""
    await pilot.app._writable.wait()  # type: ignore[attr-defined]
    await pilot.pause()


def help_text(pilot: Pilot[Any]) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(pilot.app.screen.query_one("HelpPanel BindingsTable").render())
    return console.export_text()


async def test_L_remapped_to_ctrl_right_moves_the_job_and_the_footer_and_help_say_so(
    demo_db: Database, private_config: Path
) -> None:
    write_config(private_config, '# my keys\n[keys]\n"board.advance" = "ctrl+right"\n')
    app = make_app(demo_db, load_config())
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "L")  # no longer bound: nothing moves
        assert job(demo_db, BERG).stage == "Inquiry"
        await press(pilot, "ctrl+right")
        moved = job(demo_db, BERG)
        assert steps(moved) == [("Inquiry", "completed"), ("Consultation", "active")]
        assert at(app) == (1, BERG)
        footer = {key.action: key.key_display for key in app.screen.query(FooterKey)}
        assert footer["advance"] == "^→"
        await press(pilot, "question_mark")
        shown = help_text(pilot)
        advance = next(line for line in shown.splitlines() if "Advance" in line)
        assert "^→" in advance
        assert not problems(app)


async def test_a_remap_keeps_the_other_key_of_a_binding_when_both_are_given(
    demo_db: Database, private_config: Path
) -> None:
    write_config(private_config, '[keys]\n"board.advance" = "L,ctrl+right"\n')
    app = make_app(demo_db)  # reads config.toml itself when not handed one
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "L")
        assert job(demo_db, BERG).stage == "Consultation"
        await press(pilot, "ctrl+right")
        assert job(demo_db, BERG).stage == "Contract Sent"


async def test_an_unknown_id_and_a_key_clash_are_said_in_one_line_and_the_app_starts(
    demo_db: Database, private_config: Path
) -> None:
    # l is the board's "column right": giving it to advance too is a clash the user made.
    write_config(private_config, '[keys]\n"board.nope" = "x"\n"board.advance" = "l"\n')
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await warmed_up(pilot)
        said = [message for message, severity in notices(app) if severity == "error"]
        assert len(said) == 1
        assert "\n" not in said[0]
        assert "board.nope is not a key binding id" in said[0]
        assert "board.right and board.advance are both l in BoardScreen" in said[0]
        await press(pilot, "j")  # the app is up and answers keys
        assert at(app) == (0, "Harbour House open day")


async def test_keys_that_are_not_text_are_said_and_the_defaults_stay(demo_db: Database, private_config: Path) -> None:
    write_config(private_config, '[keys]\n"board.advance" = 3\n')
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("keys.board.advance must be keys in quotes" in message for message, _ in notices(app))
        await press(pilot, "l", "L")
        assert job(demo_db, KIM).stage == "Contract Sent"


async def test_a_notice_names_the_undo_key_the_user_bound(demo_db: Database, private_config: Path) -> None:
    write_config(private_config, '[keys]\n"board.undo" = "z"\n')
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "a")  # archive the first card
        assert job(demo_db, BERG).archived
        assert any(message.endswith("(z to undo).") for message, _ in notices(app))
        await press(pilot, "z")
        assert not job(demo_db, BERG).archived


async def test_a_dialogs_line_of_keys_names_the_keys_the_user_bound(demo_db: Database, private_config: Path) -> None:
    write_config(private_config, '[keys]\n"statuses.new" = "N"\n"dialog.save" = "ctrl+w"\n')
    app = make_app(demo_db, load_config())
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+t")
        hints = str(app.screen.query_one(KeyHints).render())
        assert "N: new" in hints
        assert "n: new" not in hints
        assert hints.endswith("esc: close")  # the way out last
        await press(pilot, "escape", "4", "e")
        line = app.screen.query_one(KeyHints)
        hints = str(line.render())
        assert "^w: save" in hints
        assert "^s" not in hints
        # Too long for the form, it wraps between keys, never inside one ("esc:" | "cancel").
        drawn = hints.splitlines()
        assert len(drawn) > 1
        assert all(any(item in row for row in drawn) for item in line.items)
        await press(pilot, "ctrl+w")  # the key the line names saves, in a text field that deletes a word with it
        assert type(app.screen).__name__ == "ClientsScreen"


async def test_an_empty_list_names_the_key_the_user_bound_to_fill_it(db: Database, private_config: Path) -> None:
    write_config(private_config, '[keys]\n"statuses.new" = "N"\n')
    app = make_app(db, load_config())
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+t")
        empty = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert empty == "No statuses yet: N makes one."


async def test_keys_typed_into_config_toml_apply_when_the_settings_screen_saves(
    demo_db: Database, private_config: Path
) -> None:
    write_config(private_config, "# mine\n[me]\nname = \"Jo\"\n")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await warmed_up(pilot)
        write_config(private_config, private_config.read_text() + '\n[keys]\n"board.advance" = "ctrl+right"\n')
        await press(pilot, "5", "comma")
        await press(pilot, "ctrl+s")
        assert app.config.keys() == {"board.advance": "ctrl+right"}
        await press(pilot, "escape", "1", "ctrl+right")
        assert job(demo_db, BERG).stage == "Consultation"
    assert private_config.read_text().startswith("# mine")


async def test_the_theme_picked_is_saved_and_used_at_the_next_start(demo_db: Database, private_config: Path) -> None:
    write_config(private_config, "# my settings\n[me]\nname = \"Jo\"  # signs the mail\n")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"  # what picking it in the palette (ctrl+p, Change theme) does
        await pilot.pause()
    text = private_config.read_text()
    assert text.startswith("# my settings")
    assert 'name = "Jo"  # signs the mail' in text
    assert load_config().theme() == "textual-light"
    again = make_app(demo_db, load_config())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


async def test_a_theme_that_does_not_exist_is_said_and_the_app_starts(demo_db: Database, private_config: Path) -> None:
    write_config(private_config, '[ui]\ntheme = "no-such-theme"\n')
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "l")
        assert any("no theme called 'no-such-theme'" in message for message, _ in notices(app))
        assert at(app) == (1, KIM)
    assert load_config().theme() == "no-such-theme"  # the user's file is left as written

"""`studioflow keys`: every binding id, the keys that run it (config.toml's [keys] applied), what it does."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli


def test_keys_lists_every_id_with_the_users_keys(cli: Cli, tmp_path: Path) -> None:
    conf = tmp_path / "my.toml"
    conf.write_text('[keys]\n"board.advance" = "L,ctrl+right"\n', encoding="utf-8")
    env = {"STUDIOFLOW_CONFIG": str(conf)}
    rows = cli("keys", "--json", "--db", tmp_path / "s.db", env=env).json()
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == len(rows)  # each id once
    assert by_id["board.advance"] == {
        "id": "board.advance",
        "keys": "L,ctrl+right",
        "default": "L,shift+right",
        "does": "Advance",
        "where": "BoardScreen",
    }
    assert by_id["app.help"]["keys"] == "question_mark"
    assert {"board.undo", "tasks.toggle", "outbox.release", "settings.save"} <= by_id.keys()
    text = cli("keys", "--db", tmp_path / "s.db", env=env).ok()
    line = next(line for line in text.splitlines() if line.startswith("board.advance "))
    assert line.split()[:4] == ["board.advance", "L,ctrl+right", "L,shift+right", "Advance"]


def test_keys_with_a_broken_keys_table_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    conf = tmp_path / "my.toml"
    conf.write_text('[keys]\n"board.advance" = 3\n', encoding="utf-8")
    done = cli("keys", "--db", tmp_path / "s.db", env={"STUDIOFLOW_CONFIG": str(conf)})
    assert done.code == 2
    assert done.out == ""
    assert done.err.count("\n") == 1
    assert "keys.board.advance must be keys in quotes" in done.err

"""The command line on a PostgreSQL studio: what only a server can do wrong, told in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg

from studioflow.store import open_database
from studioflow.store.db import schema_version
from tests.cli.conftest import Cli


def test_a_database_of_a_newer_studioflow_is_refused_by_the_cli_in_one_line(postgres_url: str, cli: Cli) -> None:
    open_database(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE studioflow_schema SET version = version + 1")
    result = cli("job", "list", "--db", postgres_url)
    assert result.code == 2
    assert result.err == (
        f"studioflow: cannot open {postgres_url}: it was written by a newer studioflow (schema {schema_version() + 1},"
        f" this one knows up to {schema_version()}); upgrade studioflow to open it\n"
    )


def test_an_unreachable_server_is_one_line(cli: Cli) -> None:
    result = cli("job", "list", "--db", "postgresql://nobody@127.0.0.1:9/nowhere")
    assert result.code == 2
    assert result.err.startswith("studioflow: cannot open postgresql://nobody@127.0.0.1:9/nowhere: ")
    assert result.err.count("\n") == 1


def test_a_demo_studio_moved_to_postgresql_and_back_exports_the_same_json(
    cli: Cli, demo_template: Path, postgres_url: str, tmp_path: Path
) -> None:
    studio = tmp_path / "studio.db"
    shutil.copyfile(demo_template, studio)
    assert cli("job", "advance", "1", "--db", studio).code == 0  # a visit, an automation run, a held text
    moved = cli("transfer", "--to", postgres_url, "--db", studio).ok()
    assert moved.endswith(f"copied to {postgres_url}; both export the same JSON\n")
    back = tmp_path / "back.db"
    cli("transfer", "--to", back, "--db", postgres_url).ok()
    exports = [tmp_path / f"{name}.json" for name in ("sqlite", "postgresql", "back")]
    for source, target in zip((studio, postgres_url, back), exports, strict=True):
        cli("export", target, "--db", source).ok()
    assert exports[0].read_bytes() == exports[1].read_bytes() == exports[2].read_bytes()
    # The copy is a working studio: its next ids follow the copied ones, and it moves jobs.
    made = cli("job", "add", "After the move", "--pipeline", "Leads", "--json", "--db", postgres_url)
    assert made.code == 0  # its first stage texts the client it has not got: held, and said on stderr
    added = json.loads(made.out)
    assert added["id"] > max(job["id"] for job in cli("job", "list", "--json", "--db", studio).json())
    assert cli("job", "advance", str(added["id"]), "--db", postgres_url).code == 0


def test_transfer_refuses_a_studio_that_has_data_and_leaves_it_as_it_was(
    cli: Cli, demo_db: Path | str, tmp_path: Path
) -> None:
    target = tmp_path / "busy.db"
    cli("client", "add", "Already here", "--db", target).ok()
    before = target.read_bytes()
    result = cli("transfer", "--to", target, "--db", demo_db)
    assert result.code == 2
    assert result.err == f"studioflow: {target} already has data (client); import into a new, empty database\n"
    assert target.read_bytes() == before


def test_the_store_url_in_config_toml_names_the_studio_when_no_db_is_given(
    cli: Cli, postgres_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    env = {"STUDIOFLOW_CONFIG": str(config)}
    config.write_text(f'[store]\nurl = "{postgres_url}"\n', encoding="utf-8")
    cli("client", "add", "Ada Lovelace", env=env).ok()
    assert [c["name"] for c in cli("client", "list", "--json", env=env).json()] == ["Ada Lovelace"]
    with psycopg.connect(postgres_url) as conn:  # in that database, not in a file of the data dir
        assert conn.execute("SELECT name FROM client").fetchall() == [("Ada Lovelace",)]

    config.write_text(f'[store]\nurl = "{postgres_url}"\npassword_command = "false"\n', encoding="utf-8")
    refused = cli("client", "list", env=env)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == "studioflow: [store] password_command failed (exit 1): no message\n"

    config.write_text('[store]\nadress = "postgresql://x/y"\n', encoding="utf-8")
    refused = cli("client", "list", env=env)
    assert refused.code == 2
    assert refused.err == f"studioflow: {config}: unknown key store.adress (known: url, password_command)\n"

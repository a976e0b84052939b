"""The command line on a PostgreSQL studio: what only a server can do wrong, told in one line."""

from __future__ import annotations

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

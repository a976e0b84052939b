"""Whole files in and out: `studioflow csv …`, `export`, `import` and `backup`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from studioflow.cli.frame import Leaf, Section
from studioflow.cli.params import FILE, OneOf
from studioflow.cli.services import spreadsheet, transfer
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.choices import CSV_EXPORTS, CSV_FIELDS

csv = Section("csv", help="spreadsheets: export any records to CSV; import clients and jobs from CSV")


@csv.command("export", help="write every record of a kind to a CSV file")
@click.argument("kind", type=OneOf(CSV_EXPORTS))
@click.argument("file", type=FILE)
def export_csv(db: Database, kind: str, file: Path) -> str:
    text, count = spreadsheet.export(db, kind)
    transfer.write_file(db, file, text.encode("utf-8"))  # the one rule for files a command writes
    return f"{count} {kind} written to {file}"


@csv.command("import", help="read clients or jobs from a CSV file: a dry run unless --apply (then all or nothing)")
@click.argument("kind", type=OneOf(tuple(CSV_FIELDS)))
@click.argument("file", type=FILE)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="HEADER=FIELD",
    help="read a column as a field, e.g. 'Full name=name' (fields: clients: "
    + ", ".join(CSV_FIELDS["clients"])
    + "; jobs: "
    + ", ".join(CSV_FIELDS["jobs"])
    + ")",
)
@click.option("--apply", "for_real", is_flag=True, help="import for real (every row, or none if one is refused)")
def import_csv(db: Database, kind: str, file: Path, mapping: tuple[str, ...], for_real: bool) -> str:
    text = read_text(file, "utf-8-sig", " (save the sheet as CSV UTF-8)")  # -sig: Excel's byte-order mark
    columns = spreadsheet.parse_mapping(mapping)
    done = (spreadsheet.apply if for_real else spreadsheet.plan)(db, kind, text, columns)
    lines = ["columns: " + ", ".join(f"{h} -> {f}" for h, f in done.columns.items())]
    if done.ignored:
        lines.append("ignored columns: " + ", ".join(done.ignored))
    lines += [f"  + {made}" for made in done.made[: spreadsheet.MAX_SHOWN]]
    if len(done.made) > spreadsheet.MAX_SHOWN:
        lines.append(f"  ... and {len(done.made) - spreadsheet.MAX_SHOWN} more")
    lines += [f"  refused, line {line}: {why}" for line, why in done.refused[: spreadsheet.MAX_SHOWN]]
    lines.append(done.summary() + ("" if for_real else " (dry run: nothing written; --apply imports)"))
    return "\n".join(lines)


def read_text(name: str | Path, encoding: str = "utf-8", hint: str = "") -> str:
    """A text file a command reads; one that cannot be read, or is not text, is one line."""
    try:
        return Path(name).expanduser().read_text(encoding=encoding)
    except OSError as exc:
        raise StudioflowError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudioflowError(f"{name} is not UTF-8 text{hint}") from None


def _progress(verb: str) -> Callable[[str, int, int], None] | None:
    """Progress on stderr for a person watching (a terminal); scripts get a quiet stderr."""
    if not sys.stderr.isatty():
        return None

    def show(table: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r\033[K{verb}: {done}/{total} tables {table}", end=end, file=sys.stderr, flush=True)

    return show


@click.command("export", cls=Leaf, help="write the whole database to a JSON file")
@click.argument("file", type=FILE)
def export(db: Database, file: Path) -> str:
    counts = transfer.export_json(db, file, _progress("exporting"))
    return f"{sum(counts.values())} rows of {len(counts)} tables written to {file}"


@click.command("import", cls=Leaf, help="load a JSON export into a new, empty database")
@click.argument("file", type=FILE)
def import_(db: Database, file: Path) -> str:
    counts = transfer.import_json(db, file, _progress("importing"))
    return f"{sum(counts.values())} rows of {len(counts)} tables imported from {file}"


@click.command("transfer", cls=Leaf, help="copy the whole studio into a new, empty database: a file or postgresql://…")
@click.option("--to", "target", required=True, metavar="FILE|URL", help="where to copy it (ids kept; checked after)")
def transfer_(db: Database, target: str) -> str:
    from studioflow.config import db_path, load_config

    where, counts = transfer.copy_to(db, db_path(target), load_config().store()[1], _progress("copying"))
    return f"{sum(counts.values())} rows of {len(counts)} tables copied to {where}; both export the same JSON"


@click.command("backup", cls=Leaf, help="copy the database safely, even while the app runs")
@click.argument("file", type=FILE)
@click.option("--force", is_flag=True, help="replace the file if it exists")
def backup(db: Database, file: Path, force: bool) -> str:
    return f"backup written to {transfer.backup(db, file, overwrite=force)}"

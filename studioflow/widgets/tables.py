"""A table of records that keeps its place: each row keyed by its record's id, the cursor left on
the same record when the table is filled again (after a change, a search, an undo)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.widgets import DataTable


def highlighted_key(table: DataTable[object]) -> str | None:
    """The key of the row under the cursor; None when the table is empty."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def highlighted_id(table: DataTable[object]) -> int | None:
    """The id of the record under the cursor (rows are keyed by id); None when the table is empty."""
    key = highlighted_key(table)
    return None if key is None else int(key)


def refill(table: DataTable[object], rows: Iterable[tuple[str, Sequence[object]]], keep: str | None = None) -> None:
    """Show `rows`, each (key, cells), in place of what the table held. The cursor stays on the
    record it was on (or on `keep`, given), and where that is gone, on the row where it stood."""
    kept = highlighted_key(table) if keep is None else keep
    row = table.cursor_row
    table.clear()
    keys = []
    for key, cells in rows:
        table.add_row(*cells, key=key)
        keys.append(key)
    if keys:
        table.move_cursor(row=keys.index(kept) if kept in keys else min(row, len(keys) - 1))

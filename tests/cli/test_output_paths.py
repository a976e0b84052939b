"""One rule for every command that writes a file: never over the database or its companions."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from studioflow.cli import main

WRITERS = {
    "export": ["export"],
    "invoice csv": ["invoice", "csv"],
    "event ics": ["event", "ics"],
    "mileage csv": ["mileage", "csv"],
    "backup": ["backup", "--force"],
}
# The database's own files, as names beside it.
PROTECTED = ["{db}", "{db}-wal", "{db}-shm", "{db}-journal", "{db}.v1-backup", "{db}.delivery-lock"]


def digest(folder: Path) -> dict[str, str]:
    """The files a command must leave as they are (SQLite itself manages the -wal, -shm and -journal)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))
    }


@pytest.fixture
def studio(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "studio"
    folder.mkdir()
    path = folder / "studioflow.db"
    shutil.copyfile(demo_template, path)
    for name in PROTECTED[-2:]:  # a migration backup and the delivery lock, as a live system has them
        (folder / name.format(db=path.name)).write_bytes(b"precious")
    return path


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("name", PROTECTED)
def test_no_command_writes_over_the_database_or_its_files(
    command: str, name: str, studio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(studio.parent)
    target = studio.parent / name.format(db=studio.name)
    code = main([*WRITERS[command], str(target), "--db", str(studio)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1
    assert "refusing to write" in err
    assert digest(studio.parent) == before


@pytest.mark.parametrize("command", WRITERS)
def test_a_symlink_or_a_relative_path_to_the_database_is_refused_too(
    command: str, studio: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digest(studio.parent)
    link = studio.parent.parent / "innocent.json"
    link.symlink_to(studio)
    assert main([*WRITERS[command], str(link), "--db", str(studio)]) == 2
    monkeypatch.chdir(studio.parent)
    assert main([*WRITERS[command], f"../studio/./{studio.name}-wal", "--db", str(studio)]) == 2
    os.link(studio, studio.parent.parent / "hard.db")
    assert main([*WRITERS[command], str(studio.parent.parent / "hard.db"), "--db", str(studio)]) == 2
    assert "refusing to write" in capsys.readouterr().err
    assert digest(studio.parent) == before


@pytest.mark.parametrize("command", WRITERS)
def test_an_ordinary_file_is_written_whole(command: str, studio: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = studio.parent / "out.file"
    assert main([*WRITERS[command], str(target), "--db", str(studio)]) == 0, capsys.readouterr().err
    assert target.stat().st_size > 0
    assert [p.name for p in studio.parent.iterdir() if p.name.startswith(".")] == []  # no temporary left

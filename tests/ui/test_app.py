"""The TUI opens on the database it is given and shows what the services say is there."""

from pathlib import Path

from textual.widgets import DataTable

from studioflow.app import make_app
from studioflow.store import open_database
from studioflow.workflow import demo


async def test_app_lists_every_stage_with_its_job_count(tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    demo.write_demo(db)
    app = make_app(db)
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert ["Wedding Photography", "Inquiry", "2"] in [list(map(str, r)) for r in rows]
        assert table.row_count == sum(len(s) for s in demo.PIPELINES.values())
        await pilot.press("q")
    assert app.return_code == 0
    db.close()


async def test_app_on_an_empty_database_says_how_to_start(tmp_path: Path) -> None:
    db = open_database(tmp_path / "studioflow.db")
    app = make_app(db)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.query_one(DataTable).row_count == 0
        assert any("studioflow demo" in str(n.message) for n in app._notifications)
    db.close()

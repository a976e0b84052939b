"""A board drawn before the card moved elsewhere (another machine on a shared database, another
window on the same file): a move key refuses in one line, moves nothing and redraws the board."""

from __future__ import annotations

from studioflow.app import make_app
from studioflow.store import Database, open_database
from studioflow.workflow.jobs import jobs, tracking
from tests.ui.test_board import BERG, SIZE, at, job, notices, press, steps


async def test_L_on_a_card_moved_since_by_another_machine_refuses_and_redraws(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert at(app) == (0, BERG)  # in Inquiry, as drawn
        other = open_database(demo_db.target)  # the other machine
        try:
            jobs.move_to(other, BERG, "Contract Sent")
        finally:
            other.close()

        await press(pilot, "L")

        moved = job(demo_db, BERG)
        assert moved.stage == "Contract Sent"  # where the other machine put it: not advanced from there
        assert steps(moved)[-1] == ("Contract Sent", "active")
        warned = [m for m, severity in notices(app) if severity == "warning"]
        assert warned == [f"{tracking.MOVED_ELSEWHERE}: the card is now in Contract Sent; the board is redrawn"]
        assert at(app) == (2, BERG)  # the redrawn board shows it where it is, focused

        await press(pilot, "L")  # from what the board now shows, the move is made
        assert job(demo_db, BERG).stage == "Engagement Session"

"""Board benchmark: launch time, move latency and memory, for 100 / 10,000 / 100,000 jobs
and for a pipeline of 10,000 invoices.

    python bench/board.py            # prints a table of figures and the launch ratio
    python bench/board.py --pg       # the same, on a private PostgreSQL server (or --db URL)

Launch is measured in a fresh process each time (interpreter start, imports, opening
the database, first frame with cards drawn), headless. A move is the time from the
`L` keypress until the target column has drawn the moved card (the key goes through
Textual's headless driver, as a real one would).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

LAUNCH_RUNS = 5
MOVES = 20


def child_launch(db_target: str, started: float, moves: int) -> None:
    """Runs in a fresh process: open the board headless and report timings as JSON."""
    from studioflow.app import make_app
    from studioflow.store import open_database
    from studioflow.store.db import is_url
    from studioflow.widgets.board.column import CardColumn

    first_card: list[float] = []
    # A move is done when the target column draws the moved card: (stage id, title) to
    # look for, and the time it was first seen.
    watch: dict[str, object] = {}
    draw = CardColumn.render_line

    def timed_render_line(self: CardColumn, y: int):  # type: ignore[no-untyped-def]
        strip = draw(self, y)
        text = strip.text.strip()
        if not first_card and self.count and text:
            first_card.append(time.time())
        if watch.get("stage") == self.stage_id and text == watch.get("title") and "seen" not in watch:
            watch["seen"] = time.perf_counter()
        return strip

    CardColumn.render_line = timed_render_line  # type: ignore[method-assign]

    async def run() -> dict[str, object]:
        db = open_database(db_target if is_url(db_target) else Path(db_target))
        app = make_app(db)
        move_times: list[float] = []
        async with app.run_test(size=(160, 40)) as pilot:
            while not first_card:
                await asyncio.sleep(0.001)
            launch = first_card[0] - started
            screen = app.screen
            for _ in range(moves):
                card = screen.focused_card()  # type: ignore[attr-defined]
                columns = list(screen.query(CardColumn))
                watch.clear()
                watch.update(stage=columns[screen.column_index + 1].stage_id, title=card.title)  # type: ignore[attr-defined]
                t0 = time.perf_counter()
                await pilot.press("L")
                while "seen" not in watch:
                    await asyncio.sleep(0.001)
                move_times.append(float(watch["seen"]) - t0)  # type: ignore[arg-type]
                await pilot.press("h")  # back to the first column for the next move
                await pilot.pause()
        db.close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"launch": launch, "moves": move_times, "rss_mb": rss_mb}

    print(json.dumps(asyncio.run(run())))


def main(url: str | None) -> None:
    from child import measure
    from pg import place
    from seed import seed, seed_invoices

    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for jobs in (100, 10_000, 100_000):
            t0 = time.perf_counter()
            path = place(url, Path(tmp) / f"bench-{jobs}.db", lambda p, n=jobs: seed(p, n))
            print(f"seeded {jobs:,} jobs in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
            launches, rss = [], 0.0
            move_times: list[float] = []
            for run in range(LAUNCH_RUNS if jobs < 100_000 else 1):
                figures = measure(__file__, path, MOVES if run == 0 and jobs == 10_000 else 0)
                launches.append(float(figures["launch"]))  # type: ignore[arg-type]
                move_times += figures["moves"]  # type: ignore[operator]
                rss = max(rss, float(figures["rss_mb"]))  # type: ignore[arg-type]
            results[jobs] = {
                "launch_s": statistics.median(launches),
                "move_ms": statistics.median(move_times) * 1000 if move_times else float("nan"),
                "move_max_ms": max(move_times) * 1000 if move_times else float("nan"),
                "rss_mb": rss,
            }
        # A pipeline of 10,000 invoices: the same launch, move and memory targets as for jobs.
        path = place(url, Path(tmp) / "bench-invoices.db", lambda p: seed_invoices(p, 10_000))
        launches, rss, move_times = [], 0.0, []
        for run in range(LAUNCH_RUNS):
            figures = measure(__file__, path, MOVES if run == 0 else 0)
            launches.append(float(figures["launch"]))  # type: ignore[arg-type]
            move_times += figures["moves"]  # type: ignore[operator]
            rss = max(rss, float(figures["rss_mb"]))  # type: ignore[arg-type]
        invoice_row = {
            "launch_s": statistics.median(launches),
            "move_ms": statistics.median(move_times) * 1000,
            "move_max_ms": max(move_times) * 1000,
            "rss_mb": rss,
        }
    if url is not None:
        from studioflow.store.postgres import redact  # not at the top: the launched child must not load psycopg

        print(f"on PostgreSQL ({redact(url)})")
    print(f"{'cards':>15}  {'launch (median)':>16}  {'move (median)':>14}  {'move (max)':>11}  {'peak RSS':>9}")
    rows = [(f"{jobs:,} jobs", r) for jobs, r in results.items()] + [("10,000 invoices", invoice_row)]
    for name, r in rows:
        print(
            f"{name:>15}  {r['launch_s']:>15.3f}s  {r['move_ms']:>12.1f}ms  {r['move_max_ms']:>9.1f}ms"
            f"  {r['rss_mb']:>6.0f} MB"
        )
    ratio = results[10_000]["launch_s"] / results[100]["launch_s"]
    print(f"launch ratio 10,000 / 100 jobs: {ratio:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_launch(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        import pg

        parser = argparse.ArgumentParser(
            description=__doc__.split("\n\n")[0], epilog=pg.HELP, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        pg.add_arguments(parser)
        with pg.target(parser.parse_args()) as url:
            main(url)

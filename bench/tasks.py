"""Tasks screen benchmark: launch to a drawn list, and check-off latency, for 100 and 10,000 tasks.

    python bench/tasks.py            # prints a table of figures

Launch is measured in a fresh process each time (interpreter start, imports, opening the
database, pressing `2`, the Today view read and its first task row drawn), headless.
"All open" is the time from the `a` keypress until the view of every open task is drawn.
A check-off is the time from the space keypress until the row is drawn again, struck
through (the key goes through Textual's headless driver, as a real one would).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

LAUNCH_RUNS = 5
CHECK_OFFS = 20
TARGET_CHECK_OFF_MS = 30


def seed_tasks(path: Path, count: int) -> None:
    """`count` open tasks over count/10 jobs and 20 projects, due from 10 days ago to 20 ahead."""
    from studioflow.store import open_database
    from studioflow.workflow.jobs import pipelines

    db = open_database(path)
    pipeline = pipelines.create_pipeline(db, "Bench", ["Only stage"])
    db.close()
    stage_id = pipeline.stages[0].id
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    today = date.today()
    jobs = max(count // 10, 1)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO job (id, title, pipeline_id, stage_id, position, archived, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            [(n, f"Job {n}", pipeline.id, stage_id, n, now, now) for n in range(1, jobs + 1)],
        )
        conn.executemany(
            "INSERT INTO stage_visit (job_id, stage_id, stage_name, state, entered_at)"
            " VALUES (?, ?, 'Only stage', 'active', ?)",
            [(n, stage_id, now) for n in range(1, jobs + 1)],
        )
        conn.executemany(
            "INSERT INTO project (id, name, archived, created_at) VALUES (?, ?, 0, ?)",
            [(n, f"Project {n}", now) for n in range(1, 21)],
        )
        conn.executemany(
            "INSERT INTO task (title, job_id, project_id, due_on, priority, notes, position, created_at)"
            " VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            [
                (
                    f"Task {n}",
                    n % jobs + 1 if n % 5 else None,
                    None if n % 5 else n % 20 + 1,
                    (today + timedelta(days=n % 31 - 10)).isoformat(),
                    n % 4,
                    n,
                    now,
                )
                for n in range(1, count + 1)
            ],
        )
    conn.close()


def child(db_path: str, started: float, check_offs: int) -> None:
    """Runs in a fresh process: open the Tasks screen headless and report timings as JSON."""
    from studioflow.app import make_app
    from studioflow.store import open_database
    from studioflow.widgets.tasks.task_list import TaskList

    seen: dict[str, float] = {}
    watch: dict[str, object] = {}
    draw = TaskList.render_line

    def timed_render_line(self: TaskList, y: int):  # type: ignore[no-untyped-def]
        strip = draw(self, y)
        text = strip.text
        if "first" not in seen and "[ ]" in text:
            seen["first"] = time.time()
        if "all_open" in watch and "all" not in seen and len(self.task_lines) >= int(watch["all_open"]):  # type: ignore[call-overload]
            seen["all"] = time.perf_counter()
        title = watch.get("title")
        if title and f"[x] {title} " in text and "done" not in seen:
            seen["done"] = time.perf_counter()
        return strip

    TaskList.render_line = timed_render_line  # type: ignore[method-assign]

    async def run() -> dict[str, object]:
        from studioflow.workflow.tasks import tasks

        db = open_database(Path(db_path))
        app = make_app(db)
        times: list[float] = []
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.press("2")
            while "first" not in seen:
                await asyncio.sleep(0.001)
            launch = seen["first"] - started
            all_open = float("nan")
            if check_offs:
                watch["all_open"] = tasks.task_list(db, "open").count
                t0 = time.perf_counter()
                await pilot.press("a")
                while "all" not in seen:
                    await asyncio.sleep(0.001)
                all_open = seen["all"] - t0
                listing = app.screen.query_one(TaskList)
                for _ in range(check_offs):
                    task = listing.current()
                    assert task is not None
                    assert not task.done
                    watch["title"] = task.title
                    seen.pop("done", None)
                    t0 = time.perf_counter()
                    await pilot.press("space")
                    while "done" not in seen:
                        await asyncio.sleep(0.001)
                    times.append(seen["done"] - t0)
                    watch.pop("title")
                    await pilot.press("j")
                    await pilot.pause()
        db.close()
        return {"launch": launch, "all_open": all_open, "check_offs": times}

    print(json.dumps(asyncio.run(run())))


def main() -> None:
    from child import measure

    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (100, 10_000):
            path = Path(tmp) / f"tasks-{count}.db"
            seed_tasks(path, count)
            launches: list[float] = []
            checks: list[float] = []
            all_open = float("nan")
            for run in range(LAUNCH_RUNS):
                figures = measure(__file__, path, CHECK_OFFS if run == 0 else 0)
                launches.append(float(figures["launch"]))  # type: ignore[arg-type]
                if run == 0:
                    checks = [float(t) for t in figures["check_offs"]]  # type: ignore[attr-defined]
                    all_open = float(figures["all_open"])  # type: ignore[arg-type]
            results[count] = {
                "launch_s": statistics.median(launches),
                "all_open_ms": all_open * 1000,
                "check_ms": statistics.median(checks) * 1000,
                "check_max_ms": max(checks) * 1000,
            }
    print(f"{'tasks':>8}  {'launch to list':>15}  {'All open view':>14}  {'check-off (median)':>19}  {'(max)':>8}")
    for count, r in results.items():
        print(
            f"{count:>8,}  {r['launch_s']:>14.3f}s  {r['all_open_ms']:>12.1f}ms  {r['check_ms']:>17.1f}ms"
            f"  {r['check_max_ms']:>6.1f}ms"
        )
    worst = max(r["check_ms"] for r in results.values())
    print(f"check-off median, worst case: {worst:.1f} ms (target <= {TARGET_CHECK_OFF_MS} ms)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        main()

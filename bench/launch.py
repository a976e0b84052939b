"""Start-up benchmark: how fast the board and the CLI open, each against its floor.

    python bench/launch.py            # prints the table (wall and CPU, ratios to the floors)

Every figure is a fresh process (interpreter start and cold imports, as a user starts
them), and each is measured in rounds interleaved with its floor, so the ratios hold on
a shared, noisy machine even when the absolute times do not:

- board: launch (`studioflow --db FILE`, headless) until a column has drawn a card,
  against the smallest Textual app (a Static and a Footer) until its Static has drawn;
- CLI reads and writes, against `python -c pass`;
- `L` pressed 0.5 s after the first frame, until the target column draws the card;
- `L` pressed the moment the first frame shows: the database must then hold exactly
  one move of that job.

textual-speedups (0.2.1, Rust geometry types) was tried once and not kept: board launch
at 10,000 jobs, 6 rounds interleaved on/off, CPU 0.686 s on vs 0.689 s off (bare app
0.354 s both), ratio to the bare app 1.94x vs 1.95x: no gain worth a compiled dependency.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROUNDS = int(os.environ.get("LAUNCH_ROUNDS", "7"))
SIZE = (160, 40)
CLI = str(Path(sys.executable).with_name("studioflow"))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _headless(app_class: Any) -> None:
    """Make `app.run()` headless at a fixed size, as the benchmark's terminal."""
    run = app_class.run

    def headless_run(self: Any, **_: Any) -> Any:
        return run(self, headless=True, size=SIZE)

    app_class.run = headless_run


def child_bare(started: float) -> None:
    """The floor: the smallest Textual app, until its Static has drawn."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    figures: dict[str, float] = {}

    class Drawn(Static):
        def render_line(self, y: int) -> Any:
            strip = super().render_line(y)
            if not figures and strip.text.strip():
                figures.update(wall=time.time() - started, cpu=_cpu())
                self.app.call_later(self.app.exit)
            return strip

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Drawn("studioflow")
            yield Footer()

    _headless(App)
    Bare().run()
    print(json.dumps(figures))


def child_board(db_path: str, started: float) -> None:
    """The board as a user opens it (the console script's entry), until a card is drawn."""
    import importlib

    entry = importlib.import_module("studioflow.__main__")  # first, as the console script: it pauses the collector
    from textual.app import App

    from studioflow.widgets.board.column import CardColumn

    figures: dict[str, float] = {}
    draw = CardColumn.render_line

    def timed_render_line(self: CardColumn, y: int) -> Any:
        strip = draw(self, y)
        if not figures and self.count and strip.text.strip():
            figures.update(wall=time.time() - started, cpu=_cpu())
            self.app.call_later(self.app.exit)
        return strip

    CardColumn.render_line = timed_render_line  # type: ignore[method-assign]
    _headless(App)
    sys.argv = ["studioflow", "--db", db_path]
    entry.run()
    print(json.dumps(figures))


def child_press(db_path: str, delay: float) -> None:
    """Press `L` `delay` seconds after the first frame; time until the target column draws
    the card, and count the moves the database then holds for that job."""
    from studioflow import process

    process.pause_while_loading()  # as the console script does
    from studioflow.app import make_app
    from studioflow.store import open_database
    from studioflow.widgets.board.column import CardColumn

    first: list[float] = []
    watch: dict[str, Any] = {}
    draw = CardColumn.render_line

    def timed_render_line(self: CardColumn, y: int) -> Any:
        strip = draw(self, y)
        text = strip.text.strip()
        if not first and self.count and text:
            first.append(time.perf_counter())
        if watch.get("stage") == self.stage_id and text == watch.get("title") and "seen" not in watch:
            watch["seen"] = time.perf_counter()
        return strip

    CardColumn.render_line = timed_render_line  # type: ignore[method-assign]

    async def run() -> dict[str, Any]:
        db = open_database(Path(db_path))
        app = make_app(db)
        process.collect_from_here()
        async with app.run_test(size=SIZE) as pilot:
            while not first:
                await asyncio.sleep(0.001)
            await asyncio.sleep(delay)
            screen: Any = app.screen
            card = screen.focused_card()
            columns = list(screen.query(CardColumn))
            watch.update(stage=columns[screen.column_index + 1].stage_id, title=card.title)
            t0 = time.perf_counter()
            await pilot.press("L")
            deadline = t0 + 20
            while "seen" not in watch and time.perf_counter() < deadline:
                await asyncio.sleep(0.001)
            seen = float(watch.get("seen", float("nan"))) - t0
            await asyncio.sleep(0.5)  # anything still to come (a key run twice) comes now
        db.close()
        conn = sqlite3.connect(db_path)
        visits = conn.execute("SELECT count(*) FROM stage_visit WHERE job_id = ?", (card.id,)).fetchone()[0]
        conn.close()
        return {"ms": seen * 1000, "moves": visits - 1}

    print(json.dumps(asyncio.run(run())))


def _child(*args: str) -> dict[str, Any]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, __file__, *args, repr(started)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _command(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU of one command, from the parent (the whole process, start to exit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}


def _prepare(tmp: Path) -> tuple[Path, Path, dict[str, str]]:
    import compileall

    from seed import seed

    import studioflow

    # Byte-compiled, as pip leaves an installed package (PYTHONDONTWRITEBYTECODE would
    # otherwise have every launch compile studioflow's modules from source).
    compileall.compile_dir(Path(studioflow.__file__).parent, quiet=1)

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data")}
    paths = []
    for jobs in (10_000, 100_000):
        path = tmp / f"launch-{jobs}.db"
        t0 = time.perf_counter()
        seed(path, jobs)
        print(f"seeded {jobs:,} jobs in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        paths.append(path)
    small = str(paths[0])
    # Writes with automations: entering Stage 2 makes two tasks and queues an email.
    for argv in (
        ["template", "add", "Hello", "--channel", "email", "--subject", "Hi {{ client.first_name }}", "--body", "On"],
        ["savedtasks", "add", "Prep", "--item", "Call +1", "--item", "Book +2"],
        ["automation", "add", "Bench", "Stage 2", "--on", "enter", "--action", "create_tasks", "--list", "Prep"],
        ["automation", "add", "Bench", "Stage 2", "--on", "enter", "--action", "send_email", "--template", "Hello"],
    ):
        subprocess.run([CLI, *argv, "--db", small], check=True, capture_output=True, env=env)
    return paths[0], paths[1], env


Row = tuple[str, str, dict[str, list[float]], dict[str, list[float]], float]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        small, large, env = _prepare(tmp)
        figures: dict[str, dict[str, list[float]]] = {}

        def add(name: str, result: dict[str, float]) -> None:
            for key, value in result.items():
                figures.setdefault(name, {}).setdefault(key, []).append(value)

        python_pass = [sys.executable, "-c", "pass"]
        jobs_in_stage_1 = iter(range(8, 10_001, 8))  # seeded jobs n with n % 8 == 0 stand in Stage 1
        tasks_open = iter(range(1, 1001))
        press_moves: list[int] = []
        for round_ in range(ROUNDS):
            print(f"round {round_ + 1}/{ROUNDS}", file=sys.stderr)
            add("bare", _child("--bare"))
            add("board 10k", _child("--board", str(small)))
            add("bare", _child("--bare"))
            add("board 100k", _child("--board", str(large)))
            for name, argv in (
                ("pass", python_pass),
                ("--help", [CLI, "--help"]),
                ("pass", python_pass),
                ("task list", [CLI, "task", "list", "--db", str(small)]),
                ("pass", python_pass),
                ("job list --json", [CLI, "job", "list", "--json", "--db", str(small)]),
                ("pass", python_pass),
                ("task done N", [CLI, "task", "done", str(next(tasks_open)), "--db", str(small)]),
                ("pass", python_pass),
                ("job advance N", [CLI, "job", "advance", str(next(jobs_in_stage_1)), "--db", str(small)]),
            ):
                add(name, _command(argv, env))
            if round_ < 3:
                add("L after 0.5 s", _child("--press", str(small), "0.5"))
                press = _child("--press", str(small), "0")
                add("L at first frame", {"ms": press["ms"]})
                press_moves.append(int(press["moves"]))
    _report(figures, press_moves)


def _report(figures: dict[str, dict[str, list[float]]], press_moves: list[int]) -> None:
    med = {name: {key: statistics.median(values) for key, values in f.items()} for name, f in figures.items()}
    print(f"{'what':<24} {'wall':>8} {'cpu':>8}  {'floor':<16} {'wall x':>7} {'cpu x':>7}  target")
    rows = [
        ("board 10k", "bare", 1.3),
        ("board 100k", "bare", 1.5),
        ("--help", "pass", 4),
        ("task list", "pass", 4),
        ("job list --json", "pass", 4),
        ("task done N", "pass", 10),
        ("job advance N", "pass", 10),
    ]
    print(f"{'bare Textual app':<24} {med['bare']['wall']:>7.3f}s {med['bare']['cpu']:>7.3f}s")
    print(f"{'python -c pass':<24} {med['pass']['wall']:>7.3f}s {med['pass']['cpu']:>7.3f}s")
    for name, floor, target in rows:
        f, base = med[name], med[floor]
        ratio = f["wall"] / base["wall"]
        print(
            f"{name:<24} {f['wall']:>7.3f}s {f['cpu']:>7.3f}s  {floor:<16} {ratio:>6.2f}x "
            f"{f['cpu'] / base['cpu']:>6.2f}x  <= {target}x {'ok' if ratio <= target else 'MISSED'}"
        )
    late = figures["L after 0.5 s"]["ms"]
    print(f"{'L 0.5 s after 1st frame':<24} {statistics.median(late):>6.0f}ms (max {max(late):.0f}ms)  <= 100 ms")
    early = figures["L at first frame"]["ms"]
    print(
        f"{'L at the first frame':<24} {statistics.median(early):>6.0f}ms  moves per press: {press_moves}"
        f"  {'ok' if all(m == 1 for m in press_moves) else 'MISSED'} (exactly 1)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        child_bare(float(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--board":
        child_board(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--press":
        child_press(sys.argv[2], float(sys.argv[3]))
    else:
        main()

"""Running a benchmark's measuring half in a fresh process (cold imports, as a user starts the app)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def measure(script: str, db_path: Path | str, count: int) -> dict[str, object]:
    """Run `script --child DB STARTED COUNT` (DB: a file or a URL); the figures are the JSON on its
    last line of output."""
    started = time.time()
    out = subprocess.run(
        [sys.executable, script, "--child", str(db_path), repr(started), str(count)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])

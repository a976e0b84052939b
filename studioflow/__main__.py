"""studioflow as a process: the console script and `python -m studioflow` (one command, or the TUI)."""

from studioflow import process

process.pause_while_loading()  # see studioflow.process

from studioflow.cli import main  # noqa: E402  (loaded with the collector paused)


def run() -> int:
    return main()


if __name__ == "__main__":
    raise SystemExit(run())

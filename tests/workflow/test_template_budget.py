"""A template, however written, is filled in within a time and memory budget, or refused in one line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studioflow.cli import main
from studioflow.errors import StudioflowError
from studioflow.workflow.automations import templates

BOMBS = [
    "{{ [[1]*50000]*50000 }}",  # the inner list counted once, then 50,000 references to it
    "{{ [[[1]*300]*300]*300 }}",
    "{{ [[[[[1]*20]*20]*20]*20]*20 }}",
    "{{ 'x' * 10**8 }}",
    "{{ ('ab' * 40000) * 3 }}",
    "{{ [[1]*60000] + [[1]*60000] }}",
    "{{ ([1]*60000 + [1]*60000) * 2 }}",
    "{{ [('x' * 1000,) * 1000] * 1000 }}",
    "{{ 9 ** (9 ** 9) }}",
]


@pytest.mark.parametrize("body", BOMBS)
def test_a_bomb_is_refused_quickly_in_one_line(body: str) -> None:
    start = time.monotonic()
    with pytest.raises(StudioflowError) as caught:
        templates.check_template("email", "Hello", body)
    assert time.monotonic() - start < 3
    assert "\n" not in str(caught.value)


def test_the_clock_bounds_a_render_whatever_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates, "MAX_SECONDS", 0.0)
    with pytest.raises(StudioflowError, match="takes too long"):
        templates.check_template("email", "Hello", "{{ 'a' * 3 }}")


def test_ordinary_multiplication_still_works() -> None:
    _, body = templates.render("Hi", "{{ '-' * 20 }}\n{{ [1, 2] * 2 }}", templates._sample_context())
    assert body == "-" * 20 + "\n[1, 2, 1, 2]"


def test_the_cli_refuses_a_bomb_with_exit_2_in_a_few_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.monotonic()
    argv = ["template", "add", "Bomb", "--channel", "email", "--subject", "Hi", "--body", BOMBS[0]]
    assert main([*argv, "--db", str(tmp_path / "s.db")]) == 2
    assert time.monotonic() - start < 5
    assert capsys.readouterr().err.count("\n") == 1

"""Mileage logs: unit and rate from config, amounts rounded half up, totals per job and per year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studioflow import config
from studioflow.store import Database
from studioflow.workflow.jobs import jobs
from studioflow.workflow.money import mileage
from studioflow.workflow.schedule import events
from studioflow.workflow.views import PipelineView


@pytest.fixture
def job_id(db: Database, wedding: PipelineView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv(config.CONFIG_ENV, str(tmp_path / "none.toml"))  # no config: miles at 0 cents
    return jobs.add_job(db, "Martinez wedding", "Wedding").id


def test_unit_and_rate_come_from_config(
    db: Database, job_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mileage.add_trip(db, job_id, date(2026, 1, 5), "10").unit == "mi"
    path = tmp_path / "config.toml"
    path.write_text('[mileage]\nunit = "km"\nrate_cents = 30\n', encoding="utf-8")
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    trip = mileage.add_trip(db, job_id, date(2026, 1, 6), "12.345", "to the venue")
    assert (trip.unit, trip.rate_cents, trip.distance) == ("km", 30, 12.35)  # to the hundredth, half up
    assert trip.amount_cents == 371  # 12.35 * 30 = 370.5 -> 371


def test_totals_per_job_and_per_year(db: Database, job_id: int, wedding: PipelineView) -> None:
    other = jobs.add_job(db, "Other", "Wedding").id
    mileage.add_trip(db, job_id, date(2025, 12, 31), "18.4", unit="mi", rate_cents=70)
    mileage.add_trip(db, job_id, date(2026, 1, 2), "42", unit="mi", rate_cents=70)
    mileage.add_trip(db, other, date(2026, 2, 1), "5", unit="km", rate_cents=40)
    (job_total,) = mileage.totals(mileage.list_trips(db, job=job_id))
    assert (job_total.trips, job_total.distance, job_total.amount_cents) == (2, 60.4, 1288 + 2940)
    year = mileage.totals(mileage.list_trips(db, year=2026))
    assert [(t.unit, t.trips, t.distance, t.amount_cents) for t in year] == [("mi", 1, 42, 2940), ("km", 1, 5, 200)]
    assert mileage.to_csv(mileage.list_trips(db, year=2025)).splitlines()[1] == (
        "2025-12-31,Martinez wedding,,,18.4,mi,0.70,12.88"
    )


@given(st.decimals(0, 10_000, places=2), st.integers(0, 1000))
def test_a_trips_amount_is_distance_times_rate_half_up(distance: Decimal, rate: int) -> None:
    amount = mileage.trip_amount(float(distance), rate)
    exact = distance * rate
    assert Decimal("-0.5") < amount - exact <= Decimal("0.5")  # half up: x.5 goes up, never down


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("-3",), "cannot be negative"),
        (("far",), "not a distance"),
        (("NaN",), "not a distance"),
        (("1e9",), "too long"),
    ],
)
def test_bad_trips_are_refused(
    db: Database, job_id: int, refused: Callable[..., str], args: tuple[str], match: str
) -> None:
    refused(mileage.add_trip, db, job_id, date(2026, 1, 1), *args, match=match)


def test_a_trip_links_only_an_event_of_its_job(
    db: Database, job_id: int, wedding: PipelineView, refused: Callable[..., str]
) -> None:
    other = jobs.add_job(db, "Other", "Wedding").id
    theirs = events.add_event(db, "Their shoot", datetime(2026, 1, 1, tzinfo=UTC), job=other)
    refused(mileage.add_trip, db, job_id, date(2026, 1, 1), "3", event=theirs.id, match="is not an event of job")
    refused(mileage.add_trip, db, "Nope", date(2026, 1, 1), "3", match="no job 'Nope'")
    ours = events.add_event(db, "Our shoot", datetime(2026, 1, 1, tzinfo=UTC), job=job_id)
    assert mileage.add_trip(db, job_id, date(2026, 1, 1), "3", event=ours.id).event == "Our shoot"

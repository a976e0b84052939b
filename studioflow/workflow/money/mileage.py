"""Mileage logs: trips made for a job (often for one of its events), with totals per job and per year.

The unit (mi or km) and the rate per unit come from config.toml's `[mileage]` table
unless given. Distances are kept to the hundredth; a trip's amount is distance * rate,
rounded half up to the cent, and totals add the rounded trip amounts (as a log
book does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import extract
from sqlmodel import Session, col, select

from studioflow.config import MILEAGE_UNITS, Config, load_config
from studioflow.errors import StudioflowError
from studioflow.store import Database
from studioflow.store.models import Condition, Event, Job, MileageLog
from studioflow.workflow import lookup
from studioflow.workflow.views import MileageTotalView, MileageView, from_row

MAX_DISTANCE = Decimal(100_000)
MAX_RATE_CENTS = 100_000


def parse_distance(text: str | float | Decimal) -> Decimal:
    """A distance to the hundredth; refused when negative, not a number, or absurd."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise StudioflowError(f"{text!r} is not a distance (e.g. 12.5)") from None
    if not value.is_finite():
        raise StudioflowError(f"{text!r} is not a distance (e.g. 12.5)")
    if value < 0:
        raise StudioflowError(f"a distance cannot be negative ({text})")
    if value > MAX_DISTANCE:
        raise StudioflowError(f"a distance of {text} is too long for one trip")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def trip_amount(distance: float | Decimal, rate_cents: int) -> int:
    """distance * rate, rounded half up to the cent."""
    exact = Decimal(str(distance)) * rate_cents
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_trip(
    db: Database,
    job: int | str,
    trip_on: date,
    distance: str | float | Decimal,
    purpose: str = "",
    event: int | None = None,
    unit: str | None = None,
    rate_cents: int | None = None,
    config: Config | None = None,
) -> MileageView:
    """Log a trip for a job, optionally for one of the job's events; unit and rate default to
    `config`'s [mileage] (the caller's, else config.toml read now)."""
    value = parse_distance(distance)
    config_unit, config_rate = (
        (config or load_config()).mileage() if unit is None or rate_cents is None else ("mi", 0)
    )
    unit = unit or config_unit
    if unit not in MILEAGE_UNITS:
        raise StudioflowError(f"a distance is in mi or km, not {unit!r}")
    rate = config_rate if rate_cents is None else rate_cents
    if not 0 <= rate <= MAX_RATE_CENTS:
        raise StudioflowError(f"a rate per {unit} is between 0 and {MAX_RATE_CENTS} cents, not {rate}")
    purpose = " ".join(purpose.split())
    if len(purpose) > lookup.MAX_NAME:
        raise StudioflowError(f"a trip's description is too long (at most {lookup.MAX_NAME} characters)")
    with db.write() as session:
        job_row = lookup.job(session, job)
        if event is not None:
            event_row = lookup.get(session, Event, event, "event")
            if event_row.job_id != job_row.id:
                raise StudioflowError(f"event {event} {event_row.title!r} is not an event of job {job_row.title!r}")
        trip = MileageLog(
            job_id=job_row.id,
            event_id=event,
            trip_on=trip_on,
            distance=float(value),
            unit=unit,
            purpose=purpose,
            rate_cents=rate,
        )
        session.add(trip)
        session.flush()
        return _views(session, MileageLog.id == trip.id)[0]


def delete_trip(db: Database, trip_id: int) -> MileageView:
    with db.write() as session:
        trip = lookup.get(session, MileageLog, trip_id, "mileage log")
        view = _views(session, MileageLog.id == trip_id)[0]
        session.delete(trip)
        return view


def list_trips(db: Database, job: int | str | None = None, year: int | None = None) -> list[MileageView]:
    """Trips in date order, of one job and/or one year."""
    with db.read() as session:
        return _views(session, *_conditions(session, job, year))


def totals(trips: Iterable[MileageView]) -> list[MileageTotalView]:
    """Totals per unit (mi first) over the given trips."""
    sums: dict[str, tuple[int, Decimal, int]] = {}
    for trip in trips:
        count, distance, amount = sums.get(trip.unit, (0, Decimal(0), 0))
        sums[trip.unit] = (count + 1, distance + Decimal(str(trip.distance)), amount + trip.amount_cents)
    return [
        MileageTotalView(unit, count, float(distance), amount)
        for unit in MILEAGE_UNITS
        if unit in sums
        for count, distance, amount in [sums[unit]]
    ]


def to_csv(trips: Iterable[MileageView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "job", "event", "purpose", "distance", "unit", "rate", "amount"])
    for t in trips:
        writer.writerow(
            [
                t.trip_on.isoformat(),
                t.job or "",
                t.event or "",
                t.purpose,
                format_distance(t.distance),
                t.unit,
                f"{t.rate_cents // 100}.{t.rate_cents % 100:02d}",
                f"{t.amount_cents // 100}.{t.amount_cents % 100:02d}",
            ]
        )
    return out.getvalue()


def format_distance(distance: float) -> str:
    """12.0 → "12", 12.5 → "12.5" (the hundredth kept, trailing zeros dropped)."""
    text = f"{Decimal(str(distance)).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _conditions(session: Session, job: int | str | None, year: int | None) -> list[Condition]:
    conditions: list[Condition] = []
    if job is not None:
        conditions.append(MileageLog.job_id == lookup.job(session, job).id)
    if year is not None:
        conditions.append(extract("year", col(MileageLog.trip_on)) == year)
    return conditions


def _views(session: Session, *conditions: Condition) -> list[MileageView]:
    query = (
        select(MileageLog, Job.title, Event.title)
        .join(Job, col(Job.id) == MileageLog.job_id, isouter=True)
        .join(Event, col(Event.id) == MileageLog.event_id, isouter=True)
        .where(*conditions)
        .order_by(col(MileageLog.trip_on), col(MileageLog.id))
    )
    return [
        from_row(
            MileageView, t, id=t.saved_id, job=job, event=event, amount_cents=trip_amount(t.distance, t.rate_cents)
        )
        for t, job, event in session.exec(query).all()
    ]

"""The job page's Mileage tab: trips for the job, with totals; log and delete."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from studioflow.errors import StudioflowError
from studioflow.screens.dialogs import Field, FormDialog
from studioflow.screens.effects import studio
from studioflow.screens.job.base import JobPageBase
from studioflow.screens.job.fields import parse_day
from studioflow.widgets.keys import key_for
from studioflow.workflow.money import invoices, mileage
from studioflow.workflow.schedule import events

TAB = "mileage"
KEYS = [
    Binding("a", "add_trip", "Log trip", id="job.add_trip"),
    Binding("d", "delete_trip", "Delete trip", id="job.delete_trip"),
]


class MileageTab(JobPageBase):
    def _load_mileage(self) -> None:
        trips = mileage.list_trips(self.db, job=self.job_id)
        rows = []
        for t in trips:
            distance = f"{mileage.format_distance(t.distance)} {t.unit}"
            rate = f"{invoices.money(t.rate_cents)}/{t.unit}"
            amount = Text(invoices.money(t.amount_cents), justify="right")
            rows.append(
                (str(t.id), (t.trip_on.isoformat(), Text(t.event or ""), Text(t.purpose), distance, rate, amount))
            )
        self._fill("job-mileage", rows)
        totals = [
            f"{total.trips} trip(s), {mileage.format_distance(total.distance)} {total.unit}, "
            f"{invoices.money(total.amount_cents)}"
            for total in mileage.totals(trips)
        ]
        none = f"No trips yet: press {key_for(self, 'add_trip', 'a')} to log one."
        self.query_one("#job-mileage-total", Static).update("Total: " + "; ".join(totals) if totals else none)

    def action_add_trip(self) -> None:
        event_names = ", ".join(f"{e.id} {e.title}" for e in events.list_events(self.db, job=self.job_id))
        fields = [
            Field("date", "Date (YYYY-MM-DD)", date.today().isoformat()),
            Field("distance", "Distance (unit and rate from config.toml [mileage])", placeholder="12.5"),
            Field("purpose", "From/to or what for"),
            Field("event", f"Event id (empty: none){': ' + event_names if event_names else ''}"),
        ]

        def submit(v: dict[str, str]) -> None:
            event_text = v["event"].strip()
            if event_text and not event_text.isdecimal():
                raise StudioflowError(f"the event is given by its id (a number), not {event_text!r}")
            trip_on = parse_day(v["date"], "the date") or date.today()
            event = int(event_text) if event_text else None
            config = studio(self).config  # [mileage], read once by the app
            mileage.add_trip(self.db, self.job_id, trip_on, v["distance"], v["purpose"], event, config=config)

        self.app.push_screen(FormDialog("Log a trip", fields, submit), lambda saved: self._load())

    def action_delete_trip(self) -> None:
        trip_id = self._selected("job-mileage", "trip")
        if trip_id is not None:
            day = str(self.query_one("#job-mileage", DataTable).get_row(str(trip_id))[0])
            self._confirm_delete(f"Delete the trip of {day}", lambda: mileage.delete_trip(self.db, trip_id), "Deleted.")

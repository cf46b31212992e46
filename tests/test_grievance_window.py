"""One rule for the end of a grievance's 7-day written-response window, whoever asks: the
worklist's due time (db.sla, Python) and the grievance response KPI (the database function
grievance_response_window_end, used by the summary triggers and by db.kpi) agree at both
clock changes, in the facility's zone and in a southern-hemisphere one (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import kpi, summaries
from db.periods import Period, week_start
from db.sla import grievance_response_due_at
from tests.dashboard_world import add_concern

# (zone, the local opening time a week before a clock change, hours to the window's end)
CASES = [
    # Autumn, clocks go back: 01:30 on the Sunday happens twice; the window ends at the first.
    ("America/New_York", dt.datetime(2026, 10, 25, 1, 30), 168),
    ("Australia/Sydney", dt.datetime(2026, 3, 29, 2, 30), 168),
    # Spring, clocks go forward: 02:30 on the Sunday does not happen; the moment after the gap.
    ("America/New_York", dt.datetime(2026, 3, 1, 2, 30), 168),
    ("Australia/Sydney", dt.datetime(2026, 9, 27, 2, 30), 168),
    # An ordinary time across each change: the same clock time, 169 or 167 elapsed hours.
    ("America/New_York", dt.datetime(2026, 10, 27, 10, 0), 169),
    ("America/New_York", dt.datetime(2026, 3, 4, 10, 0), 167),
    ("Australia/Sydney", dt.datetime(2026, 3, 31, 10, 0), 169),
    ("Australia/Sydney", dt.datetime(2026, 9, 29, 10, 0), 167),
]
CHANGES = {
    "America/New_York": (dt.date(2026, 3, 8), dt.date(2026, 11, 1)),
    "Australia/Sydney": (dt.date(2026, 4, 5), dt.date(2026, 10, 4)),
}


def _window_end_in_sql(session: Session, opened: list[dt.datetime], tz_name: str):
    return session.scalars(
        text("SELECT grievance_response_window_end(o, :tz, 7) FROM unnest(:opened) AS o"),
        {"opened": opened, "tz": tz_name},
    ).all()


@pytest.mark.parametrize("tz_name", sorted(CHANGES))
def test_sql_and_python_agree_for_every_quarter_hour_around_both_changes(session, tz_name):
    tz = ZoneInfo(tz_name)
    opened = []
    for change in CHANGES[tz_name]:
        # Every quarter hour of the 9 days before the change (windows ending on or around it),
        # as UTC instants, so both passes of a repeated hour are included.
        start = dt.datetime.combine(change - dt.timedelta(days=9), dt.time(0), tz)
        opened += [
            start.astimezone(dt.UTC) + dt.timedelta(minutes=15 * i) for i in range(9 * 24 * 4)
        ]
    in_sql = _window_end_in_sql(session, opened, tz_name)
    in_python = [grievance_response_due_at(o, tz) for o in opened]
    differing = [(o, s, p) for o, s, p in zip(opened, in_sql, in_python, strict=True) if s != p]
    assert differing == []


@pytest.mark.parametrize(("tz_name", "opened_local", "hours"), CASES)
def test_the_window_at_each_change(session, tz_name, opened_local, hours):
    opened = opened_local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(dt.UTC)
    due = grievance_response_due_at(opened, ZoneInfo(tz_name))
    assert due - opened == dt.timedelta(hours=hours)
    assert _window_end_in_sql(session, [opened], tz_name) == [due]


@pytest.mark.parametrize(("tz_name", "opened_local", "hours"), CASES)
def test_the_kpi_counts_a_response_in_time_exactly_when_the_worklist_does(
    engine, make_staff, tz_name, opened_local, hours
):
    tz = ZoneInfo(tz_name)
    staff = make_staff("manager")
    opened = opened_local.replace(tzinfo=tz).astimezone(dt.UTC)
    due = grievance_response_due_at(opened, tz)
    with Session(engine) as s, s.begin():
        summaries.ensure_summary_time_zone(session=s, tz_name=tz_name)
        for answered in (due, due + dt.timedelta(minutes=1)):  # in time; a minute late
            add_concern(
                s,
                staff.id,
                type="grievance",
                severity="medium",
                department_id=None,
                opened_at=opened,
                due_at=due,
                written_response_at=answered,
            )
    end_day = due.astimezone(tz).date()
    week = Period(week_start(end_day), week_start(end_day) + dt.timedelta(days=7), tz_name)
    with Session(engine) as s:
        # Read from the per-day summary (the window's day is over) ...
        later = kpi.grievance_response_compliance(
            session=s, period=week, now=due + dt.timedelta(days=3)
        )
        assert (later.value, later.denominator) == (0.5, 2)
        # ... and from the raw rows, on the day itself, two minutes after the window closed.
        same_day = kpi.grievance_response_compliance(
            session=s, period=week, now=due + dt.timedelta(minutes=2)
        )
        assert (same_day.value, same_day.denominator) == (0.5, 2)
        just_before = kpi.grievance_response_compliance(
            session=s, period=week, now=due - dt.timedelta(minutes=1)
        )
        if due.astimezone(tz).date() == (due - dt.timedelta(minutes=1)).astimezone(tz).date():
            assert just_before.denominator == 0  # still running: not counted yet
        day = s.scalar(text("SELECT day FROM grievance_window_day"))
        assert day == end_day

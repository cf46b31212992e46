import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from db.sla import (
    add_business_days,
    concern_due_at,
    grievance_acknowledgement_due_at,
    sla_targets,
    time_left,
)

NY = ZoneInfo("America/New_York")


def local(*args):
    return dt.datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    ("concern_type", "severity", "expected_local"),
    [
        ("complaint", "critical", local(2026, 3, 4, 10, 0)),
        ("complaint", "high", local(2026, 3, 6, 10, 0)),
        ("complaint", "medium", local(2026, 3, 10, 10, 0)),  # crosses spring-forward (Mar 8)
        ("complaint", "low", local(2026, 3, 17, 10, 0)),
        ("inquiry", "medium", local(2026, 3, 10, 10, 0)),
        ("suggestion", "low", local(2026, 3, 17, 10, 0)),
        ("grievance", "critical", local(2026, 3, 4, 10, 0)),
        ("grievance", "low", local(2026, 3, 10, 10, 0)),  # capped at the 7-day response clock
        ("compliment", "high", None),
    ],
)
def test_due_time_per_type_and_severity(session, concern_type, severity, expected_local):
    opened = local(2026, 3, 3, 10, 0)
    due = concern_due_at(
        opened_at=opened,
        concern_type=concern_type,
        severity=severity,
        targets=sla_targets(session=session),
        tz=NY,
    )
    assert due == expected_local


def test_seven_days_across_spring_forward_is_167_elapsed_hours(session):
    opened = local(2026, 3, 5, 9, 0)
    due = concern_due_at(
        opened_at=opened,
        concern_type="complaint",
        severity="medium",
        targets=sla_targets(session=session),
        tz=NY,
    )
    assert due.astimezone(NY).hour == 9
    assert due - opened == dt.timedelta(hours=167)


def test_three_days_across_fall_back_is_73_elapsed_hours(session):
    opened = local(2026, 10, 31, 9, 0)
    due = concern_due_at(
        opened_at=opened,
        concern_type="complaint",
        severity="high",
        targets=sla_targets(session=session),
        tz=NY,
    )
    assert due == local(2026, 11, 3, 9, 0)
    assert due - opened == dt.timedelta(hours=73)


def test_due_time_landing_in_the_spring_forward_gap_moves_past_it():
    opened = local(2026, 3, 7, 2, 30)  # 02:30 on Mar 8 does not exist in New York
    due = add_business_days(opened, 0, NY)
    assert due == opened
    from db.sla import add_hours_on_facility_calendar

    assert add_hours_on_facility_calendar(opened, 24, NY) == local(2026, 3, 8, 3, 30)


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (local(2026, 11, 23, 15, 0), local(2026, 11, 24, 15, 0)),  # Monday -> Tuesday
        (local(2026, 11, 27, 15, 0), local(2026, 11, 30, 15, 0)),  # Friday -> Monday
        (local(2026, 11, 28, 11, 0), local(2026, 11, 30, 11, 0)),  # Saturday -> Monday
        (local(2026, 11, 29, 23, 0), local(2026, 11, 30, 23, 0)),  # Sunday -> Monday
    ],
)
def test_grievance_acknowledgement_within_one_business_day(opened, expected):
    assert grievance_acknowledgement_due_at(opened, NY) == expected


def test_time_left_labels():
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert time_left(now + dt.timedelta(days=3, hours=4), now) == "3 d 4 h left"
    assert time_left(now - dt.timedelta(hours=5, minutes=10), now) == "5 h 10 min overdue"
    assert time_left(now + dt.timedelta(minutes=9), now) == "9 min left"
    assert time_left(None, now) == ""

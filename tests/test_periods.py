"""The period picker on the facility's calendar: ISO weeks, quarters, DST, comparisons, URLs."""

from __future__ import annotations

import datetime as dt

import pytest

from db import periods
from db.periods import DashboardFilters, Period

TZ = "America/New_York"
WEDNESDAY = dt.date(2026, 11, 18)  # ISO week 2026-W47: Monday 16 to Sunday 22 November


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("choice", "first", "end"),
    [
        (periods.THIS_WEEK, dt.date(2026, 11, 16), dt.date(2026, 11, 23)),
        (periods.LAST_WEEK, dt.date(2026, 11, 9), dt.date(2026, 11, 16)),
        (periods.LAST_4_WEEKS, dt.date(2026, 10, 19), dt.date(2026, 11, 16)),
        (periods.THIS_QUARTER, dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
    ],
)
def test_picker_choices(choice, first, end):
    period = periods.period_for(choice, today=WEDNESDAY, tz_name=TZ)
    assert (period.first_day, period.end_day) == (first, end)


@pytest.mark.parametrize(
    ("today", "first", "end"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        (dt.date(2026, 6, 30), dt.date(2026, 4, 1), dt.date(2026, 7, 1)),
        (dt.date(2026, 7, 1), dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
        (dt.date(2026, 12, 31), dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
    ],
)
def test_quarters(today, first, end):
    period = periods.period_for(periods.THIS_QUARTER, today=today, tz_name=TZ)
    assert (period.first_day, period.end_day) == (first, end)


def test_custom_dates_are_inclusive_and_checked():
    period = periods.period_for(
        periods.CUSTOM,
        today=WEDNESDAY,
        tz_name=TZ,
        first_day=dt.date(2025, 1, 1),
        last_day=dt.date(2026, 12, 31),
    )
    assert (period.first_day, period.end_day, period.days) == (
        dt.date(2025, 1, 1),
        dt.date(2027, 1, 1),
        730,
    )
    with pytest.raises(ValueError):
        periods.period_for(
            periods.CUSTOM,
            today=WEDNESDAY,
            tz_name=TZ,
            first_day=dt.date(2026, 2, 1),
            last_day=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValueError):
        periods.period_for(periods.CUSTOM, today=WEDNESDAY, tz_name=TZ)
    with pytest.raises(ValueError):
        periods.period_for("fortnight", today=WEDNESDAY, tz_name=TZ)


def test_week_bounds_are_local_midnights_in_utc():
    week = periods.iso_week(2026, 46, TZ)
    assert (week.first_day, week.end_day) == (dt.date(2026, 11, 9), dt.date(2026, 11, 16))
    assert week.start == utc(2026, 11, 9, 5)
    assert week.end == utc(2026, 11, 16, 5)
    # Sunday 23:30 local is Monday 04:30 UTC: still this week.
    assert week.contains(utc(2026, 11, 16, 4, 30))
    assert not week.contains(utc(2026, 11, 16, 5, 0))
    assert not week.contains(utc(2026, 11, 9, 4, 59))


def test_weeks_with_a_daylight_saving_change_are_167_or_169_hours():
    spring = periods.iso_week(2026, 10, TZ)  # 2 to 8 March; clocks go forward on the 8th
    assert (spring.first_day, spring.start, spring.end) == (
        dt.date(2026, 3, 2),
        utc(2026, 3, 2, 5),
        utc(2026, 3, 9, 4),
    )
    assert spring.end - spring.start == dt.timedelta(hours=167)
    fall = periods.iso_week(2026, 44, TZ)  # 26 October to 1 November; clocks go back on the 1st
    assert fall.end - fall.start == dt.timedelta(hours=169)
    assert fall.start == utc(2026, 10, 26, 4)


def test_iso_week_one_may_start_in_december():
    week = periods.iso_week(2026, 1, TZ)
    assert week.first_day == dt.date(2025, 12, 29)
    assert periods.week_start(dt.date(2027, 1, 3)) == dt.date(2026, 12, 28)


def test_previous_period_has_equal_length():
    quarter = Period(dt.date(2026, 10, 1), dt.date(2027, 1, 1), TZ)
    previous = quarter.previous()
    assert (previous.first_day, previous.end_day) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert previous.days == quarter.days == 92


def test_a_finished_period_is_compared_with_the_whole_previous_one():
    last_week = periods.period_for(periods.LAST_WEEK, today=WEDNESDAY, tz_name=TZ)
    comparison = periods.comparison_period(last_week, today=WEDNESDAY)
    assert (comparison.first_day, comparison.end_day) == (
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
    )


def test_a_period_in_progress_is_compared_to_date():
    this_week = periods.period_for(periods.THIS_WEEK, today=WEDNESDAY, tz_name=TZ)
    comparison = periods.comparison_period(this_week, today=WEDNESDAY)
    # Monday to Wednesday of this week against Monday to Wednesday of last week.
    assert (comparison.first_day, comparison.end_day) == (
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 12),
    )


def test_trend_period_is_whole_weeks_ending_with_the_period():
    last_week = periods.period_for(periods.LAST_WEEK, today=WEDNESDAY, tz_name=TZ)
    trend = periods.trend_period(last_week, 26)
    assert trend.end_day == dt.date(2026, 11, 16)
    assert trend.days == 26 * 7
    assert trend.first_day.weekday() == 0


def test_labels():
    assert periods.iso_week(2026, 46, TZ).label() == "9 Nov 2026 – 15 Nov 2026"
    assert Period(dt.date(2026, 11, 9), dt.date(2026, 11, 10), TZ).label() == "9 Nov 2026"


def test_facility_today_uses_the_facility_calendar():
    ny = Period(WEDNESDAY, WEDNESDAY, TZ).tz
    assert periods.facility_today(ny, utc(2026, 11, 19, 3)) == dt.date(2026, 11, 18)


def test_filters_round_trip_through_the_query_string():
    filters = DashboardFilters(
        periods.CUSTOM,
        periods.period_for(
            periods.CUSTOM,
            today=WEDNESDAY,
            tz_name=TZ,
            first_day=dt.date(2026, 1, 5),
            last_day=dt.date(2026, 3, 1),
        ),
        department_id=7,
        trend_weeks=104,
    )
    params = periods.params_from_filters(filters)
    assert params == {
        "period": "custom",
        "from": "2026-01-05",
        "to": "2026-03-01",
        "dept": "7",
        "trend": "104",
    }
    assert periods.filters_from_params(params, today=WEDNESDAY, tz_name=TZ) == filters


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"period": "yesterday"},
        {"period": "custom", "from": "2026-13-01", "to": "2026-01-01"},
        {"period": "custom", "from": "2026-02-01", "to": "2026-01-01"},
        {"period": "custom", "from": "1999-01-01", "to": "2026-01-01"},
        {"dept": "cardiology"},
        {"dept": "-3"},
        {"trend": "1000"},
    ],
)
def test_malformed_links_fall_back_to_defaults(params):
    filters = periods.filters_from_params(params, today=WEDNESDAY, tz_name=TZ)
    assert filters.choice in periods.PERIOD_CHOICES
    assert filters.department_id is None
    assert filters.trend_weeks in periods.TREND_WEEK_CHOICES
    if params.get("period") != "custom":
        assert filters.period == periods.period_for(filters.choice, today=WEDNESDAY, tz_name=TZ)

"""Complaints per 1,000 encounters (docs/metrics.md): divided by the exact prorated encounters,
the same on the tile and the per-department chart; a period that runs to today counts
encounters only for the part that has happened, and so does the period it is compared with."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from components.kpi_tiles import tile_for
from db import dashboard_queries as dq
from db import kpi, periods
from db.models import EncounterVolume
from tests.dashboard_world import NOW, NY, TZ_NAME, WEEK, add_concern, build_world, local

DAY = 100  # Cardiology's encounters per day in every month below


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _volume(engine, department_id: int, month: dt.date, encounters: int) -> None:
    with Session(engine) as s, s.begin():
        s.merge(EncounterVolume(department_id=department_id, month=month, encounters=encounters))


def test_tile_and_chart_divide_by_the_same_exact_encounters(engine, world):
    # Emergency: 1,000 encounters in November, so the week holds 7000/30 = 233.33..., which a
    # rounded denominator (233) would turn into a different second decimal.
    _volume(engine, world.emergency, dt.date(2026, 11, 1), 1000)
    with Session(engine) as s:
        emergency = kpi.complaints_per_thousand_encounters(
            session=s, period=WEEK, department_id=world.emergency, now=NOW
        )
        # C2 (grievance) and C4 (complaint) were opened in Emergency this week.
        assert emergency.denominator == pytest.approx(7000 / 30, rel=1e-12)
        assert emergency.value == pytest.approx(2 * 1000 / (7000 / 30), rel=1e-12)
        assert f"{emergency.value:.2f}" == "8.57"  # 2000 / 233 would read 8.58
        everyone = kpi.complaints_per_thousand_encounters(session=s, period=WEEK, now=NOW)
        # Cardiology 1 of 700, Emergency 2 of 233.33: 3 of 933.33 (rounded: 3.2154).
        assert everyone.value == pytest.approx(3000 / (700 + 7000 / 30), rel=1e-12)
        assert f"{everyone.value:.3f}" == "3.214"
        chart = dq.complaint_rates(session=s, period=WEEK, now=NOW).set_index("department_id")
    assert chart.loc[world.emergency, "per_thousand"] == pytest.approx(emergency.value, rel=1e-12)
    assert chart.loc[world.cardiology, "per_thousand"] == pytest.approx(1000 / 700, rel=1e-12)
    # Rounded only where it is shown.
    tile = tile_for("Complaints per 1,000", everyone, "per_thousand", of="encounters")
    assert tile.value == "3.21" and tile.caption.startswith("of 933 encounters")


def test_this_week_on_a_friday_counts_encounters_to_now(engine, world):
    # Friday 20 November 12:00: Monday to Thursday and half of Friday have happened.
    _volume(engine, world.cardiology, dt.date(2026, 11, 1), 30 * DAY)
    with Session(engine) as s, s.begin():
        add_concern(
            s,
            world.staff_id,
            type="complaint",
            severity="low",
            department_id=world.cardiology,
            opened_at=local(2026, 11, 17, 9),
            due_at=local(2026, 12, 1, 9),
        )
    today = periods.facility_today(NY, NOW)
    this_week = periods.period_for(periods.THIS_WEEK, today=today, tz_name=TZ_NAME)
    compared = periods.comparison_period(this_week, today=today)
    assert (compared.first_day, compared.end_day) == (dt.date(2026, 11, 9), dt.date(2026, 11, 14))
    with Session(engine) as s:
        result = kpi.complaints_per_thousand_encounters(
            session=s, period=this_week, previous=compared, now=NOW
        )
    assert result.denominator == pytest.approx(4.5 * DAY)  # not the whole week's 700
    assert result.value == pytest.approx(1000 / 450)
    # The same days of last week, Monday to Friday: C1 over 500 encounters.
    assert result.previous_denominator == pytest.approx(5 * DAY)
    assert result.previous_value == pytest.approx(2.0)
    assert result.change > 0  # a worse week, not a false improvement


def _elapsed_days(period: periods.Period, now: dt.datetime) -> float:
    """Days of the period that have happened by `now`, counted by hand: whole local days, and
    the share of today's hours that have passed."""
    days = 0.0
    day = period.first_day
    while day < period.end_day:
        start = periods.local_midnight(day, period.tz)
        end = periods.local_midnight(day + dt.timedelta(days=1), period.tz)
        if now >= end:
            days += 1
        elif now > start:
            days += (now - start) / (end - start)
        day += dt.timedelta(days=1)
    return days


CHOICES = [
    (periods.THIS_WEEK, None, None),
    (periods.LAST_WEEK, None, None),
    (periods.LAST_4_WEEKS, None, None),
    (periods.THIS_QUARTER, None, None),
    (periods.CUSTOM, dt.date(2026, 11, 1), dt.date(2026, 11, 20)),  # ends today
    (periods.CUSTOM, dt.date(2026, 10, 20), dt.date(2026, 11, 30)),  # ends in the future
    (periods.CUSTOM, dt.date(2026, 11, 23), dt.date(2026, 11, 29)),  # not started yet
]


@pytest.mark.parametrize(("choice", "first_day", "last_day"), CHOICES)
def test_every_period_choice_counts_encounters_only_for_what_has_happened(
    engine, world, choice, first_day, last_day
):
    # Cardiology has 100 encounters a day from July to December; Emergency has no volumes.
    for month, days in ((7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)):
        _volume(engine, world.cardiology, dt.date(2026, month, 1), days * DAY)
    today = periods.facility_today(NY, NOW)
    period = periods.period_for(
        choice, today=today, tz_name=TZ_NAME, first_day=first_day, last_day=last_day
    )
    compared = periods.comparison_period(period, today=today)
    with Session(engine) as s:
        result = kpi.complaints_per_thousand_encounters(
            session=s, period=period, previous=compared, now=NOW
        )
        chart = dq.complaint_rates(session=s, period=period, now=NOW)
    for denominator, value, p in (
        (result.denominator, result.value, period),
        (result.previous_denominator, result.previous_value, compared),
    ):
        expected = DAY * _elapsed_days(p, NOW)
        assert denominator == pytest.approx(expected, abs=1e-9), p
        if expected == 0:
            assert value is None  # shown as "—", never 0
    if result.denominator:
        assert chart.encounters.sum() == pytest.approx(result.denominator)


def test_other_rates_of_a_period_to_date_count_both_sides_to_date(engine, world):
    # Rates whose numerator and denominator are both counted from the same rows have nothing
    # to prorate: a week to date gives the same figures as the week cut at tomorrow.
    this_week = periods.Period(dt.date(2026, 11, 16), dt.date(2026, 11, 23), TZ_NAME)
    to_tomorrow = periods.Period(dt.date(2026, 11, 16), dt.date(2026, 11, 21), TZ_NAME)
    with Session(engine) as s:
        for function in (
            kpi.first_contact_resolution_rate,
            kpi.on_time_resolution_rate,
            kpi.median_days_to_resolve,
            kpi.net_promoter_score,
        ):
            whole = function(session=s, period=this_week, previous=WEEK)
            cut = function(session=s, period=to_tomorrow, previous=WEEK)
            assert whole == cut, function.__name__
        assert kpi.grievance_response_compliance(
            session=s, period=this_week, previous=WEEK, now=NOW
        ) == kpi.grievance_response_compliance(
            session=s, period=to_tomorrow, previous=WEEK, now=NOW
        )

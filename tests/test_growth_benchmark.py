"""The growth benchmark's views, its copy of the median as read before migration 0011, and its
queries without the month rollups of 0014."""

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from benchmarks.growth import growth_views, median_days_index_order, without_months
from db import kpi
from db.periods import Period
from tests.dashboard_world import TZ_NAME, WEEK, build_world


def test_two_years_is_the_same_period_whatever_the_history():
    today = dt.date(2026, 11, 24)
    short = growth_views(today, TZ_NAME, first_day=dt.date(2026, 9, 1))
    long = growth_views(today, TZ_NAME, first_day=dt.date(2006, 11, 25))
    assert short["two years"] == long["two years"]
    assert short["two years"].days == 730
    assert short["two years"].last_day == today
    assert long["whole history"].first_day == dt.date(2006, 11, 25)
    assert short["whole history"].days == (today - dt.date(2026, 9, 1)).days + 1


def test_the_old_median_agrees_with_the_kpi(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        world = build_world(s, staff.id)
    with Session(engine) as s:
        assert world.cardiology
        old = median_days_index_order(s, WEEK)
        new = kpi.median_days_to_resolve(session=s, period=WEEK).value
    assert old == pytest.approx(new)
    assert old is not None


def test_queries_without_month_rollups_give_the_same_answers(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        build_world(s, staff.id)
    months = dict(kpi.MONTHS)
    year = Period(dt.date(2025, 11, 10), dt.date(2026, 11, 21), TZ_NAME)
    with Session(engine) as s:
        for function in (
            kpi.concerns_opened_by_type,
            kpi.on_time_resolution_rate,
            kpi.median_days_to_resolve,
            kpi.interactions,
            kpi.net_promoter_score,
        ):
            with_months = function(session=s, period=year)
            assert without_months(lambda f=function: f(session=s, period=year)) == with_months
        assert sum(r.value for r in kpi.concerns_opened_by_type(session=s, period=year).values())
    assert months == kpi.MONTHS

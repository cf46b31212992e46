"""The growth benchmark's views and its copy of the median as read before migration 0011."""

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from benchmarks.growth import growth_views, median_days_index_order
from db import kpi
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

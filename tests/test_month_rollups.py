"""Month rollups of the day summaries (migration 0014): a long period reads whole months from
them and only weeks and days at its ends, with exactly the answers the days give (hand-computed,
across month edges, the facility's midnight, empty periods and periods running to today), and
the rollups follow every write, TRUNCATE, a time-zone change and the drift check."""

from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db import cli, kpi, summaries
from db.models import ConcernDay, ConcernMonth, ConcernWeek
from db.periods import Period
from tests.dashboard_world import TZ_NAME, add_concern, add_interaction, build_world, local

HOUR = dt.timedelta(hours=1)
# Mid-January to 10 April 2024: February (29 days) and March are whole months inside it.
SPRING = Period(dt.date(2024, 1, 15), dt.date(2024, 4, 11), TZ_NAME)
EMPTY = Period(dt.date(2019, 1, 1), dt.date(2021, 1, 1), TZ_NAME)


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _open(engine, world, moments, *, hours=None, department=None, type_="complaint"):
    """One concern opened at each moment; with `hours`, resolved that many hours later."""
    with Session(engine) as s, s.begin():
        for k, when in enumerate(moments):
            resolved = None if hours is None else when + hours[k] * HOUR
            add_concern(
                s,
                world.staff_id,
                type=type_,
                severity="medium",
                department_id=department or world.cardiology,
                opened_at=when,
                due_at=when + dt.timedelta(days=3),
                resolved_at=resolved,
            )


def _opened(engine, period, department_id=None) -> int:
    with Session(engine) as s:
        return kpi.concerns_opened(
            session=s, period=period, previous=EMPTY, department_id=department_id
        ).value


def _drift(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {t: n for t, n in summaries.summary_drift(session=s).items() if n}


# Opened around the edges of February and March, New York time.
EDGES = [
    local(2024, 1, 14, 23, 59),  # the day before the period: out
    local(2024, 1, 15, 0, 0),  # its first midnight: in
    local(2024, 1, 31, 23, 59),  # January's last minute
    local(2024, 2, 1, 0, 0),  # February's first
    local(2024, 2, 29, 23, 30),  # leap day, 04:30 on 1 March in UTC
    local(2024, 3, 1, 0, 0),
    local(2024, 3, 31, 23, 59),
    local(2024, 4, 1, 0, 0),
    local(2024, 4, 10, 23, 59),  # its last minute: in
    local(2024, 4, 11, 0, 0),  # the day after: out
]


def test_long_periods_add_months_weeks_and_days_exactly(engine, world):
    _open(engine, world, EDGES)
    assert _opened(engine, SPRING) == 8
    assert _opened(engine, Period(dt.date(2024, 2, 1), dt.date(2024, 4, 1), TZ_NAME)) == 4
    assert _opened(engine, Period(dt.date(2024, 2, 1), dt.date(2024, 3, 1), TZ_NAME)) == 2
    assert _opened(engine, Period(dt.date(2024, 3, 1), dt.date(2024, 4, 11), TZ_NAME)) == 4
    assert _opened(engine, Period(dt.date(2024, 1, 31), dt.date(2024, 2, 1), TZ_NAME)) == 1
    assert _opened(engine, EMPTY) == 0
    assert _opened(engine, SPRING, department_id=world.emergency) == 0
    # The months really are read from the rollup: February and March, and only they.
    with engine.connect() as conn:
        months = conn.execute(
            text(
                "SELECT month, sum(opened) FROM concern_month WHERE department_id = :d"
                " AND month < '2025-01-01' GROUP BY month ORDER BY month"
            ),
            {"d": world.cardiology},
        ).all()
    assert [(m.isoformat(), int(n)) for m, n in months] == [
        ("2024-01-01", 3),
        ("2024-02-01", 2),
        ("2024-03-01", 2),
        ("2024-04-01", 3),
    ]


def test_the_rollup_split_reads_each_day_once(engine):
    """Sum of one per day over many periods, read through rollup(): every day counted once,
    whether it falls in a month, a week or the days around them."""
    first = dt.date(2023, 10, 20)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO concern_day (day, department_id, type, opened, resolved,"
                " resolved_with_clock, resolved_on_time)"
                " SELECT d::date, 1, 'complaint', 1, 0, 0, 0"
                " FROM generate_series(:a, :b, interval '1 day') d"
            ),
            {"a": first, "b": dt.date(2024, 8, 1)},
        )
    starts = [dt.date(2023, 10, 20), dt.date(2023, 11, 1), dt.date(2023, 12, 31)]
    ends = [dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 4), dt.date(2024, 7, 31)]
    with Session(engine) as s:
        for a in starts:
            for b in ends:
                period = Period(a, b, TZ_NAME)
                other = Period(dt.date(2024, 1, 17), dt.date(2024, 5, 2), TZ_NAME)
                r = kpi.rollup(ConcernDay, ConcernWeek, [period, other], month_model=ConcernMonth)
                got = s.execute(
                    select(
                        func.sum(r.opened).filter(kpi._days(r.day, period)),
                        func.sum(r.opened).filter(kpi._days(r.day, other)),
                    )
                ).one()
                assert got == ((b - a).days, (other.end_day - other.first_day).days), (a, b)


@pytest.mark.parametrize(
    "now",
    [
        local(2024, 4, 10, 15),  # mid-month
        local(2024, 4, 1, 0, 30),  # just after a month began
        local(2024, 3, 31, 23, 59),  # a month's last minute
    ],
)
def test_a_period_running_to_today_reads_the_days_of_this_month(engine, world, now):
    """The month holding today is only partly over: read from its days, up to now."""
    today = now.astimezone(ZoneInfo(TZ_NAME)).date()
    moments = [now - dt.timedelta(days=d) for d in (0, 1, 2, 9, 31, 45, 90, 200)]
    _open(engine, world, [*moments, local(2023, 1, 1)])
    for days in (7, 60, 400):
        period = Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1), TZ_NAME)
        expected = sum(period.start <= m < period.end for m in moments)
        assert _opened(engine, period) == expected, days


def test_the_median_over_months_is_exact(engine, world):
    # Resolution times (hours) of concerns resolved in January, February, March and April.
    hours = [1, 5, 30, 70, 100, 250, 6, 400]
    opened = [
        local(2024, 1, 20, 9),
        local(2024, 2, 3, 9),
        local(2024, 2, 20, 9),
        local(2024, 3, 9, 9),
        local(2024, 3, 25, 9),
        local(2024, 3, 28, 12),
        local(2024, 4, 9, 9),
        local(2024, 1, 1, 9),  # resolved 17 January
    ]
    _open(engine, world, opened, hours=hours)
    with Session(engine) as s:
        result = kpi.median_days_to_resolve(session=s, period=SPRING, previous=EMPTY)
        assert result.denominator == 8
        assert result.value == pytest.approx(statistics.median(hours) / 24)
        assert result.previous_value is None
        # Resolved in February and March: 5, 30, 70, 100 (250 hours on 28 March is 7 April).
        spring = Period(dt.date(2024, 2, 1), dt.date(2024, 4, 1), TZ_NAME)
        result = kpi.median_days_to_resolve(session=s, period=spring, previous=EMPTY)
        assert (result.value, result.denominator) == (pytest.approx(50 / 24), 4)


def test_months_follow_writes_truncate_and_the_drift_check(engine, world, capsys):
    _open(engine, world, EDGES, hours=[5] * len(EDGES))
    assert _drift(engine) == {}
    with engine.begin() as conn:
        # Move one concern from March to February; delete another.
        conn.execute(
            text(
                "UPDATE concern SET opened_at = opened_at - interval '20 days' WHERE id = ("
                "SELECT min(id) FROM concern WHERE opened_at >= :m)"
            ),
            {"m": local(2024, 3, 1)},
        )
        conn.execute(text("DELETE FROM concern WHERE opened_at = :t"), {"t": EDGES[6]})
    assert _drift(engine) == {}
    assert _opened(engine, SPRING) == 7
    # A month row out of step is found, repaired, and the answer is right again.
    with engine.begin() as conn:
        conn.execute(text("UPDATE concern_month SET opened = opened + 100"))
        conn.execute(text("UPDATE concern_resolution_month SET resolved = resolved + 1"))
    assert set(_drift(engine)) == {"concern_month", "concern_resolution_month"}
    assert _opened(engine, SPRING) > 7
    assert cli.main(["check-summaries", "--repair"]) == 1
    assert "concern_month" in capsys.readouterr().out
    assert _drift(engine) == {}
    assert _opened(engine, SPRING) == 7
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE concern CASCADE"))
        for table, measure in (
            ("concern_month", "opened"),
            ("concern_issue_month", "issues"),
            ("concern_resolution_month", "resolved"),
        ):
            assert conn.scalar(text(f"SELECT coalesce(sum({measure}), 0) FROM {table}")) == 0
    assert _drift(engine) == {}
    assert _opened(engine, SPRING) == 0


def test_truncating_a_day_summary_refills_its_months(engine, world):
    _open(engine, world, EDGES)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE concern_day"))
        assert conn.scalar(text("SELECT coalesce(sum(opened), 0) FROM concern_month")) == 0
    with Session(engine) as s, s.begin():
        summaries.repair_summaries(session=s, progress=lambda _m: None)
    assert _drift(engine) == {}
    assert _opened(engine, SPRING) == 8


def test_a_time_zone_change_moves_days_between_months(engine, world):
    # 23:30 on 29 February in New York is 04:30 on 1 March in UTC.
    _open(engine, world, [local(2024, 2, 29, 23, 30)], hours=[0.25])
    february = (dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    march = (dt.date(2024, 3, 1), dt.date(2024, 4, 1))

    def opened(tz):
        return [_opened(engine, Period(a, b, tz)) for a, b in (february, march)]

    assert opened(TZ_NAME) == [1, 0]
    with Session(engine) as s, s.begin():
        assert summaries.ensure_summary_time_zone(session=s, tz_name="UTC")
    assert _drift(engine) == {}
    assert opened("UTC") == [0, 1]
    with Session(engine) as s:
        for (a, b), resolved in ((february, 0), (march, 1)):
            period = Period(a, b, "UTC")
            median = kpi.median_days_to_resolve(session=s, period=period, previous=EMPTY)
            assert median.denominator == resolved
    with Session(engine) as s, s.begin():
        summaries.ensure_summary_time_zone(session=s, tz_name=TZ_NAME)
    assert _drift(engine) == {}
    assert opened(TZ_NAME) == [1, 0]


def test_interactions_and_surveys_read_their_months(engine, world):
    with Session(engine) as s, s.begin():
        for when in EDGES:
            add_interaction(s, world.staff_id, when, world.cardiology, "resolved-first-contact")
    with Session(engine) as s:
        result = kpi.interactions(session=s, period=SPRING, previous=EMPTY)
        rate = kpi.first_contact_resolution_rate(session=s, period=SPRING, previous=EMPTY)
    assert (result.value, result.previous_value) == (8, 0)
    assert (rate.value, rate.denominator) == (1.0, 8)
    assert _drift(engine) == {}


def test_grievance_windows_over_months_and_up_to_now(engine, world):
    """Windows of 7 days ending on either side of month edges; answered in time or not."""
    opened = [
        (local(2024, 1, 6, 10), True),  # ends 13 January: before the period
        (local(2024, 1, 25, 10), True),  # ends 1 February
        (local(2024, 2, 22, 23, 30), False),  # ends 29 February 23:30 (UTC: 1 March)
        (local(2024, 2, 23, 9), True),  # ends 1 March
        (local(2024, 3, 20, 9), False),  # ends 27 March
        (local(2024, 4, 2, 9), True),  # ends 9 April
        (local(2024, 4, 5, 9), True),  # ends 12 April: after the period
    ]
    with Session(engine) as s, s.begin():
        for when, in_time in opened:
            add_concern(
                s,
                world.staff_id,
                type="grievance",
                severity="medium",
                department_id=world.cardiology,
                opened_at=when,
                due_at=when + dt.timedelta(days=7),
                written_response_at=when + dt.timedelta(days=6 if in_time else 9),
            )
    assert _drift(engine) == {}

    def compliance(period, now):
        with Session(engine) as s:
            r = kpi.grievance_response_compliance(
                session=s, period=period, previous=EMPTY, department_id=world.cardiology, now=now
            )
        return r.value, r.denominator

    later = local(2024, 6, 1)
    assert compliance(SPRING, later) == (pytest.approx(3 / 5), 5)
    assert compliance(Period(dt.date(2024, 2, 1), dt.date(2024, 3, 1), TZ_NAME), later) == (
        pytest.approx(1 / 2),
        2,
    )
    # Running to today, 27 March 15:00: the window ending at 09:00 today has ended.
    today = Period(dt.date(2024, 1, 15), dt.date(2024, 3, 28), TZ_NAME)
    assert compliance(today, local(2024, 3, 27, 15)) == (pytest.approx(2 / 4), 4)
    assert compliance(today, local(2024, 3, 27, 8)) == (pytest.approx(2 / 3), 3)

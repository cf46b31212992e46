"""The median time to resolve through the per-day histogram of resolution times: exact (hand-
computed answers, even counts, ties, a middle pair split across buckets, empty periods), blind
to history outside the period, and the histogram kept by the database through every write,
TRUNCATE, a time-zone change and the drift check."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from db import cli, kpi, summaries
from db.models import Concern
from db.periods import Period
from tests.dashboard_world import TZ_NAME, add_concern, build_world, local

# A quiet stretch of 2024, far from the fixed world's November 2026.
MARCH = Period(dt.date(2024, 3, 4), dt.date(2024, 3, 11), TZ_NAME)  # Mon 4 - Sun 10 March
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def world(engine, make_staff):
    staff = make_staff("manager")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _resolve(engine, world, durations_hours, *, resolved=None, department=None):
    """One resolved concern per duration, all resolved at `resolved` (default Wed 6 March,
    noon), in `department` (default Cardiology)."""
    resolved = resolved or local(2024, 3, 6, 12)
    with Session(engine) as s, s.begin():
        return [
            add_concern(
                s,
                world.staff_id,
                type="complaint",
                severity="medium",
                department_id=department or world.cardiology,
                opened_at=resolved - hours * HOUR,
                due_at=resolved - hours * HOUR + dt.timedelta(days=30),
                resolved_at=resolved,
            ).id
            for hours in durations_hours
        ]


def _median(engine, period=MARCH, department_id=None):
    with Session(engine) as s:
        result = kpi.median_days_to_resolve(session=s, period=period, department_id=department_id)
    return result.value, result.denominator


def _drift(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {t: n for t, n in summaries.summary_drift(session=s).items() if n}


def _bucket(engine, hours: float) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT resolution_bucket(:h * interval '1 hour')"), {"h": hours})


def test_buckets_are_four_per_doubling_of_one_plus_hours(engine):
    assert _bucket(engine, 0) == 0
    assert _bucket(engine, -5) == 0  # a negative time (bad data) is not an error
    assert _bucket(engine, 1) == 4  # 2 = 2^(4/4)
    assert _bucket(engine, 0.999) == 3
    assert _bucket(engine, 3) == 8  # 4 = 2^(8/4)
    assert _bucket(engine, 24) == 18  # 25 is between 2^(18/4) = 22.6 and 2^(19/4) = 26.9
    assert _bucket(engine, 24 * 365) == 52


def test_an_empty_period_has_no_median(engine, world):
    assert _median(engine) == (None, 0)
    _resolve(engine, world, [5], resolved=local(2024, 3, 11, 0, 30))  # the Monday after
    assert _median(engine) == (None, 0)


@pytest.mark.parametrize(
    ("hours", "median_hours"),
    [
        ([2], 2),
        ([1, 2, 240], 2),  # odd: the middle one
        ([1, 100, 101, 500], 100.5),  # even, middle pair in one bucket
        ([1, 24, 200, 300], 112),  # even, middle pair in two buckets: (24 + 200) / 2
        ([48, 48, 48, 1], 48),  # ties
        ([0, 0], 0),  # resolved at the moment it was opened
        ([3, 3, 5, 5], 4),  # ties on both sides of the middle
    ],
)
def test_the_median_by_hand(engine, world, hours, median_hours):
    _resolve(engine, world, hours)
    value, count = _median(engine)
    assert count == len(hours)
    assert value == pytest.approx(median_hours / 24)


def test_history_outside_the_period_is_not_counted(engine, world):
    # Many concerns of the very bucket of the period's median, resolved before and after it.
    _resolve(engine, world, [100] * 7, resolved=local(2024, 3, 3, 23, 59))  # Sunday before
    _resolve(engine, world, [101] * 5, resolved=local(2024, 3, 11, 0, 0))  # Monday after
    _resolve(engine, world, [1, 102, 103])
    assert _median(engine) == (pytest.approx(102 / 24), 3)
    # The period's own edges: midnight at the start is in, midnight at the end is out.
    _resolve(engine, world, [99], resolved=local(2024, 3, 4, 0, 0))
    assert _median(engine) == (pytest.approx(100.5 / 24), 4)  # 1, 99, 102, 103


def test_by_department_and_all_departments(engine, world):
    _resolve(engine, world, [1, 10, 100])
    _resolve(engine, world, [200, 300], department=world.emergency)
    assert _median(engine, department_id=world.cardiology) == (pytest.approx(10 / 24), 3)
    assert _median(engine, department_id=world.emergency) == (pytest.approx(250 / 24), 2)
    assert _median(engine) == (pytest.approx(100 / 24), 5)


def test_a_concern_without_a_department_counts_for_the_whole_facility(engine, world):
    with Session(engine) as s, s.begin():
        add_concern(
            s,
            world.staff_id,
            type="complaint",
            severity="medium",
            department_id=None,
            opened_at=local(2024, 3, 5, 12),
            due_at=local(2024, 3, 20, 12),
            resolved_at=local(2024, 3, 6, 12),
        )
    assert _median(engine) == (pytest.approx(1.0), 1)
    assert _median(engine, department_id=world.cardiology) == (None, 0)
    assert _drift(engine) == {}


def test_agrees_with_percentile_cont_on_random_durations(engine, world):
    rng = random.Random(15)
    durations = [round(rng.lognormvariate(3.5, 1.4), 2) for _ in range(301)]
    for day, chunk in enumerate((durations[:150], durations[150:])):
        _resolve(engine, world, chunk, resolved=local(2024, 3, 5 + day, 9 + day))
    for n in (301, 300):  # odd, then even (one removed)
        value, count = _median(engine)
        assert count == n
        assert value == pytest.approx(statistics.median(durations[:n]) / 24, rel=1e-9)
        with engine.connect() as conn:
            in_sql = conn.scalar(
                text(
                    "SELECT percentile_cont(0.5) WITHIN GROUP "
                    "(ORDER BY extract(epoch FROM resolved_at - opened_at)) / 86400 "
                    "FROM concern WHERE resolved_at >= :a AND resolved_at < :b"
                ),
                {"a": MARCH.start, "b": MARCH.end},
            )
        assert value == pytest.approx(float(in_sql), rel=1e-9)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM concern WHERE id = (SELECT id FROM concern WHERE "
                    "resolved_at >= :a AND resolved_at < :b ORDER BY id DESC LIMIT 1)"
                ),
                {"a": MARCH.start, "b": MARCH.end},
            )
        durations = durations[:-1] if n == 301 else durations


def test_the_histogram_follows_reopening_moving_and_deleting(engine, world):
    first, second, third = _resolve(engine, world, [1, 50, 400])
    assert _median(engine) == (pytest.approx(50 / 24), 3)
    with Session(engine) as s, s.begin():  # reopened: no longer resolved
        s.execute(
            update(Concern)
            .where(Concern.id == second)
            .values(resolved_at=None, resolution=None, status="in_progress")
        )
    assert _median(engine) == (pytest.approx(200.5 / 24), 2)
    assert _drift(engine) == {}
    with Session(engine) as s, s.begin():  # moved to another department
        s.execute(update(Concern).where(Concern.id == third).values(department_id=world.emergency))
    assert _median(engine, department_id=world.cardiology) == (pytest.approx(1 / 24), 1)
    assert _median(engine, department_id=world.emergency) == (pytest.approx(400 / 24), 1)
    assert _drift(engine) == {}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM concern WHERE id = :id"), {"id": first})
    assert _median(engine) == (pytest.approx(400 / 24), 1)
    assert _drift(engine) == {}


def test_truncate_empties_the_histogram(engine, world):
    _resolve(engine, world, [1, 2, 3])
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE concern CASCADE"))
        assert conn.scalar(text("SELECT count(*) FROM concern_resolution_day")) == 0
    assert _median(engine) == (None, 0)


def test_drift_is_found_and_repaired_by_check_summaries(engine, world, capsys):
    _resolve(engine, world, [1, 2, 3])
    with engine.begin() as conn:
        conn.execute(text("UPDATE concern_resolution_day SET resolved = resolved + 1"))
    assert set(_drift(engine)) == {"concern_resolution_day"}
    with Session(engine) as s:
        assert any("concern_resolution_day" in d for d in summaries.totals_differ(session=s))
    assert cli.main(["check-summaries"]) == 1
    assert "concern_resolution_day" in capsys.readouterr().out
    assert cli.main(["check-summaries", "--repair"]) == 1  # found (and repaired)
    assert _drift(engine) == {}
    assert cli.main(["check-summaries"]) == 0
    assert _median(engine) == (pytest.approx(2 / 24), 3)


def test_a_time_zone_change_moves_the_days(engine, world):
    # Resolved at 23:30 New York time on Sunday 10 March: the Monday in UTC.
    _resolve(engine, world, [5], resolved=local(2024, 3, 10, 23, 30))
    assert _median(engine) == (pytest.approx(5 / 24), 1)
    with Session(engine) as s, s.begin():
        assert summaries.ensure_summary_time_zone(session=s, tz_name="UTC")
    assert _drift(engine) == {}
    assert _median(engine, period=Period(MARCH.first_day, MARCH.end_day, "UTC")) == (None, 0)
    with Session(engine) as s, s.begin():
        summaries.ensure_summary_time_zone(session=s, tz_name=TZ_NAME)
    assert _median(engine) == (pytest.approx(5 / 24), 1)


@pytest.mark.parametrize("bucket", [0, 1, 4, 17, 18, 26, 40, 52, 60])
def test_a_buckets_duration_range_holds_all_of_it_and_little_else(engine, bucket):
    """The duration range the median adds to its bucket filter (so a long period can walk the
    duration index) holds the whole bucket: a second inside each end is still the bucket, and
    the range is at most a second wider."""
    low, high = kpi._bucket_durations(bucket)
    second = dt.timedelta(seconds=1)
    with engine.connect() as conn:

        def of(duration):
            return conn.scalar(text("SELECT resolution_bucket(:d)"), {"d": duration})

        assert of(high) == bucket + 1
        assert of(high - 2 * second) == bucket
        if bucket:
            assert of(low) == bucket - 1
            assert of(low + 2 * second) == bucket
        else:
            assert of(dt.timedelta(hours=-3)) == 0 and low < dt.timedelta(hours=-3)


def test_both_ways_to_the_middle_agree_with_percentile_cont(engine, world):
    """A period holding all of a bucket's history walks the duration index; a short one sorts
    its own rows of the bucket. Both give percentile_cont's answer."""
    rng = random.Random(15)
    for week in range(12):
        resolved = local(2024, 1, 8, 12) + dt.timedelta(days=7 * week)
        _resolve(engine, world, [rng.uniform(70, 100) for _ in range(9 + week)], resolved=resolved)
    spans = [
        Period(dt.date(2024, 1, 1), dt.date(2024, 6, 1), TZ_NAME),  # everything: walks
        Period(dt.date(2024, 2, 5), dt.date(2024, 2, 12), TZ_NAME),  # one week: sorts
        Period(dt.date(2024, 1, 20), dt.date(2024, 3, 20), TZ_NAME),
    ]
    with Session(engine) as s:
        for period in spans:
            expected = s.scalar(
                text(
                    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    " resolved_at - opened_at)) / 86400 FROM concern WHERE resolved_at >= :a"
                    " AND resolved_at < :b"
                ),
                {"a": period.start, "b": period.end},
            )
            assert kpi.median_days_to_resolve(session=s, period=period).value == pytest.approx(
                float(expected)
            ), period

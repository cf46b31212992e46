"""The analyst's cross-check, kept in CI: every KPI of db.kpi recomputed from the raw rows with
plain SQL, written from docs/metrics.md and not from the app's code (no summaries, no rollups,
no shared SQL functions), for every ISO week and every calendar month of the demo data, for all
departments and for one, plus adversarial rows: both clock changes, ISO week 53, midnight
boundaries, the repeated hour, resolution exactly at the due time, a grievance answered between
the two passes of 01:30."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import dashboard_queries as dq
from db import kpi
from db.periods import Period, week_start
from synthetic import generate
from tests.dashboard_world import add_concern, add_interaction, add_response

TZ_NAME = "America/New_York"
TZ = ZoneInfo(TZ_NAME)
# The demo hospital's six months end here: they hold the autumn clock change (1 November 2026),
# ISO week 53 of 2026 (28 December to 3 January) and the spring change (14 March 2027).
NOW = dt.datetime(2027, 3, 20, 12, 0, tzinfo=TZ).astimezone(dt.UTC)


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ, fold=fold).astimezone(dt.UTC)


def _add_adversarial_rows(session: Session) -> None:
    staff = session.scalar(text("SELECT min(id) FROM app_user"))
    emergency, cardiology = session.scalars(text("SELECT id FROM department ORDER BY id LIMIT 2"))
    any_concern = session.scalar(text("SELECT min(id) FROM concern"))
    for when, outcome in [
        (at(2026, 11, 1, 1, 30, fold=0), "resolved-first-contact"),  # first pass of 01:30
        (at(2026, 11, 1, 1, 30, fold=1), "concern-opened"),  # second pass
        (at(2026, 11, 1, 23, 59), "information-only"),  # Sunday 23:59 EST: Monday in UTC
        (at(2026, 11, 2, 0, 0), "resolved-first-contact"),  # Monday 00:00 sharp
        (at(2027, 1, 3, 23, 59), "resolved-first-contact"),  # last minute of week 53
        (at(2027, 1, 4, 0, 0), "concern-opened"),  # first minute of 2027-W01
        (at(2027, 3, 14, 3, 0), "resolved-first-contact"),  # just after the spring gap
        (at(2027, 3, 14) - dt.timedelta(seconds=1), "information-only"),  # Saturday 23:59:59
    ]:
        # A call that "opened a concern" must point at one.
        concern_id = any_concern if outcome == "concern-opened" else None
        add_interaction(session, staff, when, emergency, outcome, concern_id)

    def concern(**kw):
        return add_concern(session, staff, **kw)

    # Resolved exactly at the due time (on time), and a second later (late).
    for late in (0, 1):
        concern(
            type="complaint",
            severity="high",
            department_id=cardiology,
            opened_at=at(2026, 12, 28, 0, 0),
            due_at=at(2026, 12, 31, 0, 0),
            resolved_at=at(2026, 12, 31, 0, 0) + dt.timedelta(seconds=late),
        )
    # Grievances whose windows end on the repeated hour, in the spring gap, in week 53, and
    # exactly at midnight; answered exactly at the end, half an hour later (between the two
    # passes of 01:30), or not at all.
    for opened, answered_after in [
        (at(2026, 10, 25, 1, 30), dt.timedelta(hours=168)),
        (at(2026, 10, 25, 1, 30), dt.timedelta(hours=168, minutes=30)),
        (at(2027, 3, 7, 2, 30), dt.timedelta(hours=168)),
        (at(2027, 3, 7, 2, 30), dt.timedelta(hours=168, seconds=1)),
        (at(2026, 12, 27, 0, 0), None),
        (at(2026, 12, 27, 23, 59), dt.timedelta(days=2)),
    ]:
        concern(
            type="grievance",
            severity="medium",
            department_id=emergency,
            opened_at=opened,
            due_at=opened + dt.timedelta(days=7),
            written_response_at=opened + answered_after if answered_after else None,
            resolved_at=opened + answered_after if answered_after else None,
        )
    instrument, ltr = session.execute(
        text(
            "SELECT instrument_id, id FROM survey_question "
            "WHERE is_likelihood_to_recommend ORDER BY id LIMIT 1"
        )
    ).one()
    for on, value in [(dt.date(2027, 1, 3), 10), (dt.date(2027, 1, 4), 6)]:
        add_response(session, instrument, emergency, on, {ltr: value})


@pytest.fixture
def demo(engine):
    generate(engine, size="demo", seed=11, progress=lambda _m: None, now=NOW)
    with Session(engine) as s, s.begin():
        _add_adversarial_rows(s)
    return engine


def _periods(session: Session) -> list[Period]:
    first = session.scalar(text("SELECT min(occurred_at) FROM interaction"))
    first_day = first.astimezone(TZ).date()
    last_day = NOW.astimezone(TZ).date()
    found = []
    monday = week_start(first_day)
    while monday <= last_day:
        found.append(Period(monday, monday + dt.timedelta(days=7), TZ_NAME))
        monday += dt.timedelta(days=7)
    month = first_day.replace(day=1)
    while month <= last_day:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        found.append(Period(month, following, TZ_NAME))
        month = following
    return found


# --- plain SQL, one KPI each, from docs/metrics.md -----------------------------------------------

DEPARTMENT = "(CAST(:dept AS integer) IS NULL OR department_id = :dept)"


def _one(session, sql: str, period: Period, dept: int | None, **extra):
    params = {
        "start": period.start,
        "end": period.end,
        "first_day": period.first_day,
        "end_day": period.end_day,
        "dept": dept,
        "tz": TZ_NAME,
        "now": NOW,
        **extra,
    }
    return session.execute(text(sql), params).one()


def _rate(numerator, denominator, scale=1.0):
    return (None if not denominator else scale * float(numerator) / float(denominator)), int(
        denominator or 0
    )


def plain_kpis(session: Session, period: Period, dept: int | None) -> dict[str, tuple]:
    out = {}
    (n,) = _one(
        session,
        f"SELECT count(*) FROM interaction WHERE occurred_at >= :start AND occurred_at < :end"
        f" AND {DEPARTMENT}",
        period,
        dept,
    )
    out["interactions"] = (n,)
    resolved, counted = _one(
        session,
        "SELECT count(*) FILTER (WHERE outcome = 'resolved-first-contact'),"
        " count(*) FILTER (WHERE outcome IN ('resolved-first-contact', 'concern-opened'))"
        f" FROM interaction WHERE occurred_at >= :start AND occurred_at < :end AND {DEPARTMENT}",
        period,
        dept,
    )
    out["first contact"] = _rate(resolved, counted)
    for concern_type in ("complaint", "grievance", "compliment", "suggestion", "inquiry"):
        (n,) = _one(
            session,
            "SELECT count(*) FROM concern WHERE type = :type AND opened_at >= :start"
            f" AND opened_at < :end AND {DEPARTMENT}",
            period,
            dept,
            type=concern_type,
        )
        out[f"opened {concern_type}"] = (n,)
    on_time, clocked = _one(
        session,
        "SELECT count(*) FILTER (WHERE resolved_at <= due_at), count(*) FROM concern"
        " WHERE due_at IS NOT NULL AND resolved_at >= :start AND resolved_at < :end"
        f" AND {DEPARTMENT}",
        period,
        dept,
    )
    out["on time"] = _rate(on_time, clocked)
    median, resolved = _one(
        session,
        "SELECT percentile_cont(0.5) WITHIN GROUP"
        " (ORDER BY extract(epoch FROM resolved_at - opened_at)) / 86400, count(*)"
        f" FROM concern WHERE resolved_at >= :start AND resolved_at < :end AND {DEPARTMENT}",
        period,
        dept,
    )
    out["median days"] = (None if median is None else float(median), resolved)
    # The window's end: the local time written_response_days (those in force at opening) later;
    # PostgreSQL reads a repeated time as the
    # second pass (`later`), so take the first when there is one: the same clock time at the
    # offset in force a day before.
    in_time, ended = _one(
        session,
        "SELECT count(*) FILTER (WHERE written_response_at <= window_end), count(*) FROM ("
        " SELECT written_response_at, department_id,"
        "  CASE WHEN earlier < later AND timezone(:tz, earlier) = local_end"
        "       THEN earlier ELSE later END AS window_end FROM ("
        "   SELECT *, timezone('UTC', local_end - (timezone(:tz, later - interval '1 day')"
        "                        - timezone('UTC', later - interval '1 day'))) AS earlier"
        "   FROM (SELECT *, timezone(:tz, local_end) AS later FROM ("
        "     SELECT *, timezone(:tz, opened_at) + written_response_days * interval '1 day'"
        "      AS local_end"
        "     FROM concern WHERE type = 'grievance') a) b) c) g"
        f" WHERE window_end >= :start AND window_end < least(:end, :now) AND {DEPARTMENT}",
        period,
        dept,
    )
    out["grievance response"] = _rate(in_time, ended)
    promoters_less_detractors, answers = _one(
        session,
        "SELECT count(*) FILTER (WHERE a.value >= 9) - count(*) FILTER (WHERE a.value <= 6),"
        " count(*) FROM survey_answer a JOIN survey_response r ON r.id = a.response_id"
        " JOIN survey_question q ON q.id = a.question_id WHERE q.is_likelihood_to_recommend"
        " AND r.responded_on >= :first_day AND r.responded_on < :end_day"
        " AND (CAST(:dept AS integer) IS NULL OR r.department_id = :dept)",
        period,
        dept,
    )
    out["NPS"] = _rate(promoters_less_detractors, answers, 100.0)
    for instrument in session.scalars(text("SELECT id FROM survey_instrument ORDER BY id")):
        total, top, answers = _one(
            session,
            "SELECT sum(a.value), count(*) FILTER (WHERE a.value >= q.top_box_min), count(*)"
            " FROM survey_answer a JOIN survey_response r ON r.id = a.response_id"
            " JOIN survey_question q ON q.id = a.question_id WHERE q.instrument_id = :instrument"
            " AND r.responded_on >= :first_day AND r.responded_on < :end_day"
            " AND (CAST(:dept AS integer) IS NULL OR r.department_id = :dept)",
            period,
            dept,
            instrument=instrument,
        )
        out[f"mean score {instrument}"] = _rate(total, answers)
        out[f"top box {instrument}"] = _rate(top, answers)
    out["complaints per 1,000"], out["complaint rates"] = _complaints_per_thousand(
        session, period, dept
    )
    return out


def _complaints_per_thousand(session: Session, period: Period, dept: int | None):
    """Encounters: each day's share of its month's volume, times the part of the day that has
    happened by NOW; only departments with a volume for every month those days fall in."""
    encounters = dict(
        session.execute(
            text(
                "WITH days AS ("
                " SELECT d::date AS day, greatest(0, least(1,"
                "  extract(epoch FROM CAST(:now AS timestamptz) - timezone(:tz, d))"
                "  / extract(epoch FROM timezone(:tz, d + interval '1 day') - timezone(:tz, d))"
                " )) AS happened"
                " FROM generate_series(CAST(:first_day AS timestamp),"
                "  CAST(:end_day AS timestamp) - interval '1 day', interval '1 day') d),"
                " counted AS (SELECT * FROM days WHERE happened > 0)"
                " SELECT ev.department_id, sum(ev.encounters * c.happened / extract(day FROM"
                "  date_trunc('month', c.day) + interval '1 month' - interval '1 day'))"
                " FROM counted c JOIN encounter_volume ev"
                "  ON ev.month = date_trunc('month', c.day)::date"
                " GROUP BY ev.department_id HAVING count(DISTINCT ev.month) ="
                "  (SELECT count(DISTINCT date_trunc('month', day)) FROM counted)"
            ),
            {"first_day": period.first_day, "end_day": period.end_day, "tz": TZ_NAME, "now": NOW},
        ).all()
    )
    complaints = dict(
        session.execute(
            text(
                "SELECT coalesce(department_id, 0), count(*) FROM concern"
                " WHERE type IN ('complaint', 'grievance')"
                " AND opened_at >= :start AND opened_at < :end GROUP BY 1"
            ),
            {"start": period.start, "end": period.end},
        ).all()
    )
    by_department = {
        d: (complaints.get(d, 0), float(e), 1000.0 * complaints.get(d, 0) / float(e))
        for d, e in encounters.items()
        if e > 0
    }
    covered = list(encounters) if dept is None else [dept]
    if not covered or any(d not in encounters for d in covered):
        return (None, 0.0), by_department
    total = sum(float(encounters[d]) for d in covered)
    return (
        None if not total else 1000.0 * sum(complaints.get(d, 0) for d in covered) / total,
        total,
    ), by_department


# --- the app's numbers, in the same shape -------------------------------------------------------


def app_kpis(session: Session, period: Period, dept: int | None) -> tuple[dict, dict]:
    """(this period, the previous one) from db.kpi, as plain_kpis shapes them."""
    common = {"session": session, "period": period, "department_id": dept}
    this, before = {}, {}

    def put(name, result, *, count=False):
        if count:
            this[name], before[name] = (result.value,), (result.previous_value,)
        else:
            this[name] = (result.value, result.denominator)
            before[name] = (result.previous_value, result.previous_denominator)

    put("interactions", kpi.interactions(**common), count=True)
    put("first contact", kpi.first_contact_resolution_rate(**common))
    for concern_type, result in kpi.concerns_opened_by_type(**common).items():
        put(f"opened {concern_type}", result, count=True)
    put("on time", kpi.on_time_resolution_rate(**common))
    put("median days", kpi.median_days_to_resolve(**common))
    put("grievance response", kpi.grievance_response_compliance(**common, now=NOW))
    put("NPS", kpi.net_promoter_score(**common))
    for instrument in session.scalars(text("SELECT id FROM survey_instrument ORDER BY id")):
        put(f"mean score {instrument}", kpi.mean_score(**common, instrument_id=instrument))
        put(f"top box {instrument}", kpi.top_box_rate(**common, instrument_id=instrument))
    put("complaints per 1,000", kpi.complaints_per_thousand_encounters(**common, now=NOW))
    return this, before


def _same(a, b) -> bool:
    return all(
        x == y if x is None or y is None else x == pytest.approx(y, rel=1e-9, abs=1e-12)
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.slow
def test_every_kpi_matches_plain_sql_for_every_week_and_month_of_the_demo_data(demo):
    disagreements, compared = [], 0
    with Session(demo) as s:
        periods = _periods(s)
        weeks = [p for p in periods if p.days == 7]
        assert any(p.first_day == dt.date(2026, 12, 28) for p in weeks)  # ISO week 53
        busiest = s.scalar(
            text("SELECT department_id FROM concern GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        )
        for dept in (None, busiest):
            plain = {p: plain_kpis(s, p, dept) for p in periods}
            for period in periods:
                this, before = app_kpis(s, period, dept)
                previous = period.previous()
                expected_before = plain.get(previous) or plain_kpis(s, previous, dept)
                for name, value in this.items():
                    compared += 2
                    if not _same(value, plain[period][name]):
                        disagreements.append((period, dept, name, value, plain[period][name]))
                    if not _same(before[name], expected_before[name]):
                        disagreements.append(
                            (previous, dept, name, before[name], expected_before[name])
                        )
                if dept is None:
                    chart = dq.complaint_rates(session=s, period=period, now=NOW)
                    got = {
                        int(r.department_id): (r.complaints, r.encounters, r.per_thousand)
                        for r in chart.itertuples()
                    }
                    compared += 1
                    expected = plain[period]["complaint rates"]
                    if got.keys() != expected.keys() or not all(
                        _same(got[d], expected[d]) for d in got
                    ):
                        disagreements.append((period, dept, "complaint rates", got, expected))
    assert compared > 2000
    assert disagreements == []


def test_open_and_overdue_now_match_plain_sql(demo):
    then = NOW - dt.timedelta(days=7)
    with Session(demo) as s:
        open_now, overdue = s.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE due_at < :now) FROM concern"
                " WHERE status NOT IN ('resolved', 'closed')"
            ),
            {"now": NOW},
        ).one()
        open_then, overdue_then = s.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE due_at < :then) FROM concern"
                " WHERE opened_at <= :then AND (status NOT IN ('resolved', 'closed')"
                " OR resolved_at > :then)"
            ),
            {"then": then},
        ).one()
        assert kpi.open_now(session=s, now=NOW, then=then) == kpi.KpiResult(
            open_now, None, open_then, None
        )
        assert kpi.overdue_now(session=s, now=NOW, then=then) == kpi.KpiResult(
            overdue, None, overdue_then, None
        )

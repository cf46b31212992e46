"""What the dashboard shows, beyond single KPIs: the chart series and the overdue list.

Counts only: nothing here returns a patient or a narrative, so the results may be cached for all
users and shown in presentation mode. Like db.kpi, every figure is aggregated in PostgreSQL,
mostly from the per-day summaries of migration 0002; the frames returned are small (a few
hundred rows at most) and ready for the chart builders in components/charts.py. What each
figure counts: docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Date, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from db import kpi
from db.models import (
    CLOSED_STATUSES,
    AppUser,
    Category,
    Concern,
    ConcernDay,
    ConcernIssueDay,
    ConcernIssueWeek,
    ConcernWeek,
    Department,
    SurveyAnswerDay,
    SurveyAnswerWeek,
)
from db.periods import Period
from db.summaries import summary_time_zone

NO_DEPARTMENT = "No department"
SMALL_SAMPLE = 30  # fewer answers than this are too few to trust (docs/metrics.md)
AGE_BANDS = ("Under 1 day", "1–3 days", "3–7 days", "1–2 weeks", "2–4 weeks", "4 weeks or more")
_AGE_LIMITS_DAYS = (1, 3, 7, 14, 28)


def departments(*, session: Session) -> list[tuple[int, str]]:
    """(id, name) of every department, active ones first, for the department filter."""
    rows = session.execute(
        select(Department.id, Department.name).order_by(Department.active.desc(), Department.name)
    ).all()
    return [(int(i), str(n)) for i, n in rows]


def _department_names(session: Session) -> dict[int, str]:
    names = {i: n for i, n in departments(session=session)}
    names[0] = NO_DEPARTMENT
    return names


def _week(day_column):
    # date_trunc('week') is the ISO Monday; the days are already on the facility's calendar.
    return cast(func.date_trunc("week", day_column), Date)


def weekly_concern_volume(
    *, session: Session, period: Period, department_id: int | None = None
) -> pd.DataFrame:
    """Concerns opened per ISO week and type: columns week, type, opened."""
    s = kpi.rollup(ConcernDay, ConcernWeek, [period], kpi.in_department(department_id))
    week = _week(s.day).label("week")
    rows = session.execute(
        select(week, s.type, func.sum(s.opened).label("opened"))
        .where(s.opened != 0)
        .group_by(week, s.type)
        .order_by(week, s.type)
    ).all()
    frame = pd.DataFrame(rows, columns=["week", "type", "opened"])
    frame["opened"] = frame["opened"].astype(int)
    return frame


def concerns_by_department(*, session: Session, period: Period) -> pd.DataFrame:
    """Concerns opened in the period per department (all departments, for the click-to-narrow
    chart): columns department_id, department, opened; largest first."""
    s = kpi.rollup(ConcernDay, ConcernWeek, [period], month_model=kpi.MONTHS[ConcernDay])
    rows = session.execute(
        select(s.department_id, func.sum(s.opened).label("opened"))
        .group_by(s.department_id)
        .having(func.sum(s.opened) > 0)
    ).all()
    names = _department_names(session)
    frame = pd.DataFrame(
        [(int(d), names.get(int(d), f"Department {d}"), int(n)) for d, n in rows],
        columns=["department_id", "department", "opened"],
    )
    return frame.sort_values(["opened", "department"], ascending=[False, True], ignore_index=True)


def issues_by_category(
    *, session: Session, period: Period, department_id: int | None = None
) -> pd.DataFrame:
    """Issues raised by concerns opened in the period, per category: columns category, issues
    (a concern with two issues counts in both categories)."""
    s = kpi.rollup(
        ConcernIssueDay,
        ConcernIssueWeek,
        [period],
        kpi.in_department(department_id),
        month_model=kpi.MONTHS[ConcernIssueDay],
    )
    rows = session.execute(
        select(Category.name, func.sum(s.issues).label("issues"))
        .join(Category, Category.id == s.category_id)
        .group_by(Category.name)
        .having(func.sum(s.issues) > 0)
    ).all()
    frame = pd.DataFrame([(c, int(n)) for c, n in rows], columns=["category", "issues"])
    return frame.sort_values(["issues", "category"], ascending=[False, True], ignore_index=True)


def complaint_rates(*, session: Session, period: Period, now: dt.datetime) -> pd.DataFrame:
    """Complaints and grievances per 1,000 encounters, for departments whose encounter volumes
    cover the period up to `now`: columns department_id, department, complaints, encounters
    (exact; round for display), per_thousand. Same rule as the KPI tile
    (kpi.complaints_per_thousand_encounters; docs/metrics.md)."""
    encounters = kpi.encounters_by_department(session=session, period=period, now=now)
    complaints = kpi.complaints_by_department(session=session, period=period)
    names = _department_names(session)
    rows = [
        (
            d,
            names.get(d, f"Department {d}"),
            complaints.get(d, 0),
            e,
            1000.0 * complaints.get(d, 0) / e,
        )
        for d, e in encounters.items()
        if e > 0
    ]
    frame = pd.DataFrame(
        rows, columns=["department_id", "department", "complaints", "encounters", "per_thousand"]
    )
    return frame.sort_values("per_thousand", ascending=False, ignore_index=True)


def open_concerns_by_age(
    *, session: Session, now: dt.datetime, department_id: int | None = None
) -> pd.DataFrame:
    """Open concerns by how long they have been open and by severity: columns band, severity,
    concerns (bands in AGE_BANDS order)."""
    c = Concern
    age = now - c.opened_at
    whens = [
        (age < dt.timedelta(days=limit), literal(index))
        for index, limit in enumerate(_AGE_LIMITS_DAYS)
    ]
    band = case(*whens, else_=literal(len(_AGE_LIMITS_DAYS))).label("band")
    rows = session.execute(
        select(band, c.severity, func.count().label("concerns"))
        .where(
            c.status.not_in(CLOSED_STATUSES),
            kpi.department_condition(c.department_id, department_id),
        )
        .group_by(band, c.severity)
    ).all()
    frame = pd.DataFrame(
        [(AGE_BANDS[int(b)], s, int(n)) for b, s, n in rows],
        columns=["band", "severity", "concerns"],
    )
    return frame


def weekly_satisfaction(
    *, session: Session, period: Period, department_id: int | None = None
) -> pd.DataFrame:
    """NPS per ISO week from the likelihood-to-recommend question(s): columns week, answers,
    promoters, detractors, nps, small_sample (n < 30: too few to trust)."""
    # The ids as values, as net_promoter_score does: read by question and day together.
    ltr = session.scalars(kpi.likelihood_to_recommend_questions()).all()
    s = kpi.rollup(
        SurveyAnswerDay,
        SurveyAnswerWeek,
        [period],
        kpi.in_department(department_id),
        lambda t: t.question_id.in_(ltr),
    )
    week = _week(s.day).label("week")
    rows = session.execute(
        select(
            week,
            func.sum(s.answers).label("answers"),
            func.sum(s.promoters).label("promoters"),
            func.sum(s.detractors).label("detractors"),
        )
        .group_by(week)
        .having(func.sum(s.answers) > 0)
        .order_by(week)
    ).all()
    frame = pd.DataFrame(rows, columns=["week", "answers", "promoters", "detractors"])
    for column in ("answers", "promoters", "detractors"):
        frame[column] = frame[column].astype(int)
    frame["nps"] = 100.0 * (frame["promoters"] - frame["detractors"]) / frame["answers"]
    frame["small_sample"] = frame["answers"] < SMALL_SAMPLE
    return frame


def _overdue(now: dt.datetime, department_id: int | None):
    c = Concern
    return and_(
        c.status.not_in(CLOSED_STATUSES),
        c.due_at < now,
        kpi.department_condition(c.department_id, department_id),
    )


def overdue_concerns(
    *, session: Session, now: dt.datetime, department_id: int | None = None, limit: int = 50
) -> pd.DataFrame:
    """The most overdue open concerns, without anything that identifies a patient (no patient,
    no summary): columns concern, type, severity, department, owner, due_at, days_overdue."""
    c = Concern
    rows = session.execute(
        select(
            c.id,
            c.type,
            c.severity,
            Department.name,
            AppUser.display_name,
            c.due_at,
        )
        .outerjoin(Department, Department.id == c.department_id)
        .outerjoin(AppUser, AppUser.id == c.owner_id)
        .where(_overdue(now, department_id))
        .order_by(c.due_at)
        .limit(limit)
    ).all()
    frame = pd.DataFrame(
        [
            (
                int(i),
                t,
                s,
                d or NO_DEPARTMENT,
                o or "Unassigned",
                due,
                round((now - due).total_seconds() / 86400, 1),
            )
            for i, t, s, d, o, due in rows
        ],
        columns=["concern", "type", "severity", "department", "owner", "due_at", "days_overdue"],
    )
    return frame


def overdue_counts(
    *, session: Session, now: dt.datetime, department_id: int | None = None
) -> pd.DataFrame:
    """Overdue open concerns per department and severity (counts only): columns department,
    severity, concerns."""
    c = Concern
    rows = session.execute(
        select(c.department_id, c.severity, func.count())
        .where(_overdue(now, department_id))
        .group_by(c.department_id, c.severity)
    ).all()
    names = _department_names(session)
    frame = pd.DataFrame(
        [(names.get(int(d or 0), NO_DEPARTMENT), s, int(n)) for d, s, n in rows],
        columns=["department", "severity", "concerns"],
    )
    return frame.sort_values(["concerns", "department"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class DashboardNumbers:
    """Everything the dashboard shows apart from the overdue list: counts and rates only, the
    same for every role, so it can be cached for all users."""

    period: Period
    comparison: Period
    trend: Period
    department_id: int | None
    computed_at: dt.datetime
    summaries_tz: str  # the zone whose days the summaries count (db.summaries)
    interactions: kpi.KpiResult
    concerns_opened: kpi.KpiResult
    opened_by_type: dict[str, kpi.KpiResult]
    open_now: kpi.KpiResult
    overdue_now: kpi.KpiResult
    on_time_rate: kpi.KpiResult
    median_days: kpi.KpiResult
    first_contact_rate: kpi.KpiResult
    grievance_compliance: kpi.KpiResult
    nps: kpi.KpiResult
    complaints_per_thousand: kpi.KpiResult
    weekly_volume: pd.DataFrame
    by_department: pd.DataFrame
    by_category: pd.DataFrame
    complaint_rates: pd.DataFrame
    open_by_age: pd.DataFrame
    satisfaction: pd.DataFrame


def dashboard_numbers(
    *,
    session: Session,
    period: Period,
    comparison: Period,
    trend: Period,
    department_id: int | None,
    now: dt.datetime,
) -> DashboardNumbers:
    """Every tile and chart of the dashboard for one period, comparison, trend span and
    department (None: all). Open and overdue are compared with the same moment one period
    earlier."""
    then = now - (period.start - comparison.start)
    common = {
        "session": session,
        "period": period,
        "previous": comparison,
        "department_id": department_id,
    }
    by_type = kpi.concerns_opened_by_type(**common)
    opened = kpi.KpiResult(
        sum(r.value for r in by_type.values()),
        None,
        sum(r.previous_value for r in by_type.values()),
        None,
    )
    return DashboardNumbers(
        period=period,
        comparison=comparison,
        trend=trend,
        department_id=department_id,
        computed_at=now,
        summaries_tz=summary_time_zone(session=session),
        interactions=kpi.interactions(**common),
        concerns_opened=opened,
        opened_by_type=by_type,
        open_now=kpi.open_now(session=session, now=now, then=then, department_id=department_id),
        overdue_now=kpi.overdue_now(
            session=session, now=now, then=then, department_id=department_id
        ),
        on_time_rate=kpi.on_time_resolution_rate(**common),
        median_days=kpi.median_days_to_resolve(**common),
        first_contact_rate=kpi.first_contact_resolution_rate(**common),
        grievance_compliance=kpi.grievance_response_compliance(**common, now=now),
        nps=kpi.net_promoter_score(**common),
        complaints_per_thousand=kpi.complaints_per_thousand_encounters(**common, now=now),
        weekly_volume=weekly_concern_volume(
            session=session, period=trend, department_id=department_id
        ),
        by_department=concerns_by_department(session=session, period=period),
        by_category=issues_by_category(session=session, period=period, department_id=department_id),
        complaint_rates=complaint_rates(session=session, period=period, now=now),
        open_by_age=open_concerns_by_age(session=session, now=now, department_id=department_id),
        satisfaction=weekly_satisfaction(
            session=session, period=trend, department_id=department_id
        ),
    )

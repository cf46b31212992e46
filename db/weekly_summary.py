"""The weekly summary leadership reads: one ISO week's KPIs against the week before and the four
weeks before that, with the trends and lists behind them.

Every figure comes from the dashboard's own functions (db.kpi and db.dashboard_queries), called
for the week, so the summary and the dashboard agree to the digit for the same week. Nothing here
returns a patient or a narrative: the summary is safe on a shared screen and in a mailed file.
The week's rows for the data exports are read by `week_interactions` and `week_concerns`,
de-identified unless the caller asks (and is allowed) to identify them.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db import dashboard_queries as dq
from db import kpi, satisfaction
from db.audit import record_audit
from db.models import (
    AppUser,
    Category,
    Concern,
    Department,
    Interaction,
    Patient,
)
from db.periods import Period, facility_today, iso_week, week_start

TREND_WEEKS = 26  # the control-chart span behind each variation icon
BASELINE_WEEKS = 4  # "the 4 weeks before"
_WEEK_TEXT = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)

Kind = Literal["count", "share", "days", "points", "per_thousand"]
# Which way is better: "up" (satisfaction, on-time), "down" (complaints, overdue), None (volume).
Direction = Literal["up", "down"] | None


# --- which week ----------------------------------------------------------------------------------


def week_label(period: Period) -> str:
    """'2026-W47': the ISO week of a period that starts on a Monday."""
    year, week, _ = period.first_day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str, *, tz_name: str) -> Period:
    """The ISO week written as '2026-W47' (or '2026W47'); ValueError when it is not one."""
    match = _WEEK_TEXT.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return iso_week(year, week, tz_name)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None


def last_complete_week(*, now: dt.datetime, tz_name: str) -> Period:
    """The last ISO week that has ended on the facility's calendar at `now`."""
    from zoneinfo import ZoneInfo

    monday = week_start(facility_today(ZoneInfo(tz_name), now)) - dt.timedelta(days=7)
    return Period(monday, monday + dt.timedelta(days=7), tz_name)


def is_complete(week: Period, *, now: dt.datetime) -> bool:
    """True when the week has ended at `now` (its figures will not move with the clock)."""
    return week.end <= now


# --- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPoint:
    """One week of a measure's trend: its value and, for rates, what it was divided by."""

    week: dt.date  # the Monday
    value: float | None
    denominator: int | None


@dataclass(frozen=True)
class KpiLine:
    """One row of the KPI table."""

    key: str
    label: str
    kind: Kind
    direction: Direction
    of: str  # what the denominator counts ("" for counts)
    this_week: kpi.KpiResult  # value/denominator for the week, previous_* for the week before
    baseline_value: float | None  # the 4 weeks before: weekly average (counts) or pooled rate
    baseline_denominator: int | None
    trend: tuple[WeekPoint, ...]  # the trailing weeks, oldest first, ending with this week


@dataclass(frozen=True)
class Mover:
    """A category or department this week against the median of its 4 weeks before."""

    name: str
    this_week: int
    median_before: float


@dataclass(frozen=True)
class InstrumentScore:
    """Top-box share of one survey instrument's answers this week."""

    instrument: str
    top_box: kpi.KpiResult


@dataclass(frozen=True)
class WeeklySummary:
    """Everything the weekly summary shows: counts and rates only, never a patient."""

    facility: str
    week: Period
    previous: Period
    baseline: Period
    trend: Period
    cutoff: dt.datetime  # the moment the figures were read
    complete: bool
    lines: tuple[KpiLine, ...]
    opened_by_type: dict[str, kpi.KpiResult]
    top_categories: tuple[Mover, ...]
    top_departments: tuple[Mover, ...]
    overdue_by_department: pd.DataFrame  # department, overdue (at week end)
    complaint_rates: pd.DataFrame  # department, complaints, encounters, per_thousand
    instruments: tuple[InstrumentScore, ...]
    weekly_volume: pd.DataFrame  # week, type, opened (the trend span)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return week_label(self.week)

    def line(self, key: str) -> KpiLine:
        return next(line for line in self.lines if line.key == key)


def _weeks(trend: Period) -> list[Period]:
    return [
        Period(
            trend.first_day + dt.timedelta(days=7 * i),
            trend.first_day + dt.timedelta(days=7 * (i + 1)),
            trend.tz_name,
        )
        for i in range(trend.days // 7)
    ]


def _trend(
    measure: Callable[..., kpi.KpiResult], weeks: list[Period]
) -> tuple[tuple[WeekPoint, ...], kpi.KpiResult]:
    """A weekly series of one KPI, two weeks per call (a week and, as its comparison, the one
    before), so the series costs half as many calls as weeks; also the last call's result (the
    last week against the one before it)."""
    points: dict[dt.date, WeekPoint] = {}
    last = None
    for index in range(len(weeks) - 1, -1, -2):
        week = weeks[index]
        before = weeks[index - 1] if index else week.previous()
        result = measure(period=week, previous=before)
        last = last or result
        points[week.first_day] = WeekPoint(week.first_day, result.value, result.denominator)
        if index:
            points[before.first_day] = WeekPoint(
                before.first_day, result.previous_value, result.previous_denominator
            )
    assert last is not None
    return tuple(points[w.first_day] for w in weeks), last


def _pooled(
    measure: Callable[..., kpi.KpiResult], baseline: Period, kind: Kind
) -> tuple[float | None, int | None]:
    result = measure(period=baseline, previous=baseline.previous())
    if kind == "count":
        return (None if result.value is None else result.value / BASELINE_WEEKS), None
    return result.value, result.denominator


def _line(
    key: str,
    label: str,
    kind: Kind,
    direction: Direction,
    of: str,
    measure: Callable[..., kpi.KpiResult],
    *,
    week: Period,
    previous: Period,
    baseline: Period,
    weeks: list[Period],
) -> KpiLine:
    # The trend ends with this week, compared with the previous one: the table's own figures.
    trend, this_week = _trend(measure, weeks)
    assert weeks[-1] == week and weeks[-2] == previous
    baseline_value, baseline_denominator = _pooled(measure, baseline, kind)
    return KpiLine(
        key, label, kind, direction, of, this_week, baseline_value, baseline_denominator, trend
    )


def _at_week_ends(
    measure: Callable[..., kpi.KpiResult], weeks: list[Period], cutoff: dt.datetime
) -> tuple[WeekPoint, ...]:
    # "Open"/"overdue" at a moment: the KPI's comparison value, read as at each week's end.
    return tuple(
        WeekPoint(w.first_day, measure(now=cutoff, then=min(w.end, cutoff)).previous_value, None)
        for w in weeks
    )


def _state_line(
    key: str,
    label: str,
    measure: Callable[..., kpi.KpiResult],
    weeks: list[Period],
    cutoff: dt.datetime,
) -> KpiLine:
    trend = _at_week_ends(measure, weeks, cutoff)
    value, previous = trend[-1].value, trend[-2].value
    before = [p.value for p in trend[-2 - BASELINE_WEEKS : -2] if p.value is not None]
    return KpiLine(
        key, label, "count", "down", "",
        kpi.KpiResult(value, None, previous, None),
        sum(before) / len(before) if before else None, None, trend,
    )  # fmt: skip


def _movers(
    frames: list[pd.DataFrame], name_column: str, value_column: str, limit: int
) -> tuple[Mover, ...]:
    """The largest this week (frames[0]) with the median of the same name over frames[1:]."""
    this_week, before = frames[0], frames[1:]
    movers = []
    for name, value in zip(this_week[name_column], this_week[value_column], strict=True):
        history = []
        for frame in before:
            found = frame.loc[frame[name_column] == name, value_column]
            history.append(int(found.iloc[0]) if len(found) else 0)
        movers.append(Mover(str(name), int(value), float(statistics.median(history))))
    return tuple(movers[:limit])


def _overdue_by_department(
    session: Session, week: Period, cutoff: dt.datetime, total: float | None
) -> pd.DataFrame:
    then = min(week.end, cutoff)
    rows = []
    for department_id, name in dq.departments(session=session):
        result = kpi.overdue_now(
            session=session, now=cutoff, then=then, department_id=department_id
        )
        if result.previous_value:
            rows.append((name, int(result.previous_value)))
    # Concerns without a department: what the all-departments figure holds beyond the named ones.
    unnamed = int(total or 0) - sum(n for _, n in rows)
    if unnamed > 0:
        rows.append((dq.NO_DEPARTMENT, unnamed))
    frame = pd.DataFrame(rows, columns=["department", "overdue"])
    return frame.sort_values(["overdue", "department"], ascending=[False, True], ignore_index=True)


def _rate_lines(now: dt.datetime) -> list[tuple]:
    # key, label, kind, better, denominator, KPI function, its extra arguments
    return [
        ("interactions", "Interactions", "count", None, "", kpi.interactions, {}),
        ("concerns_opened", "Concerns opened", "count", None, "", kpi.concerns_opened, {}),
        ("complaints", "Complaints & grievances opened", "count", "down", "",
         kpi.concerns_opened, {"types": kpi.COMPLAINT_TYPES}),
        ("complaints_per_thousand", "Complaints per 1,000 encounters", "per_thousand", "down",
         "encounters", kpi.complaints_per_thousand_encounters, {"now": now}),
        ("on_time", "On-time resolution", "share", "up", "resolved with a due time",
         kpi.on_time_resolution_rate, {}),
        ("median_days", "Median days to resolve", "days", "down", "resolved",
         kpi.median_days_to_resolve, {}),
        ("first_contact", "First-contact resolution", "share", "up",
         "resolved or opening a concern", kpi.first_contact_resolution_rate, {}),
        ("grievance_response", "Grievance response on time", "share", "up", "windows ended",
         kpi.grievance_response_compliance, {"now": now}),
        ("nps", "Net Promoter Score", "points", "up", "answers", kpi.net_promoter_score, {}),
    ]  # fmt: skip


def weekly_summary(
    *, session: Session, week: Period, now: dt.datetime, facility: str, top: int = 5
) -> WeeklySummary:
    """The summary of ISO week `week`, with figures read at `now` (the data cut-off)."""
    previous = week.previous()
    baseline = Period(
        week.first_day - dt.timedelta(days=7 * (1 + BASELINE_WEEKS)),
        previous.first_day,
        week.tz_name,
    )
    trend = Period(week.end_day - dt.timedelta(days=7 * TREND_WEEKS), week.end_day, week.tz_name)
    weeks = _weeks(trend)
    common = {"week": week, "previous": previous, "baseline": baseline, "weeks": weeks}

    def measure(
        function: Callable[..., kpi.KpiResult], **extra: Any
    ) -> Callable[..., kpi.KpiResult]:
        return lambda **kw: function(session=session, **extra, **kw)

    lines = [
        _line(key, label, kind, direction, of, measure(function, **extra), **common)
        for key, label, kind, direction, of, function, extra in _rate_lines(now)
    ]
    lines += [
        _state_line("open_at_week_end", "Open at week end", measure(kpi.open_now), weeks, now),
        _state_line(
            "overdue_at_week_end", "Overdue at week end", measure(kpi.overdue_now), weeks, now
        ),
    ]
    before_weeks = [
        Period(
            previous.first_day - dt.timedelta(days=7 * i),
            previous.end_day - dt.timedelta(days=7 * i),
            week.tz_name,
        )
        for i in range(1, BASELINE_WEEKS + 1)
    ]
    categories = [dq.issues_by_category(session=session, period=p) for p in (week, *before_weeks)]
    by_department = [
        dq.concerns_by_department(session=session, period=p) for p in (week, *before_weeks)
    ]
    # Each instrument's top-box share as the Satisfaction page reads it for a period.
    instruments = tuple(
        InstrumentScore(
            instrument.name,
            satisfaction.period_scores(
                session=session,
                period=week,
                previous=previous,
                department_id=None,
                question=None,
                instrument_id=instrument.id,
            ).top_box,
        )
        for instrument in satisfaction.instruments(session=session)
    )
    overdue_total = next(line for line in lines if line.key == "overdue_at_week_end")
    summary = WeeklySummary(
        facility=facility,
        week=week,
        previous=previous,
        baseline=baseline,
        trend=trend,
        cutoff=now,
        complete=is_complete(week, now=now),
        lines=tuple(lines),
        opened_by_type=kpi.concerns_opened_by_type(session=session, period=week, previous=previous),
        top_categories=_movers(categories, "category", "issues", top),
        top_departments=_movers(by_department, "department", "opened", top),
        overdue_by_department=_overdue_by_department(
            session, week, now, overdue_total.this_week.value
        ),
        complaint_rates=dq.complaint_rates(session=session, period=week, now=now)[
            ["department", "complaints", "encounters", "per_thousand"]
        ],
        instruments=instruments,
        weekly_volume=dq.weekly_concern_volume(session=session, period=trend),
    )
    lookup = {line.key: line for line in lines}
    summary.counts.update(
        interactions=int(lookup["interactions"].this_week.value or 0),
        concerns_opened=int(lookup["concerns_opened"].this_week.value or 0),
        concerns_resolved=int(lookup["median_days"].this_week.denominator or 0),
        survey_answers=int(lookup["nps"].this_week.denominator or 0),
    )
    return summary


# --- the week's rows, for the data exports -------------------------------------------------------

INTERACTION_COLUMNS = (
    "interaction", "occurred_at", "channel", "direction", "department", "category", "outcome",
    "duration_minutes", "concern", "logged_by",
)  # fmt: skip
CONCERN_COLUMNS = (
    "concern", "type", "severity", "status", "department", "category", "owner", "opened_at",
    "due_at", "acknowledged_at", "written_response_at", "resolved_at",
)  # fmt: skip
IDENTIFIED_COLUMNS = ("patient_mrn", "patient_name", "summary")


def _local(moment: dt.datetime | None, week: Period) -> dt.datetime | None:
    # Facility wall-clock time without a zone: what a spreadsheet shows as a date and time.
    return None if moment is None else moment.astimezone(week.tz).replace(tzinfo=None)


def week_interactions(*, session: Session, week: Period, identified: bool = False) -> pd.DataFrame:
    """Interactions that happened in the week, oldest first. De-identified (no patient, no
    summary) unless `identified`, which adds the patient's MRN and name and the summary."""
    i = Interaction
    columns = [
        i.id, i.occurred_at, i.channel, i.direction, Department.name, Category.name, i.outcome,
        i.duration_minutes, i.concern_id, AppUser.display_name,
    ]  # fmt: skip
    if identified:
        columns += [Patient.mrn, Patient.given_name + " " + Patient.family_name, i.summary]
    query = (
        select(*columns)
        .outerjoin(Department, Department.id == i.department_id)
        .outerjoin(Category, Category.id == i.category_id)
        .outerjoin(AppUser, AppUser.id == i.logged_by)
        .where(i.occurred_at >= week.start, i.occurred_at < week.end)
        .order_by(i.occurred_at, i.id)
    )
    if identified:
        query = query.outerjoin(Patient, Patient.id == i.patient_id)
    rows = [(r[0], _local(r[1], week), *r[2:]) for r in session.execute(query).all()]
    names = INTERACTION_COLUMNS + (IDENTIFIED_COLUMNS if identified else ())
    return pd.DataFrame(rows, columns=list(names))


def week_concerns(*, session: Session, week: Period, identified: bool = False) -> pd.DataFrame:
    """Concerns opened in the week, oldest first, with their dates (local time) as they stand
    now. De-identified unless `identified` (adds MRN, name and the concern's summary)."""
    c = Concern
    owner = aliased(AppUser)
    columns = [
        c.id, c.type, c.severity, c.status, Department.name, Category.name, owner.display_name,
        c.opened_at, c.due_at, c.acknowledged_at, c.written_response_at, c.resolved_at,
    ]  # fmt: skip
    if identified:
        columns += [Patient.mrn, Patient.given_name + " " + Patient.family_name, c.summary]
    query = (
        select(*columns)
        .outerjoin(Department, Department.id == c.department_id)
        .outerjoin(Category, Category.id == c.category_id)
        .outerjoin(owner, owner.id == c.owner_id)
        .where(c.opened_at >= week.start, c.opened_at < week.end)
        .order_by(c.opened_at, c.id)
    )
    if identified:
        query = query.outerjoin(Patient, Patient.id == c.patient_id)
    rows = [
        (
            r[0], r[1], r[2], r[3], r[4] or dq.NO_DEPARTMENT, r[5], r[6] or "Unassigned",
            *(_local(t, week) for t in r[7:12]), *r[12:],
        )
        for r in session.execute(query).all()
    ]  # fmt: skip
    names = CONCERN_COLUMNS + (IDENTIFIED_COLUMNS if identified else ())
    return pd.DataFrame(rows, columns=list(names))


def record_weekly_export(
    *,
    session: Session,
    username: str,
    user_id: int | None,
    week: Period,
    file_format: str,
    rows: int,
    sha256: str,
    identified: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Audit one weekly-summary file handed out: format, week, row count and its SHA-256. An
    identified file is recorded as an unmask, as every view of patient data is."""
    detail = {
        "report": "weekly-summary",
        "filters": {"week": week_label(week)},
        "format": file_format,
        "rows": rows,
        "sha256": sha256,
        "identified": identified,
        **(extra or {}),
    }
    record_audit(
        session=session,
        action="unmask" if identified else "export",
        username=username,
        user_id=user_id,
        entity="weekly-summary",
        entity_id=week_label(week),
        detail=detail,
    )

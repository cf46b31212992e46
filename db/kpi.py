"""The KPIs of SPEC section 4, in one place: the dashboard, the weekly summary and the exports
all call these functions, so they all show the same numbers.

Every KPI is aggregated in PostgreSQL and returns a `KpiResult`: the value for the period, its
denominator (None for plain counts), and the same two for the comparison period. A rate whose
denominator is 0 has the value None, which the screens show as "—".

Counts by day come from the per-day summaries that database triggers keep current (migration
0002), so two years cost about as much as a week. Figures a daily count cannot give exactly (the
median time to resolve, grievance windows that end at a clock time, what is open right now) are
read from the raw rows through narrow indexes.

Periods are whole days on the facility's calendar (db.periods.Period); the summaries are keyed by
that calendar, so `ensure_summary_time_zone` rebuilds them if the facility's zone changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Interval,
    and_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from db.models import (
    CLOSED_STATUSES,
    CONCERN_TYPES,
    Base,
    Concern,
    ConcernDay,
    ConcernWeek,
    DashboardSummaryState,
    GrievanceWindowDay,
    InteractionDay,
    InteractionWeek,
    SurveyAnswerDay,
    SurveyAnswerWeek,
    SurveyQuestion,
)
from db.periods import Period, facility_today, local_midnight
from db.sla import GRIEVANCE_RESPONSE_DAYS

DEFAULT_SUMMARY_TZ = "America/New_York"  # what migration 0002's triggers assume with no row
COMPLAINT_TYPES = ("complaint", "grievance")
RESOLVED_FIRST_CONTACT = "resolved-first-contact"
CONCERN_OPENED = "concern-opened"


@dataclass(frozen=True)
class KpiResult:
    """A KPI for a period and for the period it is compared with.

    `denominator` is what a rate was divided by (None for counts). `value` is None when the
    denominator is 0: there is nothing to measure, which is not the same as 0%.
    """

    value: float | None
    denominator: int | None
    previous_value: float | None
    previous_denominator: int | None

    @property
    def change(self) -> float | None:
        """value - previous_value, or None when either is missing."""
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value


def _ratio(numerator: float | None, denominator: int | None, scale: float = 1.0) -> float | None:
    if not denominator:
        return None
    return scale * float(numerator or 0) / denominator


def _rate(num: float, den: int, prev_num: float, prev_den: int, scale: float = 1.0) -> KpiResult:
    return KpiResult(
        _ratio(num, den, scale),
        int(den or 0),
        _ratio(prev_num, prev_den, scale),
        int(prev_den or 0),
    )


def _count(value, previous) -> KpiResult:
    return KpiResult(int(value or 0), None, int(previous or 0), None)


# --- the summaries' calendar -------------------------------------------------------------------


def ensure_summary_time_zone(*, session: Session, tz_name: str) -> bool:
    """Make the summaries count days in `tz_name`; rebuilds them (once) if they used another
    zone. Returns True when it rebuilt."""
    current = session.scalar(select(DashboardSummaryState.facility_tz))
    if (current or DEFAULT_SUMMARY_TZ) == tz_name:
        return False
    session.execute(
        text(
            "INSERT INTO dashboard_summary_state (id, facility_tz) VALUES (1, :tz) "
            "ON CONFLICT (id) DO UPDATE SET facility_tz = excluded.facility_tz"
        ),
        {"tz": tz_name},
    )
    rebuild_summaries(session=session)
    return True


def rebuild_summaries(*, session: Session) -> None:
    """Refill every dashboard summary from the raw rows (after a bulk load with triggers off,
    or a time-zone change). Writers wait until it commits."""
    session.execute(text("SELECT rebuild_dashboard_summaries()"))


# Each summary and its key columns (migration 0002); the other columns are measures.
SUMMARY_KEYS = {
    "interaction_day": ("day", "department_id", "outcome"),
    "concern_day": ("day", "department_id", "type"),
    "concern_issue_day": ("day", "department_id", "category_id"),
    "survey_answer_day": ("question_id", "day", "department_id"),
    "grievance_window_day": ("day", "department_id"),
    "interaction_week": ("week", "department_id", "outcome"),
    "concern_week": ("week", "department_id", "type"),
    "concern_issue_week": ("week", "department_id", "category_id"),
    "survey_answer_week": ("question_id", "week", "department_id"),
}


def summary_drift(*, session: Session) -> dict[str, int]:
    """Rows where a summary and the same aggregate computed from the raw rows (its `_source`
    view) disagree, per summary: all zero when the triggers have kept up. A row brought to zero
    by subtraction equals no row."""
    drift = {}
    for table, keys in SUMMARY_KEYS.items():
        columns = [c.name for c in Base.metadata.tables[table].columns]
        nonzero = " OR ".join(f"{c} <> 0" for c in columns if c not in keys)
        cols = ", ".join(columns)
        drift[table] = session.scalar(
            text(
                f"SELECT count(*) FROM ("
                f"(SELECT {cols} FROM {table} WHERE {nonzero}"
                f" EXCEPT SELECT {cols} FROM {table}_source)"
                f" UNION ALL "
                f"(SELECT {cols} FROM {table}_source EXCEPT SELECT {cols} FROM {table})) AS d"
            )
        )
    return drift


def data_version(*, session: Session) -> int:
    """A number that changes whenever anything the dashboard counts changes (a sequence moved
    by the summary triggers): a cache key that all app servers agree on."""
    last_value, is_called = session.execute(
        text("SELECT last_value, is_called FROM dashboard_data_version")
    ).one()
    return int(last_value) if is_called else 0


# --- helpers -----------------------------------------------------------------------------------


def _days(day_column, period: Period) -> ColumnElement[bool]:
    return and_(day_column >= period.first_day, day_column < period.end_day)


def _either(day_column, period: Period, previous: Period) -> ColumnElement[bool]:
    return and_(
        day_column >= min(period.first_day, previous.first_day),
        day_column < max(period.end_day, previous.end_day),
    )


def rollup(day_model, week_model, spans: Sequence[Period], *conditions: Callable[[Any], Any]):
    """The rows of a day summary over `spans`, reading whole ISO weeks from its weekly rollup
    (their `day` is the Monday) and only the days around the spans' edges from the day rows:
    about a seventh of the rows over a long period. Returns the columns of the result
    (`.day`, the keys, the measures).

    A week is read whole only when no span starts or ends inside it, so a filter on `day` by
    any of the spans still selects exactly its days. `conditions` (functions of a table) filter
    both parts, e.g. lambda t: t.department_id == 7."""
    bounds = sorted({day for p in spans for day in (p.first_day, p.end_day)})
    week_ranges, day_ranges = [], []
    for low, high in zip(bounds, bounds[1:], strict=False):
        if not any(p.first_day <= low and high <= p.end_day for p in spans):
            continue  # between two spans: nothing to read
        first_monday = low + dt.timedelta(days=-low.weekday() % 7)
        last_monday = high - dt.timedelta(days=high.weekday())
        if first_monday < last_monday:
            week_ranges.append((first_monday, last_monday))
            day_ranges += [(low, first_monday), (last_monday, high)]
        else:
            day_ranges.append((low, high))
    day_ranges = [(a, b) for a, b in day_ranges if a < b]
    names = [c.name for c in day_model.__table__.columns if c.name != "day"]
    parts = []
    if week_ranges:
        week = week_model.week
        parts.append(
            select(week.label("day"), *(getattr(week_model, n) for n in names)).where(
                or_(*(and_(week >= a, week < b) for a, b in week_ranges)),
                *(condition(week_model) for condition in conditions),
            )
        )
    if day_ranges or not parts:
        day = day_model.day
        parts.append(
            select(day, *(getattr(day_model, n) for n in names)).where(
                or_(*(and_(day >= a, day < b) for a, b in day_ranges)) if day_ranges else false(),
                *(condition(day_model) for condition in conditions),
            )
        )
    return union_all(*parts).subquery().c


def _instants(column, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def department_condition(column, department_id: int | None) -> ColumnElement[bool]:
    """`column` is the department, or always true when department_id is None (all)."""
    return literal(True) if department_id is None else column == department_id


def in_department(department_id: int | None) -> Callable[[Any], Any]:
    """A rollup() condition: rows of that department (all when None)."""
    return lambda table: department_condition(table.department_id, department_id)


def _default_previous(period: Period, previous: Period | None) -> Period:
    return previous if previous is not None else period.previous()


# --- interactions ------------------------------------------------------------------------------


def interactions(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Interactions with occurred_at in the period (a count)."""
    previous = _default_previous(period, previous)
    s = rollup(InteractionDay, InteractionWeek, [period, previous], in_department(department_id))
    row = session.execute(
        select(
            func.sum(s.interactions).filter(_days(s.day, period)),
            func.sum(s.interactions).filter(_days(s.day, previous)),
        )
    ).one()
    return _count(*row)


def first_contact_resolution_rate(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Interactions resolved at first contact, of those resolved at first contact or that opened
    a concern (information-only calls and additions to open concerns are left out)."""
    previous = _default_previous(period, previous)
    s = rollup(
        InteractionDay,
        InteractionWeek,
        [period, previous],
        in_department(department_id),
        lambda t: t.outcome.in_((RESOLVED_FIRST_CONTACT, CONCERN_OPENED)),
    )
    resolved = s.outcome == RESOLVED_FIRST_CONTACT
    row = session.execute(
        select(
            func.sum(s.interactions).filter(_days(s.day, period), resolved),
            func.sum(s.interactions).filter(_days(s.day, period)),
            func.sum(s.interactions).filter(_days(s.day, previous), resolved),
            func.sum(s.interactions).filter(_days(s.day, previous)),
        )
    ).one()
    return _rate(*row)


# --- concerns ----------------------------------------------------------------------------------


def concerns_opened_by_type(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> dict[str, KpiResult]:
    """Concerns with opened_at in the period, per type (every type present, 0 when none)."""
    previous = _default_previous(period, previous)
    s = rollup(ConcernDay, ConcernWeek, [period, previous], in_department(department_id))
    rows = session.execute(
        select(
            s.type,
            func.sum(s.opened).filter(_days(s.day, period)),
            func.sum(s.opened).filter(_days(s.day, previous)),
        ).group_by(s.type)
    ).all()
    found = {concern_type: _count(now, before) for concern_type, now, before in rows}
    return {t: found.get(t, _count(0, 0)) for t in CONCERN_TYPES}


def concerns_opened(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    types: tuple[str, ...] = CONCERN_TYPES,
) -> KpiResult:
    """Concerns of `types` (all by default) with opened_at in the period (a count)."""
    previous = _default_previous(period, previous)
    s = rollup(
        ConcernDay,
        ConcernWeek,
        [period, previous],
        in_department(department_id),
        lambda t: t.type.in_(types),
    )
    row = session.execute(
        select(
            func.sum(s.opened).filter(_days(s.day, period)),
            func.sum(s.opened).filter(_days(s.day, previous)),
        )
    ).one()
    return _count(*row)


def _open_at(moment: dt.datetime, department_id: int | None, *, overdue: bool):
    """How many concerns were open (and, with `overdue`, past due) at `moment`, from today's
    rows: still open and opened before it, or resolved after it. A concern resolved and then
    reopened in between counts by its current dates (the timeline is not replayed)."""
    c = Concern
    still_open = and_(c.status.not_in(CLOSED_STATUSES), c.opened_at <= moment)
    resolved_later = and_(c.resolved_at.is_not(None), c.resolved_at > moment, c.opened_at <= moment)
    due = c.due_at < moment if overdue else literal(True)
    department = department_condition(c.department_id, department_id)
    # Two index-friendly counts rather than one OR that would read the whole table.
    return (
        select(func.count()).where(still_open, due, department).scalar_subquery()
        + select(func.count()).where(resolved_later, due, department).scalar_subquery()
    )


def open_now(
    *,
    session: Session,
    now: dt.datetime,
    then: dt.datetime | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Concerns not resolved or closed at `now`; previous value: as open at `then`."""
    c = Concern
    current = session.scalar(
        select(func.count()).where(
            c.status.not_in(CLOSED_STATUSES), department_condition(c.department_id, department_id)
        )
    )
    before = (
        session.scalar(select(_open_at(then, department_id, overdue=False)))
        if then is not None
        else None
    )
    return KpiResult(int(current), None, None if before is None else int(before), None)


def overdue_now(
    *,
    session: Session,
    now: dt.datetime,
    then: dt.datetime | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Open concerns whose due time has passed at `now`; previous value: as overdue at `then`."""
    c = Concern
    current = session.scalar(
        select(func.count()).where(
            c.status.not_in(CLOSED_STATUSES),
            c.due_at < now,
            department_condition(c.department_id, department_id),
        )
    )
    before = (
        session.scalar(select(_open_at(then, department_id, overdue=True)))
        if then is not None
        else None
    )
    return KpiResult(int(current), None, None if before is None else int(before), None)


def on_time_resolution_rate(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Of concerns resolved in the period that carry a clock, the share with resolved_at <=
    due_at (resolving exactly at the due time is on time). Compliments carry no clock and are
    left out of the denominator rather than counted late."""
    previous = _default_previous(period, previous)
    s = rollup(ConcernDay, ConcernWeek, [period, previous], in_department(department_id))
    row = session.execute(
        select(
            func.sum(s.resolved_on_time).filter(_days(s.day, period)),
            func.sum(s.resolved_with_clock).filter(_days(s.day, period)),
            func.sum(s.resolved_on_time).filter(_days(s.day, previous)),
            func.sum(s.resolved_with_clock).filter(_days(s.day, previous)),
        )
    ).one()
    return _rate(*row)


def _median_days(session: Session, period: Period, department_id: int | None):
    c = Concern
    in_period = and_(
        c.resolved_at.is_not(None),
        c.resolved_at >= period.start,
        c.resolved_at < period.end,
        department_condition(c.department_id, department_id),
    )
    count = session.scalar(select(func.count()).where(in_period))
    if not count:
        return None, 0
    # The middle one or two durations, read in order from ix_concern_resolution_time instead of
    # sorting every duration of the period; averaged as percentile_cont(0.5) does.
    duration = c.resolved_at - c.opened_at
    middle = session.scalars(
        select(func.date_part("epoch", duration))
        .where(in_period)
        .order_by(duration)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    ).all()
    return sum(middle) / len(middle) / 86400.0, int(count)


def median_days_to_resolve(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """Median of (resolved_at - opened_at) in days over concerns resolved in the period; the
    denominator is how many were resolved."""
    previous = _default_previous(period, previous)
    median, count = _median_days(session, period, department_id)
    prev_median, prev_count = _median_days(session, previous, department_id)
    return KpiResult(median, count, prev_median, prev_count)


def grievance_response_window_end(tz_name: str):
    """SQL for the end of a grievance's written-response window: opened_at plus 7 calendar days
    on the facility's calendar (as db.sla.grievance_response_due_at)."""
    local = func.timezone(tz_name, Concern.opened_at) + literal_column(
        f"interval '{GRIEVANCE_RESPONSE_DAYS} days'", Interval
    )
    return func.timezone(tz_name, local)


def grievance_response_compliance(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> KpiResult:
    """Of grievances whose 7-day written-response window ended in the period (and by `now`:
    a window still running has not ended), the share with written_response_at at or before the
    window's end.

    Whole days before today come from grievance_window_day; windows ending today are read from
    the raw rows, because only those that ended before `now` count."""
    previous = _default_previous(period, previous)
    now = now or dt.datetime.now(dt.UTC)
    today = facility_today(period.tz, now)
    g = GrievanceWindowDay

    def ended_days(p: Period) -> ColumnElement[bool]:
        return and_(g.day >= p.first_day, g.day < min(p.end_day, today))

    row = session.execute(
        select(
            func.sum(g.responded_in_time).filter(ended_days(period)),
            func.sum(g.windows).filter(ended_days(period)),
            func.sum(g.responded_in_time).filter(ended_days(previous)),
            func.sum(g.windows).filter(ended_days(previous)),
        ).where(
            _either(g.day, period, previous), department_condition(g.department_id, department_id)
        )
    ).one()
    answered, windows, prev_answered, prev_windows = (int(v or 0) for v in row)
    if period.first_day <= today < period.end_day:
        today_answered, today_windows = _windows_ended_today(
            session, period.tz_name, today, now, department_id
        )
        answered, windows = answered + today_answered, windows + today_windows
    return _rate(answered, windows, prev_answered, prev_windows)


def _windows_ended_today(
    session: Session, tz_name: str, today: dt.date, now: dt.datetime, department_id: int | None
) -> tuple[int, int]:
    c = Concern
    tz = ZoneInfo(tz_name)
    window_end = grievance_response_window_end(tz_name)
    day_start = local_midnight(today, tz)
    ended = and_(window_end >= day_start, window_end < now)
    # A window ends 7 local days after opening: 8 UTC days back covers any DST change.
    reach = dt.timedelta(days=GRIEVANCE_RESPONSE_DAYS + 1)
    row = session.execute(
        select(
            func.count().filter(ended, c.written_response_at <= window_end),
            func.count().filter(ended),
        ).where(
            c.type == "grievance",
            c.opened_at >= day_start - reach,
            c.opened_at < now,
            department_condition(c.department_id, department_id),
        )
    ).one()
    return int(row[0]), int(row[1])


# --- complaints per 1,000 encounters ------------------------------------------------------------

_ENCOUNTERS_IN_PERIOD = text(
    """
    WITH months AS (
        SELECT m::date AS month,
               (m + interval '1 month')::date - m::date AS month_days
        FROM generate_series(date_trunc('month', CAST(:first_day AS date)),
                             CAST(:last_day AS date), interval '1 month') AS m
    ),
    share AS (  -- the part of each month that lies in the period
        SELECT month,
               (least(CAST(:end_day AS date), month + month_days)
                - greatest(CAST(:first_day AS date), month))::numeric / month_days AS share
        FROM months
    )
    SELECT ev.department_id, sum(ev.encounters * share.share) AS encounters
    FROM encounter_volume ev JOIN share USING (month)
    GROUP BY ev.department_id
    HAVING count(*) = (SELECT count(*) FROM months)
    """
)


def encounters_by_department(*, session: Session, period: Period) -> dict[int, float]:
    """Encounters in the period per department, prorated by day from the monthly volumes;
    only departments whose volumes cover every month the period touches."""
    rows = session.execute(
        _ENCOUNTERS_IN_PERIOD,
        {"first_day": period.first_day, "last_day": period.last_day, "end_day": period.end_day},
    ).all()
    return {department: float(encounters) for department, encounters in rows}


def complaints_by_department(*, session: Session, period: Period) -> dict[int, int]:
    """Complaints and grievances opened in the period, per department (0: no department)."""
    s = rollup(ConcernDay, ConcernWeek, [period], lambda t: t.type.in_(COMPLAINT_TYPES))
    rows = session.execute(
        select(s.department_id, func.sum(s.opened)).group_by(s.department_id)
    ).all()
    return {department: int(n) for department, n in rows}


def _complaint_rate(
    session: Session, period: Period, department_id: int | None
) -> tuple[float, int]:
    encounters = encounters_by_department(session=session, period=period)
    complaints = complaints_by_department(session=session, period=period)
    covered = list(encounters) if department_id is None else [department_id]
    if any(d not in encounters for d in covered) or not covered:
        return 0.0, 0
    return (
        float(sum(complaints.get(d, 0) for d in covered)),
        round(sum(encounters[d] for d in covered)),
    )


def complaints_per_thousand_encounters(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
) -> KpiResult:
    """(Complaints + grievances opened in the period) x 1000 / encounters in the period.

    Only where encounter volumes cover every month the period touches: for one department,
    that department; for all, the departments that have full volumes (their complaints over
    their encounters). The denominator is the encounters (prorated by day, rounded)."""
    previous = _default_previous(period, previous)
    num, den = _complaint_rate(session, period, department_id)
    prev_num, prev_den = _complaint_rate(session, previous, department_id)
    return _rate(num, den, prev_num, prev_den, scale=1000.0)


# --- satisfaction ------------------------------------------------------------------------------


def _questions(question_id: int | None, instrument_id: int | None) -> Callable[[Any], Any]:
    if question_id is not None:
        return lambda t: t.question_id == question_id
    if instrument_id is not None:
        of_instrument = select(SurveyQuestion.id).where(
            SurveyQuestion.instrument_id == instrument_id
        )
        return lambda t: t.question_id.in_(of_instrument)
    raise ValueError("give a question_id or an instrument_id")


def _survey_sums(session, period, previous, department_id, questions, numerator):
    s = rollup(
        SurveyAnswerDay,
        SurveyAnswerWeek,
        [period, previous],
        in_department(department_id),
        questions,
    )
    counted = numerator(s)
    return session.execute(
        select(
            func.sum(counted).filter(_days(s.day, period)),
            func.sum(s.answers).filter(_days(s.day, period)),
            func.sum(counted).filter(_days(s.day, previous)),
            func.sum(s.answers).filter(_days(s.day, previous)),
        )
    ).one()


def mean_score(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    question_id: int | None = None,
    instrument_id: int | None = None,
) -> KpiResult:
    """Mean of the answers given in the period (responses dated in it) to one question or to
    every question of an instrument; the denominator is the number of answers."""
    previous = _default_previous(period, previous)
    row = _survey_sums(
        session,
        period,
        previous,
        department_id,
        _questions(question_id, instrument_id),
        lambda s: s.total,
    )
    return _rate(*row)


def top_box_rate(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    question_id: int | None = None,
    instrument_id: int | None = None,
) -> KpiResult:
    """Share of answers meeting their question's top-box rule (answer >= top_box_min)."""
    previous = _default_previous(period, previous)
    row = _survey_sums(
        session,
        period,
        previous,
        department_id,
        _questions(question_id, instrument_id),
        lambda s: s.top_box,
    )
    return _rate(*row)


def likelihood_to_recommend_questions(*, session: Session) -> list[int]:
    """The 0-10 likelihood-to-recommend questions: the only source of NPS."""
    return list(
        session.scalars(
            select(SurveyQuestion.id).where(SurveyQuestion.is_likelihood_to_recommend.is_(True))
        )
    )


def net_promoter_score(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    question_id: int | None = None,
) -> KpiResult:
    """NPS in points (-100 to 100): % of answers 9-10 minus % of answers 0-6, from the
    likelihood-to-recommend question(s) only; the denominator is the number of answers."""
    previous = _default_previous(period, previous)
    ltr = select(SurveyQuestion.id).where(SurveyQuestion.is_likelihood_to_recommend.is_(True))
    if question_id is not None:
        ltr = ltr.where(SurveyQuestion.id == question_id)
    row = _survey_sums(
        session,
        period,
        previous,
        department_id,
        lambda t: t.question_id.in_(ltr),
        lambda s: s.promoters - s.detractors,
    )
    return _rate(*row, scale=100.0)

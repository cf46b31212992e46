"""The KPIs in one place: the dashboard, the weekly summary and the exports all call these
functions, so they all show the same numbers. docs/metrics.md defines each one in words an
analyst can check by hand (numerator, denominator, exclusions, time zone, rounding).

Every KPI is aggregated in PostgreSQL and returns a `KpiResult`: the value for the period, its
denominator (None for plain counts), and the same two for the comparison period. A rate whose
denominator is 0 has the value None, which the screens show as "—".

Counts by day come from the per-day summaries that database triggers keep current (migration
0002) and their weekly and monthly rollups (0004, 0014), so twenty years cost about as much as a
few weeks. Figures a daily count cannot give exactly
(grievance windows that end at a clock time, what is open right now) are read from the raw rows
through narrow indexes. The median time to resolve reads a per-day histogram of resolution times
(migration 0011) and then only the middle bucket's rows of the period.

Periods are whole days on the facility's calendar (db.periods.Period); the summaries are keyed by
that calendar (db.summaries keeps them on it and checks them for drift).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from db.grievance import COMPLAINT_TYPES
from db.models import (
    CLOSED_STATUSES,
    CONCERN_TYPES,
    Concern,
    ConcernDay,
    ConcernIssueDay,
    ConcernIssueMonth,
    ConcernMonth,
    ConcernResolutionDay,
    ConcernResolutionMonth,
    ConcernWeek,
    GrievanceWindowDay,
    GrievanceWindowMonth,
    InteractionDay,
    InteractionMonth,
    InteractionWeek,
    SurveyAnswerDay,
    SurveyAnswerMonth,
    SurveyAnswerWeek,
    SurveyQuestion,
)
from db.periods import Period, facility_today, local_midnight
from db.sla import MAX_WRITTEN_RESPONSE_DAYS

RESOLVED_FIRST_CONTACT = "resolved-first-contact"
CONCERN_OPENED = "concern-opened"


@dataclass(frozen=True)
class KpiResult:
    """A KPI for a period and for the period it is compared with.

    `denominator` is what a rate was divided by (None for counts): a whole number, except the
    prorated encounters behind complaints per 1,000, which are kept exact and rounded only for
    display. `value` is None when the denominator is 0: there is nothing to measure, which is
    not the same as 0%.
    """

    value: float | None
    denominator: int | float | None
    previous_value: float | None
    previous_denominator: int | float | None

    @property
    def change(self) -> float | None:
        """value - previous_value, or None when either is missing."""
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if not denominator:
        return None
    return scale * float(numerator or 0) / float(denominator)


def _rate(num, den, prev_num, prev_den, scale: float = 1.0) -> KpiResult:
    """A rate and its comparison from sums (None sums are 0); whole-number denominators."""
    return KpiResult(
        _ratio(num, den, scale),
        int(den or 0),
        _ratio(prev_num, prev_den, scale),
        int(prev_den or 0),
    )


def _count(value, previous) -> KpiResult:
    return KpiResult(int(value or 0), None, int(previous or 0), None)


# --- the summaries' version -------------------------------------------------------------------


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


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month_start(day: dt.date) -> dt.date:
    """The first day of the first month that starts on or after `day`."""
    if day.day == 1:
        return day
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _weeks_and_days(low: dt.date, high: dt.date, weeks: list, days: list) -> None:
    """Split [low, high) into whole ISO weeks (Mondays) and the days around them."""
    first_monday = low + dt.timedelta(days=-low.weekday() % 7)
    last_monday = high - dt.timedelta(days=high.weekday())
    if first_monday < last_monday:
        weeks.append((first_monday, last_monday))
        days += [(low, first_monday), (last_monday, high)]
    else:
        days.append((low, high))


def rollup(
    day_model,
    week_model,
    spans: Sequence[Period],
    *conditions: Callable[[Any], Any],
    month_model=None,
):
    """The rows of a day summary over `spans`, reading whole ISO weeks from its weekly rollup
    (their `day` is the Monday) and only the days around the spans' edges from the day rows:
    about a seventh of the rows over a long period. With `month_model` (the summary's monthly
    rollup, migration 0014), whole calendar months come from it first (their `day` is the 1st),
    then weeks and days around them: a thirtieth of the rows over years. Returns the columns of
    the result (`.day`, the keys, the measures).

    Only for sums over whole spans: a row of a week or month stands for all its days, so a
    caller that groups by week must not ask for months. A week or month is read whole only when
    no span starts or ends inside it, so a filter on `day` by any of the spans still selects
    exactly its days. `week_model` may be None (days and months only). `conditions`
    (functions of a table) filter every part, e.g. lambda t: t.department_id == 7."""
    bounds = sorted({day for p in spans for day in (p.first_day, p.end_day)})
    month_ranges, week_ranges, day_ranges = [], [], []
    for low, high in zip(bounds, bounds[1:], strict=False):
        if not any(p.first_day <= low and high <= p.end_day for p in spans):
            continue  # between two spans: nothing to read
        edges = [(low, high)]
        if month_model is not None:
            first_month, last_month = _next_month_start(low), _month_start(high)
            if first_month < last_month:
                month_ranges.append((first_month, last_month))
                edges = [(low, first_month), (last_month, high)]
        for a, b in edges:
            if a >= b:
                continue
            if week_model is None:
                day_ranges.append((a, b))
            else:
                _weeks_and_days(a, b, week_ranges, day_ranges)
    day_ranges = [(a, b) for a, b in day_ranges if a < b]
    names = [c.name for c in day_model.__table__.columns if c.name != "day"]
    parts = []
    for model, key, ranges in (
        (month_model, "month", month_ranges),
        (week_model, "week", week_ranges),
    ):
        if ranges:
            column = getattr(model, key)
            parts.append(
                select(column.label("day"), *(getattr(model, n) for n in names)).where(
                    or_(*(and_(column >= a, column < b) for a, b in ranges)),
                    *(condition(model) for condition in conditions),
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


# Each day summary's monthly rollup (migration 0014); looked up when a query runs, so a
# benchmark can time the same query without them.
MONTHS = {
    InteractionDay: InteractionMonth,
    ConcernDay: ConcernMonth,
    ConcernIssueDay: ConcernIssueMonth,
    SurveyAnswerDay: SurveyAnswerMonth,
    ConcernResolutionDay: ConcernResolutionMonth,
    GrievanceWindowDay: GrievanceWindowMonth,
}


def department_condition(column, department_id: int | None) -> ColumnElement[bool]:
    """`column` is the department, or always true when department_id is None (all)."""
    return literal(True) if department_id is None else column == department_id


def in_department(department_id: int | None) -> Callable[[Any], Any]:
    """A rollup() condition: rows of that department (all when None)."""
    return lambda table: department_condition(table.department_id, department_id)


def _default_previous(period: Period, previous: Period | None) -> Period:
    return previous if previous is not None else period.previous()


def _this_and_previous(day_column, period: Period, previous: Period, *measures) -> list:
    """The shape every summary KPI shares: the sum of each measure over the period's days, then
    the same over the comparison period's days (one scan of the rows of both)."""
    return [func.sum(m).filter(_days(day_column, p)) for p in (period, previous) for m in measures]


def _summary(day_model, week_model, period: Period, previous: Period, department_id, *conditions):
    """rollup() over a period and its comparison, for one department (all when None), months
    included."""
    return rollup(
        day_model,
        week_model,
        [period, previous],
        in_department(department_id),
        *conditions,
        month_model=MONTHS[day_model],
    )


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
    s = _summary(InteractionDay, InteractionWeek, period, previous, department_id)
    return _count(
        *session.execute(select(*_this_and_previous(s.day, period, previous, s.interactions))).one()
    )


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
    s = _summary(
        InteractionDay,
        InteractionWeek,
        period,
        previous,
        department_id,
        lambda t: t.outcome.in_((RESOLVED_FIRST_CONTACT, CONCERN_OPENED)),
    )
    resolved = case((s.outcome == RESOLVED_FIRST_CONTACT, s.interactions), else_=0)
    sums = _this_and_previous(s.day, period, previous, resolved, s.interactions)
    return _rate(*session.execute(select(*sums)).one())


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
    s = _summary(ConcernDay, ConcernWeek, period, previous, department_id)
    rows = session.execute(
        select(s.type, *_this_and_previous(s.day, period, previous, s.opened)).group_by(s.type)
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
    s = _summary(
        ConcernDay, ConcernWeek, period, previous, department_id, lambda t: t.type.in_(types)
    )
    return _count(
        *session.execute(select(*_this_and_previous(s.day, period, previous, s.opened))).one()
    )


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
    s = _summary(ConcernDay, ConcernWeek, period, previous, department_id)
    sums = _this_and_previous(s.day, period, previous, s.resolved_on_time, s.resolved_with_clock)
    return _rate(*session.execute(select(*sums)).one())


ALL_DEPARTMENTS = -1  # concern_resolution_day's row for every department together


def resolution_bucket(duration: ColumnElement) -> ColumnElement[int]:
    """The bucket of a resolution time: the database's resolution_bucket(), the one definition
    the summary, its index and this query share (migration 0011)."""
    return func.resolution_bucket(duration)


def _median_days(session: Session, period: Period, department_id: int | None):
    """(median days to resolve, how many resolved) for the period: exact, read in two steps
    that both cost what the period costs, however long the history. The period's histogram
    of resolution times comes from concern_resolution_day; then only the concerns of the bucket
    that holds the middle one (or two) are read, in duration order, from
    ix_concern_resolution_bucket."""
    department = ALL_DEPARTMENTS if department_id is None else department_id
    r = rollup(
        ConcernResolutionDay,
        None,
        [period],
        lambda t: t.department_id == department,
        month_model=MONTHS[ConcernResolutionDay],
    )
    histogram = session.execute(
        select(r.bucket, func.sum(r.resolved))
        .group_by(r.bucket)
        .having(func.sum(r.resolved) > 0)
        .order_by(r.bucket)
    ).all()
    count = sum(int(n) for _, n in histogram)
    if not count:
        return None, 0
    c = Concern
    duration = c.resolved_at - c.opened_at
    # The middle rank, or the two middle ranks of an even count (averaged as
    # percentile_cont(0.5) does); they may fall in two neighbouring buckets.
    offsets: dict[int, list[int]] = {}
    for rank in sorted({(count - 1) // 2, count // 2}):
        before = 0
        for bucket, n in histogram:
            if rank < before + int(n):
                offsets.setdefault(bucket, []).append(rank - before)
                break
            before += int(n)
    in_bucket = dict(histogram)
    middle: list[float] = []
    for bucket, ranks in offsets.items():
        # Read from whichever end of the bucket is nearer the rank: half the rows at worst.
        size = int(in_bucket[bucket])
        from_top = ranks[0] >= size - 1 - ranks[-1]
        skip = size - 1 - ranks[-1] if from_top else ranks[0]
        # Two ways to the rank. A short period: all of the bucket's concerns resolved in the
        # period (ix_concern_resolution_bucket), sorted. A period holding most of the bucket's
        # history: ix_concern_resolution_time in duration order, skipping concerns outside the
        # period, stopping at the rank. Read the one with fewer rows, by the bucket's count
        # in the whole history (its month rows).
        ever = session.scalar(
            select(func.sum(ConcernResolutionMonth.resolved)).where(
                ConcernResolutionMonth.department_id == department,
                ConcernResolutionMonth.bucket == bucket,
            )
        )
        walk = (skip + len(ranks)) * int(ever or 0) < size * size
        low, high = _bucket_durations(bucket)
        in_this_bucket = (
            # "+ 0" keeps the planner off the bucket index when walking in duration order.
            [resolution_bucket(duration) + 0 == bucket, duration >= low, duration < high]
            if walk
            else [resolution_bucket(duration) == bucket]
        )
        middle += session.scalars(
            select(func.date_part("epoch", duration))
            .where(
                c.resolved_at.is_not(None),
                *in_this_bucket,
                c.resolved_at >= period.start,
                c.resolved_at < period.end,
                department_condition(c.department_id, department_id),
            )
            .order_by(duration.desc() if from_top else duration)
            .offset(skip)
            .limit(len(ranks))
        ).all()
    return sum(middle) / len(middle) / 86400.0, count


def _bucket_durations(bucket: int) -> tuple[dt.timedelta, dt.timedelta]:
    """Durations that hold every resolution time of `bucket` (resolution_bucket: four buckets
    per doubling of 1 + hours), a second wider each side against rounding; bucket 0 also holds
    negative times."""
    hours = [2 ** (b / 4) - 1 for b in (bucket, bucket + 1)]
    low = dt.timedelta(hours=hours[0]) - dt.timedelta(seconds=1)
    if bucket <= 0:
        low = dt.timedelta(days=-36500)
    return low, dt.timedelta(hours=hours[1]) + dt.timedelta(seconds=1)


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
    """SQL for the end of a grievance's written-response window: the database function
    grievance_response_window_end (migration 0013), which the summary triggers call too, with
    the days in force when the concern was opened. Its rule is
    db.sla.grievance_response_due_at's, written down in docs/metrics.md."""
    return func.grievance_response_window_end(
        Concern.opened_at, tz_name, Concern.written_response_days, type_=DateTime(timezone=True)
    )


def grievance_response_compliance(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> KpiResult:
    """Of grievances whose written-response window (7 days unless the administrator set
    otherwise before the grievance was opened) ended in the period (and by `now`:
    a window still running has not ended), the share with written_response_at at or before the
    window's end.

    Whole days before today come from grievance_window_day; windows ending today are read from
    the raw rows, because only those that ended before `now` count."""
    previous = _default_previous(period, previous)
    now = now or dt.datetime.now(dt.UTC)
    today = facility_today(period.tz, now)
    # The whole days of each period before today (months from grievance_window_month).
    ended = [
        Period(p.first_day, max(p.first_day, min(p.end_day, today)), p.tz_name)
        for p in (period, previous)
    ]
    g = rollup(
        GrievanceWindowDay,
        None,
        ended,
        in_department(department_id),
        month_model=MONTHS[GrievanceWindowDay],
    )
    row = session.execute(
        select(
            *(
                func.sum(m).filter(_days(g.day, p))
                for p in ended
                for m in (g.responded_in_time, g.windows)
            )
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
    # A window ends at most MAX_WRITTEN_RESPONSE_DAYS local days after opening: one UTC day
    # more covers any DST change.
    reach = dt.timedelta(days=MAX_WRITTEN_RESPONSE_DAYS + 1)

    def days_on(extra: int):
        return c.opened_at + func.make_interval(0, 0, 0, c.written_response_days + extra)

    row = session.execute(
        select(
            func.count().filter(ended, c.written_response_at <= window_end),
            func.count().filter(ended),
        ).where(
            c.type == "grievance",
            c.opened_at >= day_start - reach,
            c.opened_at < now,
            # Cheap bounds first, a day wider than the window's own days either side (a clock
            # change moves its end by an hour): the exact end is worked out only for the few
            # grievances whose window can end today.
            days_on(1) >= day_start,
            days_on(-1) < now,
            department_condition(c.department_id, department_id),
        )
    ).one()
    return int(row[0]), int(row[1])


# --- complaints per 1,000 encounters ------------------------------------------------------------

_ENCOUNTERS = text(
    """
    SELECT ev.department_id, sum(ev.encounters * part.share) AS encounters
    FROM encounter_volume ev
    JOIN unnest(CAST(:months AS date[]), CAST(:shares AS numeric[])) AS part (month, share)
        USING (month)
    GROUP BY ev.department_id
    HAVING count(*) = :month_count
    """
)


def counted_until(period: Period, now: dt.datetime | None) -> dt.datetime:
    """Where a period's counting stops: its end, or `now` while it runs (a period that runs to
    today has only happened up to now; one that starts later has not happened at all)."""
    if now is None:
        return period.end
    return max(period.start, min(period.end, now))


def encounter_shares(period: Period, now: dt.datetime | None = None) -> dict[dt.date, Decimal]:
    """For each month the period touches up to `now`: the share of that month's encounters that
    falls in the part of the period that has happened. Monthly volumes are spread evenly over
    the month's days; today counts for the share of its hours that have passed (a 23- or 25-hour
    day on a clock change included). Empty when nothing of the period has happened."""
    until = counted_until(period, now)
    tz = period.tz
    whole_end = period.end_day  # whole days counted: [first_day, whole_end)
    today_part = Decimal(0)
    if until < period.end:
        whole_end = until.astimezone(tz).date()
        start = local_midnight(whole_end, tz)
        end = local_midnight(whole_end + dt.timedelta(days=1), tz)
        seconds = Decimal((until - start).total_seconds())
        today_part = seconds / Decimal((end - start).total_seconds())
    shares: dict[dt.date, Decimal] = {}
    month = period.first_day.replace(day=1)
    while month < whole_end or (today_part and month <= whole_end):
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        days = (min(next_month, whole_end) - max(month, period.first_day)).days
        part = Decimal(max(days, 0))
        if today_part and month <= whole_end < next_month:
            part += today_part
        if part:
            shares[month] = part / (next_month - month).days
        month = next_month
    return shares


def encounters_by_department(
    *, session: Session, period: Period, now: dt.datetime | None = None
) -> dict[int, float]:
    """Encounters in the period up to `now` per department, prorated from the monthly volumes
    (encounter_shares), exact (not rounded); only departments whose volumes cover every month
    that part touches."""
    shares = encounter_shares(period, now)
    if not shares:
        return {}
    rows = session.execute(
        _ENCOUNTERS,
        {"months": list(shares), "shares": list(shares.values()), "month_count": len(shares)},
    ).all()
    return {department: float(encounters) for department, encounters in rows}


def complaints_by_department(*, session: Session, period: Period) -> dict[int, int]:
    """Complaints and grievances opened in the period, per department (0: no department)."""
    s = rollup(
        ConcernDay,
        ConcernWeek,
        [period],
        lambda t: t.type.in_(COMPLAINT_TYPES),
        month_model=MONTHS[ConcernDay],
    )
    rows = session.execute(
        select(s.department_id, func.sum(s.opened)).group_by(s.department_id)
    ).all()
    return {department: int(n) for department, n in rows}


def _complaint_rate(
    session: Session, period: Period, department_id: int | None, now: dt.datetime | None
) -> tuple[float, float]:
    encounters = encounters_by_department(session=session, period=period, now=now)
    complaints = complaints_by_department(session=session, period=period)
    covered = list(encounters) if department_id is None else [department_id]
    if any(d not in encounters for d in covered) or not covered:
        return 0.0, 0.0
    return (
        float(sum(complaints.get(d, 0) for d in covered)),
        sum(encounters[d] for d in covered),
    )


def complaints_per_thousand_encounters(
    *,
    session: Session,
    period: Period,
    previous: Period | None = None,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> KpiResult:
    """(Complaints + grievances opened in the period) x 1000 / encounters in the period.

    Encounters are prorated by day from the monthly volumes and divided exactly (the
    denominator is a float; screens round it for display). A period that runs past `now`
    counts encounters only up to `now`, as it can only count complaints up to now; the
    comparison period by the same rule. Only where encounter volumes cover every month
    counted: for one department, that department; for all, the departments that have full
    volumes (their complaints over their encounters). `now` defaults to the wall clock."""
    previous = _default_previous(period, previous)
    now = now or dt.datetime.now(dt.UTC)
    num, den = _complaint_rate(session, period, department_id, now)
    prev_num, prev_den = _complaint_rate(session, previous, department_id, now)
    return KpiResult(_ratio(num, den, 1000.0), den, _ratio(prev_num, prev_den, 1000.0), prev_den)


# --- satisfaction ------------------------------------------------------------------------------


def _questions(
    session: Session, question_id: int | None, instrument_id: int | None
) -> Callable[[Any], Any]:
    """The survey summaries' filter for one question, or every question of an instrument.
    An instrument's ids are read first, as values (as for NPS): behind a subquery the planner
    read every day of the questions, whatever the period."""
    if question_id is not None:
        return lambda t: t.question_id == question_id
    if instrument_id is not None:
        ids = session.scalars(
            select(SurveyQuestion.id).where(SurveyQuestion.instrument_id == instrument_id)
        ).all()
        return lambda t: t.question_id.in_(ids)
    raise ValueError("give a question_id or an instrument_id")


def _survey_sums(session, period, previous, department_id, questions, numerator):
    s = _summary(SurveyAnswerDay, SurveyAnswerWeek, period, previous, department_id, questions)
    sums = _this_and_previous(s.day, period, previous, numerator(s), s.answers)
    return session.execute(select(*sums)).one()


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
        _questions(session, question_id, instrument_id),
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
        _questions(session, question_id, instrument_id),
        lambda s: s.top_box,
    )
    return _rate(*row)


def likelihood_to_recommend_questions(question_id: int | None = None) -> Select:
    """The ids of the 0-10 likelihood-to-recommend questions (or of that one question, if it is
    one), as a subquery: the only source of NPS."""
    ltr = select(SurveyQuestion.id).where(SurveyQuestion.is_likelihood_to_recommend.is_(True))
    if question_id is not None:
        ltr = ltr.where(SurveyQuestion.id == question_id)
    return ltr


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
    # The ids first, as values: with them the summaries are read by question and day together
    # (their primary keys); behind a subquery the planner read every day of the question.
    ltr = session.scalars(likelihood_to_recommend_questions(question_id)).all()
    row = _survey_sums(
        session,
        period,
        previous,
        department_id,
        lambda t: t.question_id.in_(ltr),
        lambda s: s.promoters - s.detractors,
    )
    return _rate(*row, scale=100.0)

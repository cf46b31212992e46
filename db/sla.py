"""SLA rules in one place: when a concern is due, when a grievance must be acknowledged.

Targets live in the `sla_target` table (admin-editable; defaults: critical 24 hours, high 3
days, medium 7 days, low 14 days; compliments carry no clock). Grievances also carry CMS's
clocks, in the `sla_rule` row: acknowledgement within 1 business day and a written response
within 7 days by default. A change applies to concerns opened after it: each concern keeps the
written-response days in force when it was opened. Business days are the working weekdays of
`sla_rule` minus the facility's public holidays (`public_holiday`).

Whole days are counted on the facility's calendar, so "3 days" from 10:00 is 10:00 three days
later in the facility's time zone even when a daylight-saving change falls in between. Other
hour counts are elapsed hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import PublicHoliday, SlaRule, SlaTarget

GRIEVANCE_RESPONSE_DAYS = 7  # the default; the administrator's value is sla_rule's
# The longest written-response window the administrator may set (a database CHECK too).
MAX_WRITTEN_RESPONSE_DAYS = 60
ACKNOWLEDGEMENT_BUSINESS_DAYS = 1
MONDAY_TO_FRIDAY = frozenset({1, 2, 3, 4, 5})  # ISO weekdays


@dataclass(frozen=True)
class GrievanceClock:
    """The grievance deadlines and the business-day calendar they are counted on."""

    acknowledgement_business_days: int = ACKNOWLEDGEMENT_BUSINESS_DAYS
    written_response_days: int = GRIEVANCE_RESPONSE_DAYS
    business_weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[dt.date] = field(default_factory=frozenset)


DEFAULT_GRIEVANCE_CLOCK = GrievanceClock()


def grievance_clock(*, session: Session) -> GrievanceClock:
    """The administrator's grievance deadlines, working weekdays and public holidays."""
    rule = session.get(SlaRule, 1)
    holidays = frozenset(session.scalars(select(PublicHoliday.day)))
    if rule is None:
        return GrievanceClock(holidays=holidays)
    return GrievanceClock(
        acknowledgement_business_days=rule.acknowledgement_business_days,
        written_response_days=rule.written_response_days,
        business_weekdays=frozenset(rule.business_weekdays),
        holidays=holidays,
    )


def as_opened(clock: GrievanceClock, written_response_days: int) -> GrievanceClock:
    """The clock as it applies to one concern: with the written-response days in force when the
    concern was opened (concern.written_response_days), whatever the rule says now."""
    return replace(clock, written_response_days=written_response_days)


def sla_targets(*, session: Session) -> dict[tuple[str, str], int | None]:
    """(concern type, severity) -> hours to the due time; None means no clock."""
    return {(t.concern_type, t.severity): t.due_hours for t in session.scalars(select(SlaTarget))}


def add_hours_on_facility_calendar(start: dt.datetime, hours: int, tz: ZoneInfo) -> dt.datetime:
    """`start` plus `hours`, counting whole days as calendar days in `tz` (DST-safe)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if hours % 24:
        return start + dt.timedelta(hours=hours)
    local = start.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=hours // 24)
    # fold=0 picks the first of two repeated wall-clock times; a time skipped by spring-forward
    # resolves to the moment after the gap.
    return _localise(local, tz).astimezone(dt.UTC)


def _localise(naive_local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    aware = naive_local.replace(tzinfo=tz)
    round_trip = aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive_local:  # inside the spring-forward gap
        aware = (naive_local + dt.timedelta(hours=1)).replace(tzinfo=tz)
    return aware


def add_business_days(
    start: dt.datetime,
    days: int,
    tz: ZoneInfo,
    *,
    holidays: frozenset[dt.date] | set[dt.date] = frozenset(),
    business_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
) -> dt.datetime:
    """The same local clock time `days` business days after `start`, in `tz`.

    A business day is one of `business_weekdays` (ISO, Monday 1) that is not in `holidays`
    (dates on the facility's calendar).
    """
    if not business_weekdays:
        raise ValueError("at least one weekday must be a business day")
    local = start.astimezone(tz).replace(tzinfo=None)
    remaining = days
    while remaining > 0:
        local += dt.timedelta(days=1)
        if local.isoweekday() in business_weekdays and local.date() not in holidays:
            remaining -= 1
    return _localise(local, tz).astimezone(dt.UTC)


def concern_due_at(
    *,
    opened_at: dt.datetime,
    concern_type: str,
    severity: str,
    targets: dict[tuple[str, str], int | None],
    tz: ZoneInfo,
    clock: GrievanceClock = DEFAULT_GRIEVANCE_CLOCK,
) -> dt.datetime | None:
    """When a concern must be resolved; None for types without a clock (compliments).

    A grievance is never due later than its written-response deadline.
    """
    hours = targets.get((concern_type, severity))
    if hours is None:
        return None
    due = add_hours_on_facility_calendar(opened_at, hours, tz)
    if concern_type == "grievance":
        due = min(due, grievance_response_due_at(opened_at, tz, clock))
    return due


def grievance_response_due_at(
    opened_at: dt.datetime, tz: ZoneInfo, clock: GrievanceClock = DEFAULT_GRIEVANCE_CLOCK
) -> dt.datetime:
    """CMS: the written response is due within 7 days of the grievance (admin-editable; each
    concern keeps the days in force when it was opened, see `as_opened`).

    The same local clock time that many calendar days later; when clocks go back and that time
    happens twice, the first of the two; when clocks go forward past it, the moment after the
    gap. The grievance response KPI uses the same rule in SQL (the database function
    grievance_response_window_end(opened_at, tz, days), migration 0013) with each concern's
    written_response_days; docs/metrics.md writes it down and tests/test_grievance_window.py
    holds the two to it at both clock changes."""
    return add_hours_on_facility_calendar(opened_at, clock.written_response_days * 24, tz)


def grievance_acknowledgement_due_at(
    opened_at: dt.datetime, tz: ZoneInfo, clock: GrievanceClock = DEFAULT_GRIEVANCE_CLOCK
) -> dt.datetime:
    """Acknowledge a grievance within 1 business day (admin-editable), skipping holidays."""
    return add_business_days(
        opened_at,
        clock.acknowledgement_business_days,
        tz,
        holidays=clock.holidays,
        business_weekdays=clock.business_weekdays,
    )


def time_left(due_at: dt.datetime | None, now: dt.datetime) -> str:
    """'3 d 4 h left', '5 h overdue', '' for no clock: how the worklist shows an SLA clock."""
    if due_at is None:
        return ""
    seconds = (due_at - now).total_seconds()
    label = "left" if seconds >= 0 else "overdue"
    minutes = int(abs(seconds) // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {mins} min"
    else:
        text = f"{mins} min"
    return f"{text} {label}"

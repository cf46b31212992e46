"""Reporting periods on the facility's calendar: the period picker, ISO weeks, comparisons.

A period is a run of whole days [first_day, end_day) in the facility's time zone. Its `start` and
`end` are the UTC instants of those local midnights, so a week that contains a daylight-saving
change is 167 or 169 hours long and an interaction at 23:30 on a Sunday belongs to that Sunday's
ISO week even though it is already Monday in UTC.

The previous period has the same number of days and ends where this one starts. A period still
in progress (it contains today) is compared to date: with the same number of elapsed days at the
start of the previous period, so a Tuesday is not measured against a whole week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

THIS_WEEK = "this_week"
LAST_WEEK = "last_week"
LAST_4_WEEKS = "last_4_weeks"
THIS_QUARTER = "this_quarter"
CUSTOM = "custom"
PERIOD_CHOICES: dict[str, str] = {
    THIS_WEEK: "This week",
    LAST_WEEK: "Last week",
    LAST_4_WEEKS: "Last 4 weeks",
    THIS_QUARTER: "This quarter",
    CUSTOM: "Custom dates",
}
DEFAULT_CHOICE = THIS_WEEK
EARLIEST_DAY = dt.date(2000, 1, 1)
TREND_WEEK_CHOICES = (13, 26, 52, 104)
DEFAULT_TREND_WEEKS = 26


@dataclass(frozen=True)
class Period:
    """Whole local days [first_day, end_day) in the time zone `tz_name`."""

    first_day: dt.date
    end_day: dt.date  # exclusive
    tz_name: str

    def __post_init__(self) -> None:
        if self.end_day < self.first_day:
            raise ValueError("a period cannot end before it starts")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (local midnight of first_day), UTC-aware."""
        return local_midnight(self.first_day, self.tz)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period, UTC-aware."""
        return local_midnight(self.end_day, self.tz)

    @property
    def days(self) -> int:
        return (self.end_day - self.first_day).days

    @property
    def last_day(self) -> dt.date:
        return self.end_day - dt.timedelta(days=1)

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def previous(self) -> Period:
        """The period of the same number of days immediately before this one."""
        return Period(self.first_day - dt.timedelta(days=self.days), self.first_day, self.tz_name)

    def label(self) -> str:
        """'12 Oct 2026 – 18 Oct 2026' (inclusive days, as people say them)."""
        if self.days <= 1:
            return _day_label(self.first_day)
        return f"{_day_label(self.first_day)} – {_day_label(self.last_day)}"


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def facility_today(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """Today's date on the facility's calendar."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(tz).date()


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def iso_week(year: int, week: int, tz_name: str) -> Period:
    """ISO week `week` of `year` (Monday to Sunday) on the facility's calendar."""
    monday = dt.date.fromisocalendar(year, week, 1)
    return Period(monday, monday + dt.timedelta(days=7), tz_name)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter_start(day: dt.date) -> dt.date:
    start = quarter_start(day)
    month = start.month + 3
    return dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def period_for(
    choice: str,
    *,
    today: dt.date,
    tz_name: str,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
) -> Period:
    """The period a picker choice means on `today`. Custom takes inclusive first and last days."""
    if choice == THIS_WEEK:
        monday = week_start(today)
        return Period(monday, monday + dt.timedelta(days=7), tz_name)
    if choice == LAST_WEEK:
        monday = week_start(today) - dt.timedelta(days=7)
        return Period(monday, monday + dt.timedelta(days=7), tz_name)
    if choice == LAST_4_WEEKS:
        # The four complete ISO weeks before this one, like "last week" times four.
        this_monday = week_start(today)
        return Period(this_monday - dt.timedelta(days=28), this_monday, tz_name)
    if choice == THIS_QUARTER:
        return Period(quarter_start(today), _next_quarter_start(today), tz_name)
    if choice == CUSTOM:
        if problems := custom_dates_problems(first_day, last_day):
            raise ValueError(" ".join(problems.values()))
        return Period(first_day, last_day + dt.timedelta(days=1), tz_name)
    raise ValueError(f"unknown period {choice!r}")


def custom_dates_problems(first_day: dt.date | None, last_day: dt.date | None) -> dict[str, str]:
    """What is wrong with custom dates, by field ("from", "to"); empty when they make a period
    (inclusive first and last days)."""
    problems: dict[str, str] = {}
    if first_day is None:
        problems["from"] = "Choose the first day."
    elif first_day < EARLIEST_DAY:
        problems["from"] = f"The first day must be on or after {EARLIEST_DAY:%d %b %Y}."
    if last_day is None:
        problems["to"] = "Choose the last day."
    elif first_day is not None and last_day < first_day:
        problems["to"] = "The last day must be on or after the first day."
    return problems


def comparison_period(period: Period, *, today: dt.date) -> Period:
    """What `period` is compared with: the previous period of equal length, or, while `period`
    is still in progress, the same number of elapsed days from the start of that one."""
    previous = period.previous()
    if period.first_day <= today < period.last_day:
        elapsed = (today - period.first_day).days + 1
        return Period(
            previous.first_day, previous.first_day + dt.timedelta(days=elapsed), period.tz_name
        )
    return previous


def trend_period(period: Period, weeks: int) -> Period:
    """The `weeks` whole ISO weeks ending with the week that holds the period's last day."""
    end = week_start(period.last_day) + dt.timedelta(days=7)
    return Period(end - dt.timedelta(days=7 * weeks), end, period.tz_name)


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard shows, as held in the URL query string."""

    choice: str
    period: Period
    department_id: int | None
    trend_weeks: int


def _parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filters_from_params(
    params: Mapping[str, str], *, today: dt.date, tz_name: str
) -> DashboardFilters:
    """Read the filters from query-string parameters; anything malformed falls back to the
    default, so a hand-edited or stale link still opens."""
    choice = params.get("period", DEFAULT_CHOICE)
    if choice not in PERIOD_CHOICES:
        choice = DEFAULT_CHOICE
    period: Period | None = None
    if choice == CUSTOM:
        try:
            period = period_for(
                CUSTOM,
                today=today,
                tz_name=tz_name,
                first_day=_parse_day(params.get("from")),
                last_day=_parse_day(params.get("to")),
            )
        except ValueError:
            choice = DEFAULT_CHOICE
    if period is None:
        period = period_for(choice, today=today, tz_name=tz_name)
    department_id: int | None
    try:
        department_id = int(params.get("dept", ""))
    except ValueError:
        department_id = None
    if department_id is not None and department_id <= 0:
        department_id = None
    try:
        trend_weeks = int(params.get("trend", DEFAULT_TREND_WEEKS))
    except ValueError:
        trend_weeks = DEFAULT_TREND_WEEKS
    if trend_weeks not in TREND_WEEK_CHOICES:
        trend_weeks = DEFAULT_TREND_WEEKS
    return DashboardFilters(choice, period, department_id, trend_weeks)


def params_from_filters(filters: DashboardFilters) -> dict[str, str]:
    """The query-string parameters that reproduce `filters` (defaults left out)."""
    params: dict[str, str] = {"period": filters.choice}
    if filters.choice == CUSTOM:
        params["from"] = filters.period.first_day.isoformat()
        params["to"] = filters.period.last_day.isoformat()
    if filters.department_id is not None:
        params["dept"] = str(filters.department_id)
    if filters.trend_weeks != DEFAULT_TREND_WEEKS:
        params["trend"] = str(filters.trend_weeks)
    return params

"""How the dashboard's queries grow with the years of history: every query the dashboard page
runs, timed per period view, on a data set of any size (`db.cli generate --size FACTOR`).

    PRD_DATA_DIR=/tmp/prd-x3 .venv/bin/python -m db.cli generate --size 3
    PRD_DATA_DIR=/tmp/prd-x3 .venv/bin/python -m benchmarks.growth --label 3x

Views: this week, last 4 weeks, this quarter, the last two years (730 days: the same period
whatever the history), and the whole history (from the first interaction or concern). Beside
the page's own queries it times the median time to resolve the way it was read before migration
0011 (the resolution-time index in duration order, skipping concerns outside the period) and
four queries as they read before migration 0014 (weeks and days, no month rollups), so the
growth of both can be read from one run. Prints one Markdown row per query and view: median and
p95 ms. Only reads (after migrating and VACUUM ANALYZE); generates the reference set into an empty
database, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from benchmarks.common import median_and_p95, prepare_reference
from benchmarks.dashboard import TREND_WEEKS, page_queries
from db import kpi, periods
from db.engine import database_url, make_engine
from db.models import Concern, Interaction
from db.periods import Period
from db.settings import get_settings


def median_days_index_order(session: Session, period: Period) -> float | None:
    """The median time to resolve as read before migration 0011: count the period's resolved
    concerns, then walk ix_concern_resolution_time in duration order to the middle ones."""
    c = Concern
    in_period = and_(
        c.resolved_at.is_not(None), c.resolved_at >= period.start, c.resolved_at < period.end
    )
    count = session.scalar(select(func.count()).where(in_period))
    if not count:
        return None
    duration = c.resolved_at - c.opened_at
    middle = session.scalars(
        select(func.date_part("epoch", duration))
        .where(in_period)
        .order_by(duration)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    ).all()
    return sum(middle) / len(middle) / 86400.0


# Queries also timed as they were read before migration 0014 (weeks and days, no months).
BEFORE_MONTHS = {
    "opened by type": "concerns opened by type",
    "on-time": "on-time resolution",
    "median days": "median days to resolve",
    "grievance response": "grievance response",
}


def without_months(function: Callable[[], object]) -> object:
    """Run a query with db.kpi's month rollups hidden: whole weeks and days only."""
    months = kpi.MONTHS.copy()
    kpi.MONTHS.update(dict.fromkeys(months))
    try:
        return function()
    finally:
        kpi.MONTHS.update(months)


def growth_views(today: dt.date, tz_name: str, first_day: dt.date) -> dict[str, Period]:
    """name -> period."""

    def choice(name: str) -> Period:
        return periods.period_for(name, today=today, tz_name=tz_name)

    return {
        "this week": choice(periods.THIS_WEEK),
        "last 4 weeks": choice(periods.LAST_4_WEEKS),
        "this quarter": choice(periods.THIS_QUARTER),
        "two years": Period(today - dt.timedelta(days=729), today + dt.timedelta(days=1), tz_name),
        "whole history": Period(first_day, today + dt.timedelta(days=1), tz_name),
    }


def timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    function()  # warm the cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return median_and_p95(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", default="", help="size label for the table rows, e.g. 3x")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query")
    parser.add_argument(
        "--query", action="append", default=[], help="time only queries whose name contains this"
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = make_engine(database_url(settings))
    prepare_reference(engine, progress=lambda m: print(m, flush=True))
    with Session(engine) as session:
        first, interactions = session.execute(
            select(func.min(Interaction.occurred_at), func.count())
        ).one()
        first_opened, concerns, resolved = session.execute(
            select(func.min(Concern.opened_at), func.count(), func.count(Concern.resolved_at))
        ).one()
    first = min(first, first_opened or first)
    tz_name = settings.facility_tz_name
    now = dt.datetime.now(dt.UTC)
    today = periods.facility_today(settings.facility_tz, now)
    first_day = first.astimezone(settings.facility_tz).date()
    print(
        f"{args.label}: {interactions:,} interactions, {concerns:,} concerns ({resolved:,}"
        f" resolved) from {first_day} to {today}"
    )
    print("\n| size | view | query | median ms | p95 ms |")
    print("|---|---|---|---:|---:|")
    worst = 0.0
    for name, period in growth_views(today, tz_name, first_day).items():
        comparison = periods.comparison_period(period, today=today)
        trend = periods.trend_period(period, TREND_WEEKS)
        with Session(engine) as session:
            queries = page_queries(session, period, comparison, trend, now)
            queries["median days, index order (before 0011)"] = lambda s=session, p=period: (
                median_days_index_order(s, p)
            )
            for label, key in BEFORE_MONTHS.items():
                queries[f"{label} (before 0014)"] = lambda f=queries[key]: without_months(f)
            # The new way and the old must agree (the old one reads the whole period).
            old = median_days_index_order(session, period)
            new = kpi.median_days_to_resolve(session=session, period=period).value
            agree = (old is None and new is None) or abs((old or 0) - (new or 0)) < 1e-9
            # With month rollups and without: the same answers.
            for key in BEFORE_MONTHS.values():
                if queries[key]() != without_months(queries[key]):
                    print(f"MONTHS CHANGE {key} in {name}", file=sys.stderr)
                    return 1
            for query, function in queries.items():
                if args.query and not any(part in query for part in args.query):
                    continue
                median, p95 = timed(function, args.runs)
                if "(before" not in query:
                    worst = max(worst, median)
                print(f"| {args.label} | {name} | {query} | {median:.1f} | {p95:.1f} |", flush=True)
            whole, whole_p95 = timed(
                lambda q=queries: [f() for k, f in q.items() if "(before" not in k], args.runs
            )
            print(f"| {args.label} | {name} | one whole pass | {whole:.1f} | {whole_p95:.1f} |")
        if not agree:
            print(f"MEDIANS DIFFER in {name}: {old} (index order) vs {new}", file=sys.stderr)
            return 1
    print(f"\nSlowest page query median: {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

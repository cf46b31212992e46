"""Dashboard benchmark at the reference size (targets in BENCHMARKS.md).

    PRD_DATA_DIR=/tmp/prd-bench .venv/bin/python -m benchmarks.dashboard

Uses the embedded PostgreSQL in PRD_DATA_DIR (or DATABASE_URL): migrates it, generates the
reference data set when it is empty (synthetic, seed 1), VACUUM ANALYZEs, then for each
period view (this week, last 4 weeks, this quarter, two years; trend charts always over the
whole two years, 104 weeks):

1. times every query the dashboard page runs (median and p95 of repeated runs);
2. times the page's whole server-side run (AppTest of pages/dashboard.py, cache cleared before
   each run, and once more from the cache) against an empty page's run (the fixed floor);
3. computes the same KPIs and chart series the common way (load the rows into pandas, aggregate
   in Python), lean: each read loads only the rows and columns its view needs; checks that both
   give the same numbers, and prints the ratio to ONE whole pass of the page's queries (not to
   the sum of each query's median timed alone).

It also checks, once, that every trigger-kept summary equals its aggregate from the raw rows.
Never point it at a database you care about: it only reads, but it generates data into an
empty one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import (
    Measurement,
    first_staff_with,
    median_and_p95,
    prepare_reference,
    time_ms,
)
from db import dashboard_queries as dq
from db import kpi, periods, summaries
from db.engine import database_url, make_engine
from db.models import Interaction
from db.periods import Period
from db.settings import get_settings
from db.sla import GRIEVANCE_RESPONSE_DAYS
from db.users import StaffMember

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "dashboard.py")
EMPTY_PAGE = """
import streamlit as st
from components.shell import require_permission
from db.permissions import Permission
staff = require_permission(Permission.VIEWS_DASHBOARD)
st.title("Empty page")
"""
TREND_WEEKS = 104


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds over `runs` runs (after one warm-up)."""
    return median_and_p95(time_ms(function, runs))


# --- the database -----------------------------------------------------------------------------


def sizes(engine: Engine) -> dict[str, int]:
    tables = (
        "interaction",
        "concern",
        "concern_issue",
        "concern_event",
        "survey_response",
        "survey_answer",
        "patient",
        "department",
    )
    with engine.connect() as conn:
        return {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in tables}


# --- the views ----------------------------------------------------------------------------------


def views(today: dt.date, tz_name: str, first_day: dt.date) -> dict[str, tuple[str, Period]]:
    """name -> (picker choice, period)."""
    return {
        "this week": (
            periods.THIS_WEEK,
            periods.period_for(periods.THIS_WEEK, today=today, tz_name=tz_name),
        ),
        "last 4 weeks": (
            periods.LAST_4_WEEKS,
            periods.period_for(periods.LAST_4_WEEKS, today=today, tz_name=tz_name),
        ),
        "this quarter": (
            periods.THIS_QUARTER,
            periods.period_for(periods.THIS_QUARTER, today=today, tz_name=tz_name),
        ),
        "two years": (
            periods.CUSTOM,
            periods.period_for(
                periods.CUSTOM, today=today, tz_name=tz_name, first_day=first_day, last_day=today
            ),
        ),
    }


def page_queries(
    session: Session, period: Period, comparison: Period, trend: Period, now: dt.datetime
) -> dict[str, Callable[[], object]]:
    """Every query pages/dashboard.py runs (uncached), by name."""
    then = now - (period.start - comparison.start)
    common = {"session": session, "period": period, "previous": comparison}
    return {
        "data version": lambda: kpi.data_version(session=session),
        "departments": lambda: dq.departments(session=session),
        "summary time zone": lambda: summaries.summary_time_zone(session=session),
        "interactions": lambda: kpi.interactions(**common),
        "concerns opened by type": lambda: kpi.concerns_opened_by_type(**common),
        "open now": lambda: kpi.open_now(session=session, now=now, then=then),
        "overdue now": lambda: kpi.overdue_now(session=session, now=now, then=then),
        "on-time resolution": lambda: kpi.on_time_resolution_rate(**common),
        "median days to resolve": lambda: kpi.median_days_to_resolve(**common),
        "first-contact resolution": lambda: kpi.first_contact_resolution_rate(**common),
        "grievance response": lambda: kpi.grievance_response_compliance(**common, now=now),
        "NPS": lambda: kpi.net_promoter_score(**common),
        "complaints per 1,000": lambda: kpi.complaints_per_thousand_encounters(**common, now=now),
        "weekly volume (trend)": lambda: dq.weekly_concern_volume(session=session, period=trend),
        "by department": lambda: dq.concerns_by_department(session=session, period=period),
        "by category": lambda: dq.issues_by_category(session=session, period=period),
        "complaint rates": lambda: dq.complaint_rates(session=session, period=period, now=now),
        "open by age": lambda: dq.open_concerns_by_age(session=session, now=now),
        "weekly NPS (trend)": lambda: dq.weekly_satisfaction(session=session, period=trend),
        "overdue list": lambda: dq.overdue_concerns(session=session, now=now),
    }


# --- the common way: rows into pandas -----------------------------------------------------------


def pandas_dashboard(
    engine: Engine, period: Period, comparison: Period, trend: Period, now: dt.datetime
) -> dict[str, object]:
    """The same KPIs and series computed the common way, done lean: each read loads only the
    rows and columns its view needs (the period and its comparison; the trend window only for
    the trend charts; open concerns only for "now"), then pandas filters and aggregates."""
    tz = period.tz_name
    lo, hi = min(period.start, comparison.start), max(period.end, comparison.end)
    with engine.connect() as conn:

        def read(sql: str, **params) -> pd.DataFrame:
            return pd.read_sql(text(sql), conn, params=params)

        interactions = read(
            "SELECT occurred_at, outcome FROM interaction "
            "WHERE occurred_at >= :lo AND occurred_at < :hi",
            lo=lo,
            hi=hi,
        )
        opened_rows = read(
            "SELECT opened_at, type, department_id FROM concern "
            "WHERE opened_at >= :lo AND opened_at < :hi",
            lo=min(lo, trend.start),
            hi=max(hi, trend.end),
        )
        resolved_rows = read(
            "SELECT opened_at, resolved_at, due_at FROM concern "
            "WHERE resolved_at >= :lo AND resolved_at < :hi",
            lo=lo,
            hi=hi,
        )
        open_now = read(
            "SELECT opened_at, due_at FROM concern WHERE status NOT IN ('resolved', 'closed')"
        )
        # A grievance's window ends 7 local days after it opens: 8 UTC days back cover DST.
        grievances = read(
            "SELECT opened_at, written_response_at FROM concern WHERE type = 'grievance' "
            "AND opened_at >= :lo AND opened_at < :hi",
            lo=lo - dt.timedelta(days=GRIEVANCE_RESPONSE_DAYS + 1),
            hi=hi,
        )
        issues = read(
            "SELECT i.category_id, c.opened_at FROM concern_issue i "
            "JOIN concern c ON c.id = i.concern_id WHERE c.opened_at >= :lo "
            "AND c.opened_at < :hi",
            lo=period.start,
            hi=period.end,
        )
        answers = read(
            "SELECT r.responded_on, a.value FROM survey_answer a "
            "JOIN survey_response r ON r.id = a.response_id "
            "JOIN survey_question q ON q.id = a.question_id "
            "WHERE q.is_likelihood_to_recommend AND r.responded_on >= :lo_day "
            "AND r.responded_on < :hi_day",
            lo_day=min(period.first_day, comparison.first_day, trend.first_day),
            hi_day=max(period.end_day, comparison.end_day, trend.end_day),
        )
    out: dict[str, object] = {}

    def within(column: pd.Series, p: Period) -> pd.Series:
        return (column >= p.start) & (column < p.end)

    for key, p in (("", period), ("previous ", comparison)):
        rows = interactions[within(interactions.occurred_at, p)]
        out[key + "interactions"] = len(rows)
        resolved = (rows.outcome == "resolved-first-contact").sum()
        opened = (rows.outcome == "concern-opened").sum()
        out[key + "first-contact"] = resolved / (resolved + opened) if resolved + opened else None
        new = opened_rows[within(opened_rows.opened_at, p)]
        out[key + "opened by type"] = new.groupby("type").size().to_dict()
        done = resolved_rows[within(resolved_rows.resolved_at, p)]
        clocked = done[done.due_at.notna()]
        out[key + "on time"] = (
            (clocked.resolved_at <= clocked.due_at).mean() if len(clocked) else None
        )
        out[key + "median days"] = (
            (done.resolved_at - done.opened_at).dt.total_seconds().median() / 86400
            if len(done)
            else None
        )
        local_end = grievances.opened_at.dt.tz_convert(tz).dt.tz_localize(None) + pd.Timedelta(
            days=GRIEVANCE_RESPONSE_DAYS
        )
        window_end = local_end.dt.tz_localize(
            tz, ambiguous=np.ones(len(local_end), dtype=bool), nonexistent=pd.Timedelta(hours=1)
        ).dt.tz_convert("UTC")
        ended = (window_end >= p.start) & (window_end < min(p.end, now))
        in_time = grievances.written_response_at.notna() & (
            grievances.written_response_at <= window_end
        )
        out[key + "grievance response"] = (
            (in_time & ended).sum() / ended.sum() if ended.sum() else None
        )
        days = answers[(answers.responded_on >= p.first_day) & (answers.responded_on < p.end_day)]
        values = days.value.astype(float)
        out[key + "NPS"] = (
            100 * ((values >= 9).sum() - (values <= 6).sum()) / len(values) if len(values) else None
        )
    out["open now"] = len(open_now)
    out["overdue now"] = int((open_now.due_at < now).sum())
    ages = (now - open_now.opened_at).dt.total_seconds() / 86400
    out["open by age"] = pd.cut(ages, [-1, 1, 3, 7, 14, 28, 1e9], right=False).value_counts()
    trend_new = opened_rows[within(opened_rows.opened_at, trend)]
    local_day = trend_new.opened_at.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    week = local_day - pd.to_timedelta(local_day.dt.weekday, unit="D")
    out["weekly volume"] = trend_new.groupby([week, trend_new.type]).size()
    out["by department"] = (
        opened_rows[within(opened_rows.opened_at, period)]
        .groupby("department_id")
        .size()
        .sort_values(ascending=False)
    )
    out["by category"] = issues[within(issues.opened_at, period)].groupby("category_id").size()
    trend_answers = answers[
        (answers.responded_on >= trend.first_day) & (answers.responded_on < trend.end_day)
    ].copy()
    trend_answers["week"] = pd.to_datetime(trend_answers.responded_on).dt.to_period("W-SUN")
    values = trend_answers.value.astype(float)
    trend_answers["promoter"], trend_answers["detractor"] = values >= 9, values <= 6
    out["weekly NPS"] = trend_answers.groupby("week")[["promoter", "detractor"]].mean()
    return out


def compare(numbers: dq.DashboardNumbers, common: dict[str, object]) -> list[str]:
    """Differences between the KPI layer and the pandas computation (empty: the same)."""
    problems = []

    def same(name: str, ours, theirs) -> None:
        if ours is None or theirs is None:
            if ours is not theirs and not (ours is None and theirs is None):
                problems.append(f"{name}: {ours} vs {theirs}")
        elif abs(float(ours) - float(theirs)) > 1e-6 * max(1.0, abs(float(theirs))):
            problems.append(f"{name}: {ours} vs {theirs}")

    for prefix, attr in (("", "value"), ("previous ", "previous_value")):
        for label, result in (
            ("interactions", numbers.interactions),
            ("first-contact", numbers.first_contact_rate),
            ("on time", numbers.on_time_rate),
            ("median days", numbers.median_days),
            ("grievance response", numbers.grievance_compliance),
            ("NPS", numbers.nps),
        ):
            same(prefix + label, getattr(result, attr), common[prefix + label])
        for concern_type, result in numbers.opened_by_type.items():
            same(
                f"{prefix}opened {concern_type}",
                getattr(result, attr),
                common[prefix + "opened by type"].get(concern_type, 0),
            )
    same("open now", numbers.open_now.value, common["open now"])
    same("overdue now", numbers.overdue_now.value, common["overdue now"])
    same(
        "weekly volume total",
        int(numbers.weekly_volume.opened.sum()),
        int(common["weekly volume"].sum()),
    )
    same(
        "by category total", int(numbers.by_category.issues.sum()), int(common["by category"].sum())
    )
    return problems


# --- the page -------------------------------------------------------------------------------------


# Runs a page's code and records how long that took inside the script thread: the server-side
# run itself, without AppTest's own work around it (scanning for components, parsing deltas).
TIMED_PAGE = """
import time
import streamlit as st
_started = time.perf_counter()
exec(compile({source!r}, {path!r}, "exec"), {{"__name__": "__main__"}})
st.session_state["bench_elapsed"] = time.perf_counter() - _started
"""


def page_run(
    staff: StaffMember, params: dict[str, str] | None, *, clear: bool, source: str | None = None
) -> tuple[float, float]:
    """(script seconds, AppTest wall seconds) for one run of the dashboard (or of `source`),
    signed in as `staff`."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if clear:
        st.cache_data.clear()
    path = PAGE if source is None else "<empty page>"
    code = Path(PAGE).read_text() if source is None else source
    at = AppTest.from_string(TIMED_PAGE.format(source=code, path=path), default_timeout=120)
    at.session_state["staff"] = staff
    at.session_state["session_started_at"] = dt.datetime.now(dt.UTC)
    at.session_state["last_activity_at"] = dt.datetime.now(dt.UTC)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    started = time.perf_counter()
    at.run()
    wall = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception[0].message}")
    return at.session_state["bench_elapsed"], wall


def timed_page(staff, params, runs: int, *, clear: bool, source: str | None = None):
    """Median and p95 of the script time, and the median AppTest wall time, in ms."""
    page_run(staff, params, clear=True, source=source)  # warm-up: imports, connections
    samples = [page_run(staff, params, clear=clear, source=source) for _ in range(runs)]
    script = [_ms(s) for s, _ in samples]
    wall = [_ms(w) for _, w in samples]
    median, p95 = median_and_p95(script)
    return median, p95, statistics.median(wall)


# --- main -----------------------------------------------------------------------------------------


def measure(argv: list[str] | None = None) -> list[Measurement]:
    """Run the dashboard benchmark, printing as it goes; returns what was measured (a drift
    between summaries and raw rows is one failed measurement and stops the run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query")
    parser.add_argument("--page-runs", type=int, default=7, help="timed runs of the page")
    parser.add_argument("--pandas-runs", type=int, default=3, help="runs of the pandas way")
    parser.add_argument("--skip-drift", action="store_true", help="skip the summary check")
    parser.add_argument(
        "--skip-page", action="store_true", help="queries and pandas only (no AppTest runs)"
    )
    args = parser.parse_args(argv)

    settings = get_settings()
    url = database_url(settings)
    where = "DATABASE_URL" if settings.database_url else f"embedded in {settings.data_dir}"
    print(f"Database: {where}")
    engine = make_engine(url)
    prepare_reference(engine, progress=lambda m: print(m, flush=True))
    counts = sizes(engine)
    print("Rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    with Session(engine) as session:
        first, last = session.execute(
            select(func.min(Interaction.occurred_at), func.max(Interaction.occurred_at))
        ).one()
    tz_name = settings.facility_tz_name
    now = dt.datetime.now(dt.UTC)
    today = periods.facility_today(settings.facility_tz, now)
    first_day = first.astimezone(settings.facility_tz).date()
    print(
        f"Data from {first_day} to {last.astimezone(settings.facility_tz).date()}; "
        f"today {today}; trend charts over {TREND_WEEKS} weeks; facility zone {tz_name}"
    )

    if not args.skip_drift:
        with Session(engine) as session:
            started = time.perf_counter()
            drift = summaries.summary_drift(session=session)
        print(f"Summaries against raw rows: {drift} ({time.perf_counter() - started:.1f} s)")
        if any(drift.values()):
            print("SUMMARY DRIFT: the numbers would be wrong", file=sys.stderr)
            return [Measurement("dashboard", "summaries against raw rows", 0, 0, "no drift", False)]

    staff = first_staff_with(engine, "manager")
    floor_median, floor_p95, floor_wall = (
        (0.0, 0.0, 0.0)
        if args.skip_page
        else timed_page(staff, None, args.page_runs, clear=True, source=EMPTY_PAGE)
    )
    print(
        f"\nEmpty page (the floor): script median {floor_median:.0f} ms, p95 {floor_p95:.0f} ms;"
        f" AppTest wall {floor_wall:.0f} ms"
    )
    summary_rows = []
    measured = [Measurement("dashboard", "empty page (the floor)", floor_median, floor_p95, "")]
    for name, (choice, period) in views(today, tz_name, first_day).items():
        comparison = periods.comparison_period(period, today=today)
        trend = periods.trend_period(period, TREND_WEEKS)
        print(f"\n== {name}: {period.label()} vs {comparison.label()} ==")
        print(f"{'query':28} {'median ms':>10} {'p95 ms':>8}")
        total = 0.0
        slowest = 0.0
        query_over = False
        with Session(engine) as session:
            queries = page_queries(session, period, comparison, trend, now)
            # One whole pass of the page's queries, in order, as a page run makes them: the
            # honest side of the pandas comparison (not a sum of medians each timed alone).
            whole_median, whole_p95 = timed(
                lambda queries=queries: [function() for function in queries.values()], args.runs
            )
            for query, function in queries.items():
                median, p95 = timed(function, args.runs)
                total += median
                slowest = max(slowest, p95)
                flag = "  OVER 100 ms" if median > 100 else ""
                query_over = query_over or bool(flag)
                print(f"{query:28} {median:10.1f} {p95:8.1f}{flag}")
            numbers = dq.dashboard_numbers(
                session=session,
                period=period,
                comparison=comparison,
                trend=trend,
                department_id=None,
                now=now,
            )
        print(f"{'sum of medians':28} {total:10.1f}")
        print(f"{'one whole pass':28} {whole_median:10.1f} {whole_p95:8.1f}")
        params = periods.params_from_filters(
            periods.DashboardFilters(choice, period, None, TREND_WEEKS)
        )
        if args.skip_page:
            page_median = page_p95 = page_wall = cached_median = cached_wall = float("nan")
        else:
            page_median, page_p95, page_wall = timed_page(staff, params, args.page_runs, clear=True)
            cached_median, _, cached_wall = timed_page(staff, params, args.page_runs, clear=False)
        budget = 1.5 * total + floor_median
        verdict = "not run" if args.skip_page else "within" if page_median <= budget else "OVER"
        print(
            f"page run, cache cleared: script median {page_median:.0f} ms, p95 {page_p95:.0f} ms"
            f" ({verdict} 1.5 x queries + floor = {budget:.0f} ms); AppTest wall {page_wall:.0f}"
            " ms"
        )
        print(
            f"page run, from the cache: script median {cached_median:.0f} ms; AppTest wall"
            f" {cached_wall:.0f} ms"
        )
        pandas_samples = []
        common: dict[str, object] = {}
        for _ in range(args.pandas_runs):
            started = time.perf_counter()
            common = pandas_dashboard(engine, period, comparison, trend, now)
            pandas_samples.append(_ms(time.perf_counter() - started))
        pandas_median = statistics.median(pandas_samples)
        problems = compare(numbers, common)
        ratio = pandas_median / whole_median
        print(
            f"pandas way (lean): median {pandas_median:.0f} ms over {args.pandas_runs} runs; "
            f"{ratio:.0f}x one whole pass of the page's queries; same numbers: "
            f"{'yes' if not problems else 'NO'}"
        )
        for problem in problems:
            print("   differs:", problem)
        measured += [
            Measurement(
                "dashboard",
                f"{name}: queries (sum of medians; slowest p95)",
                total,
                slowest,
                "each median < 100 ms",
                not query_over,
            ),
            Measurement(
                "dashboard",
                f"{name}: page run, cache cleared",
                page_median,
                page_p95,
                f"median <= {budget:.0f} ms",
                verdict != "OVER",
            ),
            Measurement(
                "dashboard",
                f"{name}: the pandas way ({ratio:.0f}x)",
                pandas_median,
                max(pandas_samples),
                "same numbers",
                not problems,
            ),
        ]
        summary_rows.append(
            (
                name,
                total,
                whole_median,
                slowest,
                page_median,
                page_p95,
                budget,
                cached_median,
                page_wall,
                pandas_median,
                ratio,
                not problems,
            )
        )

    print(
        "\n| view | queries: sum of medians ms | one whole pass ms | slowest query p95 ms"
        " | page run median / p95 ms | budget: 1.5 x queries + floor ms | page from cache ms"
        " | AppTest wall ms | pandas way (lean) ms | pandas / whole pass | same numbers |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in summary_rows:
        name, total, whole, slowest, median, p95, budget, cached, wall, pandas_ms, ratio, same = row
        print(
            f"| {name} | {total:.0f} | {whole:.0f} | {slowest:.0f} | {median:.0f} / {p95:.0f}"
            f" | {budget:.0f}"
            f" | {cached:.0f} | {wall:.0f} | {pandas_ms:,.0f} | {ratio:.0f}x"
            f" | {'yes' if same else 'NO'} |"
        )
    print(
        f"\nEmpty page floor: script {floor_median:.0f} ms (AppTest wall {floor_wall:.0f} ms)."
        f" Failures: {sum(not m.ok for m in measured)}"
    )
    return measured


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a measurement misses its target."""
    return 0 if all(m.ok for m in measure(argv)) else 1


if __name__ == "__main__":
    sys.exit(main())

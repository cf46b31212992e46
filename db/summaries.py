"""Keeping the dashboard's summaries honest: their calendar, a drift check and a repair.

The per-day summaries (and their ISO-week and calendar-month rollups) are kept current by
database triggers on every INSERT, UPDATE, DELETE and TRUNCATE of the rows they count
(migrations 0002-0005, 0011, 0014). Two
things can still leave them out of step with the raw rows: a load that bypasses triggers
(`SET session_replication_role = replica`, as some restore tools do, or triggers disabled by
hand), and a change of the facility's time zone, which moves every local day. So:

- `ensure_summary_time_zone` makes the summaries count days in the facility's zone (a rebuild
  when it changed). `python -m db.cli prepare` runs it at start; a page view never rebuilds,
  except the administrator's time zone change (`change_summary_time_zone`, with progress),
  which is refused while another rebuild holds the lock.
- `totals_differ` is the cheap check `prepare` also runs: each summary's grand totals against a
  count of its raw rows (1.5 to 3 s at the reference size on a busy 2-core machine).
- `summary_differences` compares every summary row with the same aggregate computed from the raw
  rows (each summary's `<summary>_source` view) and `repair_summaries` refills the summaries
  that differ. `python -m db.cli check-summaries [--repair]` runs both for operators.

docs/metrics.md says what each summary counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import Base, DashboardSummaryState

DEFAULT_SUMMARY_TZ = "America/New_York"  # what migration 0002's triggers assume with no row

# Each summary and its key columns; the other columns are measures. Day summaries first: a
# weekly rollup is the sum of its day summary, so it is checked (and repaired) after it.
SUMMARY_KEYS = {
    "interaction_day": ("day", "department_id", "outcome"),
    "concern_day": ("day", "department_id", "type"),
    "concern_issue_day": ("day", "department_id", "category_id"),
    "survey_answer_day": ("question_id", "day", "department_id"),
    "grievance_window_day": ("day", "department_id"),
    "concern_resolution_day": ("day", "department_id", "bucket"),
    "interaction_week": ("week", "department_id", "outcome"),
    "concern_week": ("week", "department_id", "type"),
    "concern_issue_week": ("week", "department_id", "category_id"),
    "survey_answer_week": ("question_id", "week", "department_id"),
    "interaction_month": ("month", "department_id", "outcome"),
    "concern_month": ("month", "department_id", "type"),
    "concern_issue_month": ("month", "department_id", "category_id"),
    "survey_answer_month": ("question_id", "month", "department_id"),
    "concern_resolution_month": ("department_id", "month", "bucket"),
    "grievance_window_month": ("month", "department_id"),
}
# The weekly and monthly rollups of the day summaries (migrations 0004 and 0014).
ROLLUP_SUFFIXES = ("_week", "_month")

# (summary, its grand totals, the same totals from what it summarises): the cheap check.
_TOTALS = (
    ("interaction_day", "sum(interactions)", "SELECT count(*) FROM interaction"),
    ("concern_day", "sum(opened)", "SELECT count(*) FROM concern"),
    ("concern_day", "sum(resolved)", "SELECT count(resolved_at) FROM concern"),
    ("concern_issue_day", "sum(issues)", "SELECT count(*) FROM concern_issue"),
    ("survey_answer_day", "sum(answers)", "SELECT count(*) FROM survey_answer"),
    (
        "grievance_window_day",
        "sum(windows)",
        "SELECT count(*) FROM concern WHERE type = 'grievance'",
    ),
    # Every resolved concern is counted under its department and under "all departments" (-1).
    (
        "concern_resolution_day",
        "sum(resolved) FILTER (WHERE department_id <> -1)",
        "SELECT count(resolved_at) FROM concern",
    ),
    (
        "concern_resolution_day",
        "sum(resolved) FILTER (WHERE department_id = -1)",
        "SELECT count(resolved_at) FROM concern",
    ),
    ("interaction_week", "sum(interactions)", "SELECT sum(interactions) FROM interaction_day"),
    ("concern_week", "sum(opened)", "SELECT sum(opened) FROM concern_day"),
    ("concern_week", "sum(resolved)", "SELECT sum(resolved) FROM concern_day"),
    ("concern_issue_week", "sum(issues)", "SELECT sum(issues) FROM concern_issue_day"),
    ("survey_answer_week", "sum(answers)", "SELECT sum(answers) FROM survey_answer_day"),
    ("interaction_month", "sum(interactions)", "SELECT sum(interactions) FROM interaction_day"),
    ("concern_month", "sum(opened)", "SELECT sum(opened) FROM concern_day"),
    ("concern_month", "sum(resolved)", "SELECT sum(resolved) FROM concern_day"),
    ("concern_issue_month", "sum(issues)", "SELECT sum(issues) FROM concern_issue_day"),
    ("survey_answer_month", "sum(answers)", "SELECT sum(answers) FROM survey_answer_day"),
    (
        "concern_resolution_month",
        "sum(resolved)",
        "SELECT sum(resolved) FROM concern_resolution_day",
    ),
    ("grievance_window_month", "sum(windows)", "SELECT sum(windows) FROM grievance_window_day"),
)


def _measures(table: str) -> list[str]:
    keys = SUMMARY_KEYS[table]
    return [c.name for c in Base.metadata.tables[table].columns if c.name not in keys]


# --- the summaries' calendar -------------------------------------------------------------------


def summary_time_zone(*, session: Session) -> str:
    """The time zone whose calendar days the summaries count."""
    return session.scalar(select(DashboardSummaryState.facility_tz)) or DEFAULT_SUMMARY_TZ


def ensure_summary_time_zone(*, session: Session, tz_name: str) -> bool:
    """Make the summaries count days in `tz_name`; rebuilds them (once) if they used another
    zone. Returns True when it rebuilt. Run at start (db.cli prepare), never from a page."""
    if summary_time_zone(session=session) == tz_name:
        return False
    # Waits for a rebuild the administrator started, then does its own.
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SUMMARY_REBUILD_LOCK})
    _set_summary_time_zone(session, tz_name)
    rebuild_summaries(session=session)
    return True


# pg_advisory_xact_lock key held by whoever rebuilds the summaries, until that transaction ends.
SUMMARY_REBUILD_LOCK = 0x50524453  # "PRDS"


class RebuildRunning(RuntimeError):
    """Another rebuild of the dashboard summaries is running; try again when it has finished."""


def change_summary_time_zone(
    *,
    session: Session,
    tz_name: str,
    progress: Callable[[float, str], Any] = lambda _f, _m: None,
) -> None:
    """Count the summaries' days in `tz_name`: refill each summary on the new calendar, day
    summaries before their weekly rollups, reporting (fraction done, what). Refused with
    RebuildRunning while another rebuild holds the lock (it is held until the caller's commit or
    rollback). Readers see the old figures until the caller commits."""
    if not session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SUMMARY_REBUILD_LOCK}
    ):
        raise RebuildRunning(
            "The dashboard figures are being rebuilt already (another time zone change or a "
            "repair). Try again when it has finished."
        )
    _set_summary_time_zone(session, tz_name)
    tables = list(SUMMARY_KEYS)
    for done, table in enumerate(tables):
        progress(done / len(tables), f"Counting {table.replace('_', ' ')} in {tz_name}")
        refresh_summary(session=session, table=table)
    progress(1.0, f"The dashboard figures now count days in {tz_name}")


def _set_summary_time_zone(session: Session, tz_name: str) -> None:
    session.execute(
        text(
            "INSERT INTO dashboard_summary_state (id, facility_tz) VALUES (1, :tz) "
            "ON CONFLICT (id) DO UPDATE SET facility_tz = excluded.facility_tz"
        ),
        {"tz": tz_name},
    )


def rebuild_summaries(*, session: Session) -> None:
    """Refill every dashboard summary from the raw rows. Writers wait until it commits."""
    session.execute(text("SELECT rebuild_dashboard_summaries()"))
    # The weekly and monthly rollups follow the day summaries by triggers; refill them too, in
    # case they had drifted on their own.
    for table in SUMMARY_KEYS:
        if table.endswith(ROLLUP_SUFFIXES):
            refresh_summary(session=session, table=table)


def refresh_summary(*, session: Session, table: str) -> None:
    """Refill one summary from its `_source` view (moves the data version)."""
    if table not in SUMMARY_KEYS:
        raise ValueError(f"not a dashboard summary: {table!r}")
    session.execute(text("SELECT refresh_dashboard_summary(:t)"), {"t": table})


# --- drift -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryDifference:
    """One summary row that disagrees with its raw rows: the key, and per measure the value in
    the summary and the value computed from the raw rows (0 where a side has no row)."""

    table: str
    key: dict[str, Any]
    in_summary: dict[str, Any]
    from_raw_rows: dict[str, Any]


def _differences_sql(table: str) -> str:
    keys, measures = SUMMARY_KEYS[table], _measures(table)
    # A row brought to zero by subtraction equals no row, hence the coalesces.
    differs = " OR ".join(f"coalesce(s.{m}, 0) <> coalesce(r.{m}, 0)" for m in measures)
    return (
        f"SELECT {', '.join(keys)}, "
        + ", ".join(f"coalesce(s.{m}, 0) AS s_{m}, coalesce(r.{m}, 0) AS r_{m}" for m in measures)
        + ", count(*) OVER () AS differing"
        + f" FROM {table} s FULL JOIN {table}_source r USING ({', '.join(keys)})"
        + f" WHERE {differs} ORDER BY {', '.join(keys)} LIMIT :limit"
    )


def summary_differences(
    *, session: Session, table: str, limit: int = 10
) -> tuple[int, list[SummaryDifference]]:
    """How many rows of `table` disagree with the raw rows, and the first `limit` of them."""
    keys, measures = SUMMARY_KEYS[table], _measures(table)
    rows = session.execute(text(_differences_sql(table)), {"limit": max(limit, 1)}).mappings()
    found, count = [], 0
    for row in rows:
        count = int(row["differing"])
        found.append(
            SummaryDifference(
                table=table,
                key={k: row[k] for k in keys},
                in_summary={m: row[f"s_{m}"] for m in measures},
                from_raw_rows={m: row[f"r_{m}"] for m in measures},
            )
        )
    return count, found[:limit]


def _differing(session: Session, table: str) -> int:
    return summary_differences(session=session, table=table, limit=0)[0]


def summary_drift(*, session: Session) -> dict[str, int]:
    """Rows where a summary and the same aggregate from the raw rows disagree, per summary:
    all zero when the triggers have kept up."""
    return {table: _differing(session, table) for table in SUMMARY_KEYS}


def totals_differ(*, session: Session) -> list[str]:
    """The cheap check: each summary's grand totals against a count of the rows it summarises,
    in one snapshot. Catches a TRUNCATE or a trigger-bypassing load that added or removed rows
    (not one that only changed values: `summary_drift` finds those). Returns what differs, in
    words; empty when the totals agree."""
    columns = ", ".join(
        f"(SELECT coalesce({total}, 0) FROM {table}), coalesce(({raw}), 0)"
        for table, total, raw in _TOTALS
    )
    values = session.execute(text(f"SELECT {columns}")).one()
    found = []
    for index, (table, total, _raw) in enumerate(_TOTALS):
        summary, raw = values[2 * index], values[2 * index + 1]
        if summary != raw:
            found.append(f"{table}: {total} is {summary:,}, the rows it counts give {raw:,}")
    return found


def repair_summaries(
    *, session: Session, tables: list[str] | None = None, progress: Callable[[str], Any] = print
) -> list[str]:
    """Refill the summaries that disagree with the raw rows (or `tables`), day summaries before
    their weekly rollups, saying what it does; returns the summaries refilled. Writers wait
    for each summary while it is refilled; the caller commits."""
    if tables is None:
        drift = summary_drift(session=session)
        tables = [t for t, n in drift.items() if n]
    refilled = []
    for table in SUMMARY_KEYS:  # day summaries first
        if table not in tables:
            # Refilling a day summary moves its rollup through the triggers: check it again.
            rollup_moved = table.endswith(ROLLUP_SUFFIXES) and refilled
            if (
                not rollup_moved
                or not summary_differences(session=session, table=table, limit=0)[0]
            ):
                continue
        started = time.perf_counter()
        progress(f"Refilling {table}...")
        refresh_summary(session=session, table=table)
        refilled.append(table)
        progress(f"  {table} refilled in {time.perf_counter() - started:.1f} s")
    return refilled

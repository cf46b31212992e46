"""grievance response windows per day; resolution-time index for exact medians

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Measured at the reference size, two KPIs missed the 100 ms target over a two-year period when
read from raw rows: grievance response compliance (the window end is a facility-calendar time,
computed per grievance: ~180 ms) and the median time to resolve (sorting 200,000 durations:
~120 ms). So:

- `grievance_window_day`: grievances by the facility-calendar day their 7-day written-response
  window ends, and how many were answered in time, kept current by triggers like the summaries
  of 0002 (and rebuilt with them).
- `ix_concern_resolution_time`: resolved concerns ordered by their time to resolve, carrying
  resolved_at, so an exact median is a read of the middle one or two index entries that fall in
  the period, without a sort. It replaces ix_concern_grievance_opened.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMMARIES_0002 = ("interaction_day", "concern_day", "concern_issue_day", "survey_answer_day")
SUMMARIES = (*SUMMARIES_0002, "grievance_window_day")

# One concern row's contribution: nothing unless it is a grievance; then one window on the day
# its window ends (opened_at + 7 days on the facility calendar, as db.sla), answered in time or
# not. {rows} is the source relation, {s} the sign.
_WINDOWS = """
    SELECT w.day, w.department_id, {s},
           CASE WHEN w.written_response_at <= w.window_end THEN {s} ELSE 0 END
    FROM (
        SELECT (timezone(z.tz, r.opened_at) + interval '7 days')::date AS day,
               timezone(z.tz, timezone(z.tz, r.opened_at) + interval '7 days') AS window_end,
               coalesce(r.department_id, 0) AS department_id,
               r.written_response_at
        FROM {rows} r CROSS JOIN (SELECT dashboard_tz() AS tz) z
        WHERE r.type = 'grievance'
    ) AS w"""

_COLUMNS = "day, department_id, windows, responded_in_time"


def _upsert(deltas: str) -> str:
    return f"""
        INSERT INTO grievance_window_day AS s ({_COLUMNS})
        SELECT day, department_id, sum(windows), sum(responded_in_time)
        FROM ({deltas}) AS d ({_COLUMNS})
        GROUP BY day, department_id
        HAVING sum(windows) <> 0 OR sum(responded_in_time) <> 0
        ORDER BY day, department_id
        ON CONFLICT (day, department_id) DO UPDATE SET
            windows = s.windows + excluded.windows,
            responded_in_time = s.responded_in_time + excluded.responded_in_time;"""


def _rebuild_function(summaries: Sequence[str]) -> str:
    deletes = " ".join(f"DELETE FROM {s};" for s in summaries)
    inserts = " ".join(f"INSERT INTO {s} SELECT * FROM {s}_source;" for s in summaries)
    return f"""
        CREATE OR REPLACE FUNCTION rebuild_dashboard_summaries() RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            -- Writers wait while the summaries are refilled, so none of their changes is lost.
            LOCK TABLE {", ".join(summaries)} IN EXCLUSIVE MODE;
            {deletes}
            {inserts}
            PERFORM nextval('dashboard_data_version');
        END $$"""


def upgrade() -> None:
    op.create_table(
        "grievance_window_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("windows", sa.Integer(), nullable=False),
        sa.Column("responded_in_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "department_id", name=op.f("pk_grievance_window_day")),
    )
    op.execute(
        f"""
        CREATE VIEW grievance_window_day_source AS
        SELECT day, department_id, sum(windows) AS windows,
               sum(responded_in_time) AS responded_in_time
        FROM ({_WINDOWS.format(rows="concern", s="1")}) AS d ({_COLUMNS})
        GROUP BY day, department_id"""
    )
    new = _WINDOWS.format(rows="new_rows", s="1")
    old = _WINDOWS.format(rows="old_rows", s="-1")
    op.execute(
        f"""
        CREATE FUNCTION dashboard_follow_grievance_windows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN {_upsert(new)}
            ELSIF TG_OP = 'DELETE' THEN {_upsert(old)}
            ELSE {_upsert(new + " UNION ALL " + old)}
            END IF;
            RETURN NULL;  -- dashboard_follow_concern() moves dashboard_data_version
        END $$"""
    )
    for event, referencing in (
        ("insert", "NEW TABLE AS new_rows"),
        ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("delete", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER concern_grievance_windows_{event} AFTER {event.upper()} ON concern "
            f"REFERENCING {referencing} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_grievance_windows()"
        )
    op.execute(_rebuild_function(SUMMARIES))
    op.drop_index(
        "ix_concern_grievance_opened",
        table_name="concern",
        postgresql_where=sa.text("type = 'grievance'"),
    )
    op.create_index(
        "ix_concern_resolution_time",
        "concern",
        [sa.literal_column("(resolved_at - opened_at)")],
        unique=False,
        postgresql_include=["resolved_at", "opened_at", "department_id"],
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.execute("SELECT rebuild_dashboard_summaries()")


def downgrade() -> None:
    op.drop_index(
        "ix_concern_resolution_time",
        table_name="concern",
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.create_index(
        "ix_concern_grievance_opened",
        "concern",
        ["opened_at"],
        unique=False,
        postgresql_include=["written_response_at", "department_id"],
        postgresql_where=sa.text("type = 'grievance'"),
    )
    op.execute(_rebuild_function(SUMMARIES_0002))
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS concern_grievance_windows_{event} ON concern")
    op.execute("DROP FUNCTION IF EXISTS dashboard_follow_grievance_windows()")
    op.execute("DROP VIEW IF EXISTS grievance_window_day_source")
    op.drop_table("grievance_window_day")

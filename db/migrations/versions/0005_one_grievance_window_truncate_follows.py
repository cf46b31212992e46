"""one grievance response window in SQL; summaries follow TRUNCATE; per-summary refresh

Revision ID: 0005
Revises: 0008
Create Date: 2026-11-24

- `grievance_response_window_end(opened_at, tz)`: the end of a grievance's 7-day written-response
  window, the same rule as db.sla.grievance_response_due_at (docs/metrics.md): the same local
  clock time 7 calendar days later; when that clock time happens twice (clocks going back) the
  first of the two; when it does not happen (clocks going forward) the moment after the gap.
  The trigger and the view behind grievance_window_day and the KPI's own query all call it.
  Before, the trigger let PostgreSQL resolve a repeated clock time, which picks the second one:
  for a grievance opened at 01:xx on the Sunday a week before clocks go back the window was 169
  hours in the KPI and 168 hours on the worklist.
- `refresh_dashboard_summary(name)`: refill one summary (day or week) from its `_source` view.
  db.summaries uses it to repair drift, one summary at a time.
- TRUNCATE fires no row or INSERT/UPDATE/DELETE trigger, so the summaries kept the truncated
  rows' counts. Each source table now has an AFTER TRUNCATE trigger that refills the summaries
  that follow it (their weekly rollups follow by their own triggers) and moves the data version;
  a TRUNCATE of a day summary refills its weekly rollup.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Source table -> the day summaries that follow it (migrations 0002 and 0003).
FOLLOWERS = {
    "interaction": ("interaction_day",),
    "concern": ("concern_day", "concern_issue_day", "grievance_window_day"),
    "concern_issue": ("concern_issue_day",),
    "survey_answer": ("survey_answer_day",),
    "survey_response": ("survey_answer_day",),
    "survey_question": ("survey_answer_day",),
}
ROLLUPS = {
    "interaction_day": "interaction_week",
    "concern_day": "concern_week",
    "concern_issue_day": "concern_issue_week",
    "survey_answer_day": "survey_answer_week",
}

# One expression, so PostgreSQL inlines it into the queries that call it (a function with a
# FROM clause is run as a separate plan per row: 20 times slower on a week of grievances).
# 168 hours on is the answer when it reads as the same clock time 7 days later: no clock change
# in between, or the target time happens twice (168 hours lands on the first of the two). Else
# the local time 7 days later, which PostgreSQL reads past the gap when clocks go forward.
WINDOW_END = """
    CREATE FUNCTION grievance_response_window_end(opened_at timestamptz, tz text)
    RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN timezone(tz, opened_at + interval '168 hours')
                 = timezone(tz, opened_at) + interval '7 days'
            THEN opened_at + interval '168 hours'
            ELSE timezone(tz, timezone(tz, opened_at) + interval '7 days')
        END
    $$"""

# {window_end} is the SQL for the end of the window of row r in zone z.tz.
_WINDOWS = """
    SELECT w.day, w.department_id, {{s}},
           CASE WHEN w.written_response_at <= w.window_end THEN {{s}} ELSE 0 END
    FROM (
        SELECT (timezone(z.tz, e.window_end))::date AS day, e.window_end,
               coalesce(r.department_id, 0) AS department_id, r.written_response_at
        FROM {{rows}} r CROSS JOIN (SELECT dashboard_tz() AS tz) z
        CROSS JOIN LATERAL (SELECT {window_end} AS window_end) e
        WHERE r.type = 'grievance'
    ) AS w"""
WINDOWS_NEW = _WINDOWS.format(window_end="grievance_response_window_end(r.opened_at, z.tz)")
# As migration 0003 had it (for the downgrade).
WINDOWS_0003 = _WINDOWS.format(
    window_end="timezone(z.tz, timezone(z.tz, r.opened_at) + interval '7 days')"
)
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


def _grievance_windows(windows: str) -> None:
    new = windows.format(rows="new_rows", s="1")
    old = windows.format(rows="old_rows", s="-1")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION dashboard_follow_grievance_windows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN {_upsert(new)}
            ELSIF TG_OP = 'DELETE' THEN {_upsert(old)}
            ELSE {_upsert(new + " UNION ALL " + old)}
            END IF;
            RETURN NULL;  -- dashboard_follow_concern() moves dashboard_data_version
        END $$"""
    )
    op.execute(
        f"""
        CREATE OR REPLACE VIEW grievance_window_day_source AS
        SELECT day, department_id, sum(windows) AS windows,
               sum(responded_in_time) AS responded_in_time
        FROM ({windows.format(rows="concern", s="1")}) AS d ({_COLUMNS})
        GROUP BY day, department_id"""
    )


def upgrade() -> None:
    op.execute(WINDOW_END)
    _grievance_windows(WINDOWS_NEW)
    op.execute(
        """
        CREATE FUNCTION refresh_dashboard_summary(summary text) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            -- Writers wait while the summary is refilled, so none of their changes is lost.
            EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', summary);
            EXECUTE format('DELETE FROM %I', summary);
            EXECUTE format('INSERT INTO %I SELECT * FROM %I', summary, summary || '_source');
            PERFORM nextval('dashboard_data_version');
        END $$"""
    )
    # TG_ARGV: the summaries to refill.
    op.execute(
        """
        CREATE FUNCTION dashboard_follow_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE summary text;
        BEGIN
            FOREACH summary IN ARRAY TG_ARGV LOOP
                PERFORM refresh_dashboard_summary(summary);
            END LOOP;
            PERFORM nextval('dashboard_data_version');
            RETURN NULL;
        END $$"""
    )
    for table, summaries in {**FOLLOWERS, **{d: (w,) for d, w in ROLLUPS.items()}}.items():
        arguments = ", ".join(f"'{s}'" for s in summaries)
        op.execute(
            f"CREATE TRIGGER {table}_dashboard_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_truncate({arguments})"
        )
    op.execute("SELECT refresh_dashboard_summary('grievance_window_day')")


def downgrade() -> None:
    for table in (*FOLLOWERS, *ROLLUPS):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_dashboard_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS dashboard_follow_truncate()")
    _grievance_windows(WINDOWS_0003)
    op.execute("SELECT refresh_dashboard_summary('grievance_window_day')")
    op.execute("DROP FUNCTION IF EXISTS refresh_dashboard_summary(text)")
    op.execute("DROP FUNCTION IF EXISTS grievance_response_window_end(timestamptz, text)")

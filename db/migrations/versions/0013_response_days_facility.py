"""concerns keep the written-response days in force when opened; facility name and time zone

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24

The administrator can change the written-response days of a grievance (sla_rule). A change
applies to concerns opened afterwards, so each concern now records the days in force when it was
opened (`concern.written_response_days`), and the one window rule takes them as an argument:
`grievance_response_window_end(opened_at, tz, days)` (the same local clock time `days` calendar
days later, as before for 7; db.sla.grievance_response_due_at is the same rule in Python). The
summary trigger and its source view call it with each row's own days.

Existing concerns: the days of the last administrator change of the rule recorded in the audit
log at or before the concern's opening, else 7 (the default before the rule could be changed).

`facility_setting` (one row): the facility's name and time zone as the administrator set them;
empty means the environment's value (PRD_FACILITY_NAME, PRD_FACILITY_TZ) still applies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One expression, so PostgreSQL inlines it into the queries that call it (see migration 0005).
# `days` x 24 hours on is the answer when it reads as the same clock time `days` days later: no
# clock change in between, or the target time happens twice (the elapsed hours land on the first
# of the two). Else the local time `days` days later, which PostgreSQL reads past the gap when
# clocks go forward.
WINDOW_END = """
    CREATE FUNCTION grievance_response_window_end(opened_at timestamptz, tz text, days integer)
    RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN timezone(tz, opened_at + make_interval(hours => 24 * days))
                 = timezone(tz, opened_at) + make_interval(days => days)
            THEN opened_at + make_interval(hours => 24 * days)
            ELSE timezone(tz, timezone(tz, opened_at) + make_interval(days => days))
        END
    $$"""
WINDOW_END_0005 = """
    CREATE FUNCTION grievance_response_window_end(opened_at timestamptz, tz text)
    RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN timezone(tz, opened_at + interval '168 hours')
                 = timezone(tz, opened_at) + interval '7 days'
            THEN opened_at + interval '168 hours'
            ELSE timezone(tz, timezone(tz, opened_at) + interval '7 days')
        END
    $$"""

# As in migration 0005; {window_end} is the SQL for the end of the window of row r in zone z.tz.
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
WINDOWS_NEW = _WINDOWS.format(
    window_end="grievance_response_window_end(r.opened_at, z.tz, r.written_response_days)"
)
WINDOWS_0005 = _WINDOWS.format(window_end="grievance_response_window_end(r.opened_at, z.tz)")
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


# The rule in force at each grievance's opening, from the administrator's recorded changes.
BACKFILL = """
    UPDATE concern c SET written_response_days = r.days
    FROM (
        SELECT c2.id, (
            SELECT (a.detail -> 'after' ->> 'written_response_days')::smallint
            FROM audit_log a
            WHERE a.action = 'admin-change' AND a.entity = 'sla_rule'
              AND a.detail -> 'after' ? 'written_response_days'
              AND a.occurred_at <= c2.opened_at
            ORDER BY a.occurred_at DESC, a.id DESC
            LIMIT 1
        ) AS days
        FROM concern c2
    ) r
    WHERE r.id = c.id AND r.days IS NOT NULL AND r.days <> c.written_response_days"""


def upgrade() -> None:
    op.add_column(
        "concern",
        sa.Column("written_response_days", sa.SmallInteger(), server_default="7", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_concern_written_response_days_range"),
        "concern",
        "written_response_days BETWEEN 1 AND 60",
    )
    op.execute(BACKFILL)
    op.execute(WINDOW_END)
    _grievance_windows(WINDOWS_NEW)
    op.execute("DROP FUNCTION grievance_response_window_end(timestamptz, text)")
    op.execute("SELECT refresh_dashboard_summary('grievance_window_day')")
    op.create_table(
        "facility_setting",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_facility_setting_single_row")),
        sa.CheckConstraint(
            "name IS NULL OR length(btrim(name)) BETWEEN 2 AND 120",
            name=op.f("ck_facility_setting_name_length"),
        ),
        sa.CheckConstraint(
            "time_zone IS NULL OR length(time_zone) BETWEEN 3 AND 64",
            name=op.f("ck_facility_setting_time_zone_length"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_setting")),
    )


def downgrade() -> None:
    op.drop_table("facility_setting")
    op.execute(WINDOW_END_0005)
    _grievance_windows(WINDOWS_0005)
    op.execute("DROP FUNCTION grievance_response_window_end(timestamptz, text, integer)")
    op.drop_constraint(op.f("ck_concern_written_response_days_range"), "concern", type_="check")
    op.drop_column("concern", "written_response_days")
    op.execute("SELECT refresh_dashboard_summary('grievance_window_day')")

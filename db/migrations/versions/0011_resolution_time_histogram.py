"""resolution-time histogram per day, so the median time to resolve costs what its period costs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

The exact median of (resolved_at - opened_at) was read from ix_concern_resolution_time in
duration order, skipping every resolved concern outside the period: its cost grew with the years
of history (42 ms at the reference size, 93 ms at three times it, for the same two-year period).
Now:

- `resolution_bucket(interval)`: a resolution time's bucket on a geometric scale, four buckets
  per doubling of (1 + hours): 0 is under 11 minutes, 4 is 1-1.4 hours, 18 is about a day, 26
  about four days. One definition, used by the summary, its view and the index below.
- `concern_resolution_day`: resolved concerns per facility-calendar day of resolved_at,
  department and bucket, kept current by statement triggers like the summaries of 0002. Each
  concern is counted twice: under its department (0 when it has none) and under department -1,
  "all departments", so the whole-facility view reads one row per day and bucket instead of one
  per department.
- `ix_concern_resolution_bucket`: resolved concerns by bucket and resolved_at, carrying
  opened_at and department_id. The median reads the period's histogram from the summary, finds
  the bucket that holds the middle one or two concerns, and reads only that bucket's concerns of
  the period from this index: both reads are bounded by the period, not by the history.
- The summary follows TRUNCATE of `concern`, is refilled by rebuild_dashboard_summaries() (time
  zone change) and has a `_source` view for the drift check (db.cli check-summaries).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_DEPARTMENTS = -1

# rebuild_dashboard_summaries() as migration 0003 left it, and with this summary.
SUMMARIES_0003 = (
    "interaction_day",
    "concern_day",
    "concern_issue_day",
    "survey_answer_day",
    "grievance_window_day",
)
SUMMARIES = (*SUMMARIES_0003, "concern_resolution_day")

BUCKET_FUNCTION = """
    CREATE FUNCTION resolution_bucket(duration interval) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT floor(
            4 * ln(1 + greatest(extract(epoch FROM duration), 0)::float8 / 3600) / ln(2::float8)
        )::integer
    $$"""

# One concern row's contribution: nothing until it is resolved; then one under its department
# and one under "all departments", on the local day of resolved_at. {rows}: the source relation,
# {s}: the sign.
_CONTRIBUTIONS = f"""
    SELECT (timezone(z.tz, r.resolved_at))::date, d.department_id,
           resolution_bucket(r.resolved_at - r.opened_at), {{s}}
    FROM {{rows}} r CROSS JOIN (SELECT dashboard_tz() AS tz) z
    CROSS JOIN LATERAL (VALUES (coalesce(r.department_id, 0)), ({ALL_DEPARTMENTS})) AS d (department_id)
    WHERE r.resolved_at IS NOT NULL"""
_COLUMNS = "day, department_id, bucket, resolved"


def _upsert(deltas: str) -> str:
    return f"""
        INSERT INTO concern_resolution_day AS s ({_COLUMNS})
        SELECT day, department_id, bucket, sum(resolved)
        FROM ({deltas}) AS d ({_COLUMNS})
        GROUP BY day, department_id, bucket
        HAVING sum(resolved) <> 0
        ORDER BY day, department_id, bucket
        ON CONFLICT (day, department_id, bucket) DO UPDATE SET
            resolved = s.resolved + excluded.resolved;"""


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
    op.execute(BUCKET_FUNCTION)
    op.create_table(
        "concern_resolution_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "department_id", "day", "bucket", name=op.f("pk_concern_resolution_day")
        ),
    )
    op.execute(
        f"""
        CREATE VIEW concern_resolution_day_source AS
        SELECT day, department_id, bucket, sum(resolved)::integer AS resolved
        FROM ({_CONTRIBUTIONS.format(rows="concern", s="1")}) AS d ({_COLUMNS})
        GROUP BY day, department_id, bucket"""
    )
    new = _CONTRIBUTIONS.format(rows="new_rows", s="1")
    old = _CONTRIBUTIONS.format(rows="old_rows", s="-1")
    op.execute(
        f"""
        CREATE FUNCTION dashboard_follow_resolution_times() RETURNS trigger
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
            f"CREATE TRIGGER concern_resolution_times_{event} AFTER {event.upper()} ON concern "
            f"REFERENCING {referencing} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_resolution_times()"
        )
    # TRUNCATE fires none of the above (migration 0005's function refills the summary).
    op.execute(
        "CREATE TRIGGER concern_resolution_times_truncate AFTER TRUNCATE ON concern "
        "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_truncate('concern_resolution_day')"
    )
    op.execute(_rebuild_function(SUMMARIES))
    op.create_index(
        "ix_concern_resolution_bucket",
        "concern",
        [sa.literal_column("resolution_bucket(resolved_at - opened_at)"), "resolved_at"],
        unique=False,
        postgresql_include=["opened_at", "department_id"],
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.execute("SELECT refresh_dashboard_summary('concern_resolution_day')")


def downgrade() -> None:
    op.drop_index(
        "ix_concern_resolution_bucket",
        table_name="concern",
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.execute(_rebuild_function(SUMMARIES_0003))
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS concern_resolution_times_{event} ON concern")
    op.execute("DROP FUNCTION IF EXISTS dashboard_follow_resolution_times()")
    op.execute("DROP VIEW IF EXISTS concern_resolution_day_source")
    op.drop_table("concern_resolution_day")
    op.execute("DROP FUNCTION IF EXISTS resolution_bucket(interval)")

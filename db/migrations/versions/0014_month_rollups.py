"""month rollups of the dashboard's day summaries, so a view of many years reads months

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25

At ten times the reference size (20 years of history) a whole-history view still read every
week of every summary: concerns opened by type 134 ms, on-time resolution 123 ms, and the
resolution-time histogram behind the median and the grievance windows (neither had a weekly
rollup) 7,300 days of rows.
Each day summary that the period KPIs sum now has a calendar-month rollup (`<summary>_month`,
keyed by the first day of the month), kept current by statement triggers on the day summary
itself, as the weekly rollups of 0004 are, so it follows every change the day summary follows:
every write, the time-zone rebuild (rebuild_dashboard_summaries() refills the day summaries,
whose triggers carry the change here), a repair, and a TRUNCATE of the day summary (refilled
from `<summary>_month_source`). db.kpi reads whole months from these, then whole weeks and days
only at the edges of a period. Sums over months are the same sums as over their days: exact.

`ix_concern_grievance_opened`: grievances by opened_at, carrying what their window needs, for
the windows that end today (counted from the rows up to the current moment).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# day summary -> (its keys other than the day, its measures)
ROLLUPS = {
    "interaction_day": (("department_id", "outcome"), ("interactions",)),
    "concern_day": (
        ("department_id", "type"),
        ("opened", "resolved", "resolved_with_clock", "resolved_on_time"),
    ),
    "concern_issue_day": (("department_id", "category_id"), ("issues",)),
    "survey_answer_day": (
        ("question_id", "department_id"),
        ("answers", "total", "top_box", "promoters", "detractors"),
    ),
    "concern_resolution_day": (("department_id", "bucket"), ("resolved",)),
    "grievance_window_day": (("department_id",), ("windows", "responded_in_time")),
}
# Primary keys in the order the queries filter by, as for the day summaries.
PRIMARY_KEYS = {
    "survey_answer_day": ("question_id", "month", "department_id"),
    "concern_resolution_day": ("department_id", "month", "bucket"),
}
MONTH = "date_trunc('month', {day})::date"


def _month_table(day_table: str) -> str:
    return day_table.removesuffix("_day") + "_month"


def _upsert(day_table: str, parts: list[tuple[str, str]]) -> str:
    keys, measures = ROLLUPS[day_table]
    cols = ", ".join(("month", *keys, *measures))
    key_list = ", ".join(("month", *keys))
    selects = " UNION ALL ".join(
        f"SELECT {MONTH.format(day='r.day')}, {', '.join('r.' + k for k in keys)}, "
        + ", ".join(f"{sign}r.{m}" for m in measures)
        + f" FROM {rows} r"
        for rows, sign in parts
    )
    sums = ", ".join(f"sum({m})" for m in measures)
    nonzero = " OR ".join(f"sum({m}) <> 0" for m in measures)
    update = ", ".join(f"{m} = s.{m} + excluded.{m}" for m in measures)
    return f"""
        INSERT INTO {_month_table(day_table)} AS s ({cols})
        SELECT {key_list}, {sums} FROM ({selects}) AS d ({cols})
        GROUP BY {key_list} HAVING {nonzero} ORDER BY {key_list}
        ON CONFLICT ({key_list}) DO UPDATE SET {update};"""


def upgrade() -> None:
    for day_table, (keys, measures) in ROLLUPS.items():
        month = _month_table(day_table)
        op.create_table(
            month,
            sa.Column("month", sa.Date(), nullable=False),
            *(
                sa.Column(
                    k, sa.Text() if k in ("outcome", "type") else sa.Integer(), nullable=False
                )
                for k in keys
            ),
            *(
                sa.Column(m, sa.Numeric() if m == "total" else sa.Integer(), nullable=False)
                for m in measures
            ),
            sa.PrimaryKeyConstraint(
                *PRIMARY_KEYS.get(day_table, ("month", *keys)), name=op.f(f"pk_{month}")
            ),
        )
        key_list = ", ".join(keys)
        op.execute(
            f"""
            CREATE VIEW {month}_source AS
            SELECT {MONTH.format(day="day")} AS month, {key_list},
                   {", ".join(f"sum({m})::{'numeric' if m == 'total' else 'integer'} AS {m}" for m in measures)}
            FROM {day_table}
            GROUP BY {MONTH.format(day="day")}, {key_list}"""
        )
        op.execute(
            f"""
            CREATE FUNCTION rollup_month_{day_table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN {_upsert(day_table, [("new_rows", "")])}
                ELSIF TG_OP = 'DELETE' THEN {_upsert(day_table, [("old_rows", "-")])}
                ELSE {_upsert(day_table, [("new_rows", ""), ("old_rows", "-")])}
                END IF;
                RETURN NULL;
            END $$"""
        )
        for event, referencing in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            op.execute(
                f"CREATE TRIGGER {day_table}_month_{event} AFTER {event.upper()} ON {day_table} "
                f"REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION rollup_month_{day_table}()"
            )
        # A TRUNCATE of the day summary fires none of the above (see migration 0005).
        op.execute(
            f"CREATE TRIGGER {day_table}_month_truncate AFTER TRUNCATE ON {day_table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_truncate('{month}')"
        )
        # Existing data: the day summaries are already filled.
        op.execute(f"INSERT INTO {month} SELECT * FROM {month}_source")
    # The grievance windows ending today are counted from the rows: the grievances opened in the
    # last 61 days, read from this index alone instead of every concern opened since.
    op.create_index(
        "ix_concern_grievance_opened",
        "concern",
        ["opened_at"],
        unique=False,
        postgresql_include=["written_response_days", "written_response_at", "department_id"],
        postgresql_where=sa.text("type = 'grievance'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_concern_grievance_opened",
        table_name="concern",
        postgresql_where=sa.text("type = 'grievance'"),
    )
    for day_table in ROLLUPS:
        month = _month_table(day_table)
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {day_table}_month_{event} ON {day_table}")
        op.execute(f"DROP FUNCTION IF EXISTS rollup_month_{day_table}()")
        op.execute(f"DROP VIEW IF EXISTS {month}_source")
        op.drop_table(month)

"""weekly rollups of the dashboard's day summaries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Measured at the reference size, a two-year period still read about 100,000 day rows per summary
(day x department x type): 15-35 ms a query, about 220 ms for the whole dashboard, only 24x
faster than loading the rows into pandas (the target is 50x, BENCHMARKS.md). Each day summary now has
an ISO-week rollup (`<summary>_week`, keyed by the Monday), kept current by statement triggers
on the day summary itself, so it follows every change the day summaries follow. db.kpi reads
whole weeks from the rollup and only the days at the edges of a period from the day summary.
`<summary>_week_source` views aggregate the day summaries by week, for the drift check.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
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
}


def _week_table(day_table: str) -> str:
    return day_table.removesuffix("_day") + "_week"


def _upsert(day_table: str, parts: list[tuple[str, str]]) -> str:
    keys, measures = ROLLUPS[day_table]
    week = _week_table(day_table)
    cols = ", ".join(("week", *keys, *measures))
    key_list = ", ".join(("week", *keys))
    selects = " UNION ALL ".join(
        f"SELECT date_trunc('week', r.day)::date, {', '.join('r.' + k for k in keys)}, "
        + ", ".join(f"{sign}r.{m}" for m in measures)
        + f" FROM {rows} r"
        for rows, sign in parts
    )
    sums = ", ".join(f"sum({m})" for m in measures)
    nonzero = " OR ".join(f"sum({m}) <> 0" for m in measures)
    update = ", ".join(f"{m} = s.{m} + excluded.{m}" for m in measures)
    return f"""
        INSERT INTO {week} AS s ({cols})
        SELECT {key_list}, {sums} FROM ({selects}) AS d ({cols})
        GROUP BY {key_list} HAVING {nonzero} ORDER BY {key_list}
        ON CONFLICT ({key_list}) DO UPDATE SET {update};"""


# Primary keys in the order the queries filter by (survey answers: by question first).
PRIMARY_KEYS = {"survey_answer_day": ("question_id", "week", "department_id")}


def _create_week_table(day_table: str) -> None:
    keys, measures = ROLLUPS[day_table]
    week = _week_table(day_table)
    primary_key = PRIMARY_KEYS.get(day_table, ("week", *keys))
    numeric = {"total"}  # survey answer sums are decimals
    op.create_table(
        week,
        sa.Column("week", sa.Date(), nullable=False),
        *(
            sa.Column(k, sa.Integer() if k.endswith("_id") else sa.Text(), nullable=False)
            for k in keys
        ),
        *(
            sa.Column(m, sa.Numeric() if m in numeric else sa.Integer(), nullable=False)
            for m in measures
        ),
        sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{week}")),
    )


def upgrade() -> None:
    for day_table, (keys, measures) in ROLLUPS.items():
        week = _week_table(day_table)
        _create_week_table(day_table)
        key_list = ", ".join(keys)
        op.execute(
            f"""
            CREATE VIEW {week}_source AS
            SELECT date_trunc('week', day)::date AS week, {key_list},
                   {", ".join(f"sum({m}) AS {m}" for m in measures)}
            FROM {day_table}
            GROUP BY date_trunc('week', day)::date, {key_list}"""
        )
        op.execute(
            f"""
            CREATE FUNCTION rollup_{day_table}() RETURNS trigger LANGUAGE plpgsql AS $$
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
                f"CREATE TRIGGER {day_table}_rollup_{event} AFTER {event.upper()} ON {day_table} "
                f"REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION rollup_{day_table}()"
            )
        # Existing data: the day summaries are already filled.
        op.execute(f"INSERT INTO {week} SELECT * FROM {week}_source")


def downgrade() -> None:
    for day_table in ROLLUPS:
        week = _week_table(day_table)
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {day_table}_rollup_{event} ON {day_table}")
        op.execute(f"DROP FUNCTION IF EXISTS rollup_{day_table}()")
        op.execute(f"DROP VIEW IF EXISTS {week}_source")
        op.drop_table(week)

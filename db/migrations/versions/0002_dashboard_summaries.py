"""dashboard summaries: per-day counts kept current by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The dashboard must answer in under 100 ms over two years of data (BENCHMARKS.md), and a GROUP
BY over a million interactions takes about 400 ms. So the database keeps per-day summaries on
the facility's calendar (day x department x outcome/type/category/question) up to date itself:
statement-level triggers with transition tables add what a statement inserted and subtract what
it deleted or replaced. They fire for every path that writes (the app, CSV imports, COPY bulk
loads, psql), cost one small aggregate per statement, and commit or roll back with the write.

Each summary has a `<summary>_source` view: the same aggregate computed from the raw rows.
`rebuild_dashboard_summaries()` refills the summaries from those views (after this migration,
and when the facility's time zone changes); tests compare summaries and views for drift.
`dashboard_data_version` moves on every change, so caches can tell when they are stale.
TRUNCATE of a source table is followed since migration 0005.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = "CROSS JOIN (SELECT dashboard_tz() AS tz) z"

# Each summary: its key columns, its measures, and, per source table it follows, the rows that
# one source row contributes. {rows} is the source relation, {s} the sign (+1 added, -1 removed).
SUMMARIES = {
    "interaction_day": {
        "keys": ("day", "department_id", "outcome"),
        "measures": ("interactions",),
        "sources": {
            "interaction": f"""
                SELECT (r.occurred_at AT TIME ZONE z.tz)::date, coalesce(r.department_id, 0),
                       r.outcome, {{s}}
                FROM {{rows}} r {TZ}""",
        },
    },
    "concern_day": {
        "keys": ("day", "department_id", "type"),
        "measures": ("opened", "resolved", "resolved_with_clock", "resolved_on_time"),
        "sources": {
            # A concern counts once on the day it was opened and once on the day it was resolved.
            "concern": f"""
                SELECT (r.opened_at AT TIME ZONE z.tz)::date, coalesce(r.department_id, 0),
                       r.type, {{s}}, 0, 0, 0
                FROM {{rows}} r {TZ}
                UNION ALL
                SELECT (r.resolved_at AT TIME ZONE z.tz)::date, coalesce(r.department_id, 0),
                       r.type, 0, {{s}},
                       CASE WHEN r.due_at IS NOT NULL THEN {{s}} ELSE 0 END,
                       CASE WHEN r.resolved_at <= r.due_at THEN {{s}} ELSE 0 END
                FROM {{rows}} r {TZ}
                WHERE r.resolved_at IS NOT NULL""",
        },
    },
    "concern_issue_day": {
        # Issues count on their concern's opening day, under the concern's department.
        "keys": ("day", "department_id", "category_id"),
        "measures": ("issues",),
        "sources": {
            "concern_issue": f"""
                SELECT (c.opened_at AT TIME ZONE z.tz)::date, coalesce(c.department_id, 0),
                       r.category_id, {{s}}
                FROM {{rows}} r JOIN concern c ON c.id = r.concern_id {TZ}""",
            "concern": f"""
                SELECT (r.opened_at AT TIME ZONE z.tz)::date, coalesce(r.department_id, 0),
                       i.category_id, {{s}}
                FROM {{rows}} r JOIN concern_issue i ON i.concern_id = r.id {TZ}""",
        },
    },
    "survey_answer_day": {
        "keys": ("question_id", "day", "department_id"),
        "measures": ("answers", "total", "top_box", "promoters", "detractors"),
        "sources": {},  # filled below: one select list, three ways in
    },
}
_SURVEY_SELECT = """
    SELECT a.question_id, resp.responded_on, resp.department_id, {s}, {s} * a.value,
           CASE WHEN a.value >= q.top_box_min THEN {s} ELSE 0 END,
           CASE WHEN q.is_likelihood_to_recommend AND a.value >= 9 THEN {s} ELSE 0 END,
           CASE WHEN q.is_likelihood_to_recommend AND a.value <= 6 THEN {s} ELSE 0 END"""
SUMMARIES["survey_answer_day"]["sources"] = {
    "survey_answer": _SURVEY_SELECT
    + """
    FROM {rows} a JOIN survey_response resp ON resp.id = a.response_id
    JOIN survey_question q ON q.id = a.question_id""",
    "survey_response": _SURVEY_SELECT
    + """
    FROM {rows} resp JOIN survey_answer a ON a.response_id = resp.id
    JOIN survey_question q ON q.id = a.question_id""",
    "survey_question": _SURVEY_SELECT
    + """
    FROM {rows} q JOIN survey_answer a ON a.question_id = q.id
    JOIN survey_response resp ON resp.id = a.response_id""",
}

# Deleting a concern or a survey response cascades to its issues or answers; by the time their
# own triggers run the parent row is gone and the day and department with it. So the parent
# subtracts its children just before it is deleted.
BEFORE_DELETE = {
    "concern": (
        "concern_issue_day",
        "concern",
        "(SELECT OLD.id AS id, OLD.opened_at AS opened_at, OLD.department_id AS department_id)",
    ),
    "survey_response": (
        "survey_answer_day",
        "survey_response",
        "(SELECT OLD.id AS id, OLD.responded_on AS responded_on,"
        " OLD.department_id AS department_id)",
    ),
}


def _sources_of(table: str) -> list[str]:
    return [name for name, spec in SUMMARIES.items() if table in spec["sources"]]


SOURCE_TABLES = sorted({t for spec in SUMMARIES.values() for t in spec["sources"]})


def _upsert(summary: str, deltas: str) -> str:
    spec = SUMMARIES[summary]
    keys, measures = spec["keys"], spec["measures"]
    cols = ", ".join(keys + measures)
    key_list = ", ".join(keys)
    sums = ", ".join(f"sum({m})" for m in measures)
    nonzero = " OR ".join(f"sum({m}) <> 0" for m in measures)
    update = ", ".join(f"{m} = s.{m} + excluded.{m}" for m in measures)
    # Sorted so that two writers touching the same days lock summary rows in the same order.
    return f"""
        INSERT INTO {summary} AS s ({cols})
        SELECT {key_list}, {sums} FROM ({deltas}) AS d ({cols})
        GROUP BY {key_list} HAVING {nonzero} ORDER BY {key_list}
        ON CONFLICT ({key_list}) DO UPDATE SET {update};
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;"""


def _contribution(summary: str, table: str, rows: str, sign: str) -> str:
    return SUMMARIES[summary]["sources"][table].format(rows=rows, s=sign)


def _statement_function(table: str) -> str:
    def block(rows_signs: list[tuple[str, str]]) -> str:
        return "".join(
            _upsert(
                summary,
                " UNION ALL ".join(
                    _contribution(summary, table, rows, sign) for rows, sign in rows_signs
                ),
            )
            for summary in _sources_of(table)
        )

    return f"""
        CREATE FUNCTION dashboard_follow_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE n bigint; changed bigint := 0;
        BEGIN
            IF TG_OP = 'INSERT' THEN {block([("new_rows", "1")])}
            ELSIF TG_OP = 'DELETE' THEN {block([("old_rows", "-1")])}
            ELSE {block([("new_rows", "1"), ("old_rows", "-1")])}
            END IF;
            -- Any change to a concern may move "open now" or "overdue now", summarised or not.
            IF changed > 0 OR TG_TABLE_NAME = 'concern' THEN
                PERFORM nextval('dashboard_data_version');
            END IF;
            RETURN NULL;
        END $$"""


def _before_delete_function(table: str) -> str:
    summary, source, rows = BEFORE_DELETE[table]
    return f"""
        CREATE FUNCTION dashboard_before_delete_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE n bigint; changed bigint := 0;
        BEGIN
            {_upsert(summary, _contribution(summary, source, rows, "-1"))}
            IF changed > 0 THEN PERFORM nextval('dashboard_data_version'); END IF;
            RETURN OLD;
        END $$"""


def _source_view(summary: str) -> str:
    spec = SUMMARIES[summary]
    keys, measures = spec["keys"], spec["measures"]
    cols = ", ".join(keys + measures)
    key_list = ", ".join(keys)
    table = next(iter(spec["sources"]))  # the first source holds every row once
    sums = ", ".join(f"sum({m}) AS {m}" for m in measures)
    return f"""
        CREATE VIEW {summary}_source AS
        SELECT {key_list}, {sums}
        FROM ({_contribution(summary, table, table, "1")}) AS d ({cols})
        GROUP BY {key_list}"""


def upgrade() -> None:
    op.create_table(
        "dashboard_summary_state",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("facility_tz", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_dashboard_summary_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_summary_state")),
    )
    op.create_table(
        "interaction_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "department_id", "outcome", name=op.f("pk_interaction_day")),
    )
    op.create_table(
        "concern_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("resolved_with_clock", sa.Integer(), nullable=False),
        sa.Column("resolved_on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "department_id", "type", name=op.f("pk_concern_day")),
    )
    op.create_table(
        "concern_issue_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("issues", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "department_id", "category_id", name=op.f("pk_concern_issue_day")
        ),
    )
    op.create_table(
        "survey_answer_day",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(), nullable=False),
        sa.Column("top_box", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "question_id", "day", "department_id", name=op.f("pk_survey_answer_day")
        ),
    )
    # Raw-row KPIs that a per-day summary cannot give exactly: grievance response windows
    # (they end at a clock time) and the median time to resolve.
    op.create_index(
        "ix_concern_grievance_opened",
        "concern",
        ["opened_at"],
        unique=False,
        postgresql_include=["written_response_at", "department_id"],
        postgresql_where=sa.text("type = 'grievance'"),
    )
    op.create_index(
        "ix_concern_resolved_durations",
        "concern",
        ["resolved_at"],
        unique=False,
        postgresql_include=["opened_at", "department_id", "due_at"],
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.execute("CREATE SEQUENCE dashboard_data_version")
    op.execute(
        """
        CREATE FUNCTION dashboard_tz() RETURNS text LANGUAGE sql STABLE AS $$
            SELECT coalesce(
                (SELECT facility_tz FROM dashboard_summary_state WHERE id = 1),
                'America/New_York')
        $$
        """
    )
    for summary in SUMMARIES:
        op.execute(_source_view(summary))
    for table in SOURCE_TABLES:
        op.execute(_statement_function(table))
        op.execute(
            f"CREATE TRIGGER {table}_dashboard_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_dashboard_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_dashboard_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dashboard_follow_{table}()"
        )
    for table in BEFORE_DELETE:
        op.execute(_before_delete_function(table))
        op.execute(
            f"CREATE TRIGGER {table}_dashboard_before_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION dashboard_before_delete_{table}()"
        )
    tables = ", ".join(SUMMARIES)
    inserts = "".join(
        f"INSERT INTO {s} SELECT * FROM {s}_source;" for s in SUMMARIES
    )  # views list their columns in the tables' order
    op.execute(
        f"""
        CREATE FUNCTION rebuild_dashboard_summaries() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            -- Writers wait while the summaries are refilled, so none of their changes is lost.
            LOCK TABLE {tables} IN EXCLUSIVE MODE;
            DELETE FROM {" ; DELETE FROM ".join(SUMMARIES)};
            {inserts}
            PERFORM nextval('dashboard_data_version');
        END $$
        """
    )
    op.execute(
        "INSERT INTO dashboard_summary_state (id, facility_tz) VALUES (1, 'America/New_York')"
    )
    op.execute("SELECT rebuild_dashboard_summaries()")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS rebuild_dashboard_summaries()")
    for table in BEFORE_DELETE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_dashboard_before_delete ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS dashboard_before_delete_{table}()")
    for table in SOURCE_TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_dashboard_{event} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS dashboard_follow_{table}()")
    for summary in SUMMARIES:
        op.execute(f"DROP VIEW IF EXISTS {summary}_source")
    op.execute("DROP FUNCTION IF EXISTS dashboard_tz()")
    op.execute("DROP SEQUENCE IF EXISTS dashboard_data_version")
    op.drop_index(
        "ix_concern_resolved_durations",
        table_name="concern",
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_concern_grievance_opened",
        table_name="concern",
        postgresql_where=sa.text("type = 'grievance'"),
    )
    for summary in reversed(list(SUMMARIES)):
        op.drop_table(summary)
    op.drop_table("dashboard_summary_state")

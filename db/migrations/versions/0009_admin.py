"""admin: forced password change, SLA rules and public holidays, department order, audit indexes

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-24

The audit viewer filters by user, action or record and pages newest first by (occurred_at, id)
with keyset paging; each filter gets an index ending in those two columns, so a page is an index
range scan however many millions of rows the log holds (see benchmarks/audit_viewer.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As db.models.AUDIT_DETAIL_WORDS at this revision (a migration never imports the models).
DETAIL_WORDS = "jsonb_to_tsvector('simple'::regconfig, detail, '[\"string\", \"numeric\"]'::jsonb)"


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "department",
        sa.Column("sort_order", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.create_table(
        "sla_rule",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column(
            "acknowledgement_business_days", sa.SmallInteger(), server_default="1", nullable=False
        ),
        sa.Column("written_response_days", sa.SmallInteger(), server_default="7", nullable=False),
        sa.Column(
            "business_weekdays",
            sa.ARRAY(sa.SmallInteger()),
            server_default=sa.text("'{1,2,3,4,5}'::smallint[]"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_sla_rule_single_row")),
        sa.CheckConstraint(
            "acknowledgement_business_days BETWEEN 1 AND 30", name=op.f("ck_sla_rule_ack_range")
        ),
        sa.CheckConstraint(
            "written_response_days BETWEEN 1 AND 60", name=op.f("ck_sla_rule_response_range")
        ),
        sa.CheckConstraint(
            "cardinality(business_weekdays) >= 1 AND business_weekdays <@ '{1,2,3,4,5,6,7}'",
            name=op.f("ck_sla_rule_weekdays_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_rule")),
    )
    op.execute("INSERT INTO sla_rule (id) VALUES (1)")
    op.create_table(
        "public_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "length(btrim(name)) BETWEEN 2 AND 120", name=op.f("ck_public_holiday_name_length")
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_public_holiday")),
    )
    op.drop_index("ix_audit_log_occurred_at", table_name="audit_log")
    op.drop_index("ix_audit_log_user_occurred", table_name="audit_log")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.create_index("ix_audit_log_occurred_id", "audit_log", ["occurred_at", "id"])
    op.create_index("ix_audit_log_user_occurred", "audit_log", ["user_id", "occurred_at", "id"])
    op.create_index("ix_audit_log_action_occurred", "audit_log", ["action", "occurred_at", "id"])
    op.create_index(
        "ix_audit_log_entity", "audit_log", ["entity", "entity_id", "occurred_at", "id"]
    )
    op.create_index(
        "ix_audit_log_detail_words",
        "audit_log",
        [sa.text(DETAIL_WORDS)],
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_detail_words", table_name="audit_log")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_index("ix_audit_log_action_occurred", table_name="audit_log")
    op.drop_index("ix_audit_log_user_occurred", table_name="audit_log")
    op.drop_index("ix_audit_log_occurred_id", table_name="audit_log")
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_index("ix_audit_log_user_occurred", "audit_log", ["user_id", "occurred_at"])
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"])
    op.drop_table("public_holiday")
    op.drop_table("sla_rule")
    op.drop_column("department", "sort_order")
    op.drop_column("app_user", "must_change_password")

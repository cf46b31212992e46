"""satisfaction: question direction, CSV import profiles, one recovery concern per response

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-24

- survey_question.higher_is_better: which way is better when a control chart calls a signal an
  improvement or a concern.
- survey_response.interaction_id: the contact a survey followed, when known.
- survey_import_profile: a vendor file's saved column mapping, chosen again on the next import.
- A partial unique index on concern.source_survey_response_id: a survey response opens at most
  one service-recovery concern, even if two imports race.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "survey_question",
        sa.Column("higher_is_better", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column("survey_response", sa.Column("interaction_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_survey_response_interaction_id_interaction"),
        "survey_response",
        "interaction",
        ["interaction_id"],
        ["id"],
    )
    op.create_table(
        "survey_import_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "length(btrim(name)) BETWEEN 1 AND 200",
            name=op.f("ck_survey_import_profile_name_length"),
        ),
        sa.CheckConstraint(
            "jsonb_typeof(mapping) = 'object'",
            name=op.f("ck_survey_import_profile_mapping_object"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
            name=op.f("fk_survey_import_profile_created_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["survey_instrument.id"],
            name=op.f("fk_survey_import_profile_instrument_id_survey_instrument"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_import_profile")),
        sa.UniqueConstraint("name", name=op.f("uq_survey_import_profile_name")),
    )
    op.create_index(
        "uq_concern_source_survey_response",
        "concern",
        ["source_survey_response_id"],
        unique=True,
        postgresql_where=sa.text("source_survey_response_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_concern_source_survey_response", table_name="concern")
    op.drop_table("survey_import_profile")
    op.drop_column("survey_question", "higher_is_better")
    op.drop_constraint(
        op.f("fk_survey_response_interaction_id_interaction"), "survey_response", type_="foreignkey"
    )
    op.drop_column("survey_response", "interaction_id")

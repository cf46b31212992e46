"""form drafts kept on the server, per staff member and form

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

A reload or a dropped connection starts a new browser session and would empty the Log
interaction form and the concern action forms. What was typed is kept here, per person and form,
until it is saved or discarded; the app stops offering a draft a day after it was last saved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(form) BETWEEN 1 AND 100", name=op.f("ck_form_draft_form_length")
        ),
        sa.CheckConstraint(
            "jsonb_typeof(fields) = 'object'", name=op.f("ck_form_draft_fields_object")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_form_draft_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "form", name=op.f("pk_form_draft")),
    )


def downgrade() -> None:
    op.drop_table("form_draft")

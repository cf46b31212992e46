"""server-side sign-in sessions; worklist text searches audited

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

Each sign-in gets a `staff_session` row whose id and issue time the cookie carries. The server
tracks the session's last activity, so a cookie left behind by a closed tab stops working once
the session has been idle for the timeout, and signing out ends exactly that session.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = (
    "login",
    "login-failed",
    "logout",
    "view-patient",
    "search-patient",
    "view-concern",
    "create",
    "update",
    "export",
    "unmask",
    "admin-change",
)
NEW_ACTIONS = (*OLD_ACTIONS[:5], "search-concern", *OLD_ACTIONS[5:])


def _action_check(actions: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_audit_log_action"), "audit_log", type_="check")
    op.create_check_constraint(
        op.f("ck_audit_log_action"),
        "audit_log",
        "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")",
    )


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "last_activity_at >= issued_at", name=op.f("ck_staff_session_activity_after_issue")
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= issued_at",
            name=op.f("ck_staff_session_ended_after_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_staff_session_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
    )
    op.create_index("ix_staff_session_user_id", "staff_session", ["user_id"], unique=False)
    _action_check(NEW_ACTIONS)


def downgrade() -> None:
    # Refused while audit rows of the new action exist: the audit trail is never rewritten.
    _action_check(OLD_ACTIONS)
    op.drop_index("ix_staff_session_user_id", table_name="staff_session")
    op.drop_table("staff_session")

"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "domain IN ('clinical', 'management', 'relationships')", name=op.f("ck_category_domain")
        ),
        sa.CheckConstraint(
            "length(btrim(name)) BETWEEN 2 AND 120", name=op.f("ck_category_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("name", name=op.f("uq_category_name")),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "length(btrim(name)) BETWEEN 2 AND 120", name=op.f("ck_department_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("name", name=op.f("uq_department_name")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.Text(), nullable=False),
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column(
            "phone_digits",
            sa.Text(),
            sa.Computed("regexp_replace(phone, '\\D', '', 'g')", persisted=True),
            nullable=True,
        ),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.Text(), server_default="English", nullable=False),
        sa.Column(
            "medicare_beneficiary", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("date_of_birth >= DATE '1900-01-01'", name=op.f("ck_patient_dob_range")),
        sa.CheckConstraint(
            "email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'",
            name=op.f("ck_patient_email_format"),
        ),
        sa.CheckConstraint("mrn ~ '^[A-Z0-9][A-Z0-9-]{2,19}$'", name=op.f("ck_patient_mrn_format")),
        sa.CheckConstraint(
            "phone IS NULL OR phone ~ '^[0-9 +().-]{7,25}$'", name=op.f("ck_patient_phone_format")
        ),
        sa.CheckConstraint(
            "length(btrim(family_name)) BETWEEN 1 AND 100",
            name=op.f("ck_patient_family_name_length"),
        ),
        sa.CheckConstraint(
            "length(btrim(given_name)) BETWEEN 1 AND 100", name=op.f("ck_patient_given_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patient_mrn")),
    )
    op.create_index(
        "ix_patient_family_name_prefix",
        "patient",
        [
            sa.literal_column("lower(family_name)").label("family_lower"),
            sa.literal_column("lower(given_name)").label("given_lower"),
        ],
        unique=False,
        postgresql_ops={"family_lower": "text_pattern_ops", "given_lower": "text_pattern_ops"},
    )
    op.create_index(
        "ix_patient_given_name_prefix",
        "patient",
        [sa.literal_column("lower(given_name)").label("given_lower")],
        unique=False,
        postgresql_ops={"given_lower": "text_pattern_ops"},
    )
    op.create_index(
        "ix_patient_mrn_prefix",
        "patient",
        ["mrn"],
        unique=False,
        postgresql_ops={"mrn": "text_pattern_ops"},
    )
    op.create_index(
        "ix_patient_phone_digits_prefix",
        "patient",
        ["phone_digits"],
        unique=False,
        postgresql_ops={"phone_digits": "text_pattern_ops"},
    )
    op.create_table(
        "sla_target",
        sa.Column("concern_type", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("due_hours", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "concern_type IN ('complaint', 'grievance', 'compliment', 'suggestion', 'inquiry')",
            name=op.f("ck_sla_target_type"),
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')", name=op.f("ck_sla_target_severity")
        ),
        sa.CheckConstraint(
            "due_hours IS NULL OR due_hours BETWEEN 1 AND 8760",
            name=op.f("ck_sla_target_hours_range"),
        ),
        sa.PrimaryKeyConstraint("concern_type", "severity", name=op.f("pk_sla_target")),
    )
    op.create_table(
        "survey_instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_instrument")),
        sa.UniqueConstraint("name", name=op.f("uq_survey_instrument_name")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("home_department_id", sa.Integer(), nullable=True),
        sa.Column("failed_login_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_failed_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cardinality(roles) >= 1 AND roles <@ ARRAY['executive','manager','leadership','admin']",
            name=op.f("ck_app_user_roles_known"),
        ),
        sa.CheckConstraint("password_hash LIKE '$2%%'", name=op.f("ck_app_user_bcrypt_hash")),
        sa.CheckConstraint(
            "username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'", name=op.f("ck_app_user_username_format")
        ),
        sa.CheckConstraint("failed_login_count >= 0", name=op.f("ck_app_user_failed_login_count")),
        sa.CheckConstraint(
            "length(btrim(display_name)) BETWEEN 1 AND 120", name=op.f("ck_app_user_display_name")
        ),
        sa.ForeignKeyConstraint(
            ["home_department_id"],
            ["department.id"],
            name=op.f("fk_app_user_home_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "encounter_volume",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("encounters", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "encounters >= 0", name=op.f("ck_encounter_volume_encounters_non_negative")
        ),
        sa.CheckConstraint(
            "extract(day FROM month) = 1", name=op.f("ck_encounter_volume_first_of_month")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_encounter_volume_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("department_id", "month", name=op.f("pk_encounter_volume")),
    )
    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("scale_min", sa.SmallInteger(), nullable=False),
        sa.Column("scale_max", sa.SmallInteger(), nullable=False),
        sa.Column("scale_labels", sa.Text(), server_default="", nullable=False),
        sa.Column("top_box_min", sa.SmallInteger(), nullable=False),
        sa.Column(
            "is_likelihood_to_recommend",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column("recovery_max", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "NOT is_likelihood_to_recommend OR (scale_min = 0 AND scale_max = 10)",
            name=op.f("ck_survey_question_nps_scale"),
        ),
        sa.CheckConstraint(
            "recovery_max IS NULL OR recovery_max BETWEEN scale_min AND scale_max",
            name=op.f("ck_survey_question_recovery_in_scale"),
        ),
        sa.CheckConstraint("scale_min < scale_max", name=op.f("ck_survey_question_scale_order")),
        sa.CheckConstraint(
            "top_box_min BETWEEN scale_min AND scale_max",
            name=op.f("ck_survey_question_top_box_in_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["survey_instrument.id"],
            name=op.f("fk_survey_question_instrument_id_survey_instrument"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
        sa.UniqueConstraint("instrument_id", "code", name="uq_survey_question_instrument_code"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=True),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('login', 'login-failed', 'logout', 'view-patient', 'search-patient', 'view-concern', 'create', 'update', 'export', 'unmask', 'admin-change')",
            name=op.f("ck_audit_log_action"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_log_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"], unique=False)
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"], unique=False)
    op.create_index(
        "ix_audit_log_user_occurred", "audit_log", ["user_id", "occurred_at"], unique=False
    )
    op.create_table(
        "interaction",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), server_default="inbound", nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.SmallInteger(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("concern_id", sa.BigInteger(), nullable=True),
        sa.Column("logged_by", sa.Integer(), nullable=False),
        sa.Column("client_submission_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('phone', 'walk-in', 'email', 'letter', 'portal', 'social', 'survey-comment')",
            name=op.f("ck_interaction_channel"),
        ),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound')", name=op.f("ck_interaction_direction")
        ),
        sa.CheckConstraint(
            "outcome IN ('resolved-first-contact', 'concern-opened', 'added-to-concern', 'information-only')",
            name=op.f("ck_interaction_outcome"),
        ),
        sa.CheckConstraint(
            "outcome NOT IN ('concern-opened', 'added-to-concern') OR concern_id IS NOT NULL",
            name=op.f("ck_interaction_concern_outcome_has_concern"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 0 AND 600", name=op.f("ck_interaction_duration_range")
        ),
        sa.CheckConstraint(
            "length(btrim(summary)) BETWEEN 1 AND 4000", name=op.f("ck_interaction_summary_length")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_interaction_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_interaction_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["logged_by"], ["app_user.id"], name=op.f("fk_interaction_logged_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_interaction_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
        sa.UniqueConstraint(
            "client_submission_id", name=op.f("uq_interaction_client_submission_id")
        ),
    )
    op.create_index("ix_interaction_concern", "interaction", ["concern_id"], unique=False)
    op.create_index(
        "ix_interaction_logged_by_occurred",
        "interaction",
        ["logged_by", sa.literal_column("occurred_at DESC")],
        unique=False,
    )
    op.create_index("ix_interaction_occurred_at", "interaction", ["occurred_at"], unique=False)
    op.create_index(
        "ix_interaction_patient_occurred",
        "interaction",
        ["patient_id", sa.literal_column("occurred_at DESC")],
        unique=False,
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "responded_on >= DATE '2000-01-01'", name=op.f("ck_survey_response_date_range")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_survey_response_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_survey_response_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["survey_instrument.id"],
            name=op.f("fk_survey_response_instrument_id_survey_instrument"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_survey_response_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint("external_id", name=op.f("uq_survey_response_external_id")),
    )
    op.create_index(
        "ix_survey_response_department_on",
        "survey_response",
        ["department_id", "responded_on"],
        unique=False,
    )
    op.create_index("ix_survey_response_patient", "survey_response", ["patient_id"], unique=False)
    op.create_index(
        "ix_survey_response_responded_on", "survey_response", ["responded_on"], unique=False
    )
    op.create_table(
        "concern",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="new", nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("opened_by_interaction_id", sa.BigInteger(), nullable=True),
        sa.Column("source_survey_response_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("grievance_rule", sa.Text(), nullable=True),
        sa.Column("grievance_override_reason", sa.Text(), nullable=True),
        sa.Column(
            "abuse_neglect_flag", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "qio_referral_flag", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_contact_person", sa.Text(), nullable=True),
        sa.Column("response_steps_taken", sa.Text(), nullable=True),
        sa.Column("response_result", sa.Text(), nullable=True),
        sa.Column("response_completed_on", sa.Date(), nullable=True),
        sa.Column("still_working_notice_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("still_working_new_date", sa.Date(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("ck_concern_closed_at_matches"),
        ),
        sa.CheckConstraint(
            "(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
            name=op.f("ck_concern_resolved_at_matches_status"),
        ),
        sa.CheckConstraint(
            "resolved_at IS NULL OR length(btrim(coalesce(resolution, ''))) > 0",
            name=op.f("ck_concern_resolution_text_required"),
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')", name=op.f("ck_concern_severity")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'in_progress', 'escalated', 'awaiting_patient', 'resolved', 'closed')",
            name=op.f("ck_concern_status"),
        ),
        sa.CheckConstraint(
            "type <> 'grievance' OR acknowledgement_due_at IS NOT NULL",
            name=op.f("ck_concern_grievance_ack_due"),
        ),
        sa.CheckConstraint(
            "type = 'compliment' OR due_at IS NOT NULL",
            name=op.f("ck_concern_due_unless_compliment"),
        ),
        sa.CheckConstraint(
            "type IN ('complaint', 'grievance', 'compliment', 'suggestion', 'inquiry')",
            name=op.f("ck_concern_type"),
        ),
        sa.CheckConstraint(
            "written_response_at IS NULL OR (length(btrim(coalesce(response_contact_person, ''))) > 0 AND length(btrim(coalesce(response_steps_taken, ''))) > 0 AND length(btrim(coalesce(response_result, ''))) > 0 AND response_completed_on IS NOT NULL)",
            name=op.f("ck_concern_written_response_complete"),
        ),
        sa.CheckConstraint(
            "due_at IS NULL OR due_at >= opened_at", name=op.f("ck_concern_due_after_opened")
        ),
        sa.CheckConstraint(
            "grievance_override_reason IS NULL OR length(btrim(grievance_override_reason)) > 0",
            name=op.f("ck_concern_override_reason_not_blank"),
        ),
        sa.CheckConstraint(
            "length(btrim(summary)) BETWEEN 1 AND 4000", name=op.f("ck_concern_summary_length")
        ),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= opened_at",
            name=op.f("ck_concern_resolved_after_opened"),
        ),
        sa.CheckConstraint(
            "still_working_notice_at IS NULL OR still_working_new_date IS NOT NULL",
            name=op.f("ck_concern_still_working_has_date"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_concern_version_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_concern_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_concern_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_concern_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_interaction_id"],
            ["interaction.id"],
            name=op.f("fk_concern_opened_by_interaction_id_interaction"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_concern_owner_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_concern_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["source_survey_response_id"],
            ["survey_response.id"],
            name=op.f("fk_concern_source_survey_response_id_survey_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern")),
    )
    op.create_index(
        "ix_concern_department_opened", "concern", ["department_id", "opened_at"], unique=False
    )
    op.create_index(
        "ix_concern_open_department_due",
        "concern",
        ["department_id", "due_at"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.create_index(
        "ix_concern_open_due",
        "concern",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.create_index(
        "ix_concern_open_owner_due",
        "concern",
        ["owner_id", "due_at"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.create_index("ix_concern_opened_at", "concern", ["opened_at"], unique=False)
    op.create_index("ix_concern_patient", "concern", ["patient_id"], unique=False)
    op.create_index("ix_concern_resolved_at", "concern", ["resolved_at"], unique=False)
    op.create_table(
        "survey_answer",
        sa.Column("response_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_question.id"],
            name=op.f("fk_survey_answer_question_id_survey_question"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_survey_answer")),
    )
    op.create_index("ix_survey_answer_question", "survey_answer", ["question_id"], unique=False)
    op.create_table(
        "concern_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("concern_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('created', 'note', 'assigned', 'escalated', 'status_changed', 'follow_up', 'acknowledged', 'written_response', 'still_working', 'issue_changed', 'severity_changed', 'resolved', 'closed', 'reopened')",
            name=op.f("ck_concern_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_concern_event_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concern.id"], name=op.f("fk_concern_event_concern_id_concern")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_event")),
    )
    op.create_index(
        "ix_concern_event_concern_occurred",
        "concern_event",
        ["concern_id", sa.literal_column("occurred_at DESC")],
        unique=False,
    )
    op.create_table(
        "concern_issue",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("concern_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("hcat_severity", sa.SmallInteger(), nullable=False),
        sa.Column("harm_level", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "harm_level IS NULL OR harm_level IN ('none', 'minimal', 'minor', 'moderate', 'major', 'catastrophic')",
            name=op.f("ck_concern_issue_harm"),
        ),
        sa.CheckConstraint(
            "hcat_severity BETWEEN 1 AND 3", name=op.f("ck_concern_issue_hcat_severity")
        ),
        sa.CheckConstraint("position >= 1", name=op.f("ck_concern_issue_position_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_concern_issue_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concern.id"],
            name=op.f("fk_concern_issue_concern_id_concern"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_issue")),
        sa.UniqueConstraint("concern_id", "position", name="uq_concern_issue_position"),
    )
    op.create_index("ix_concern_issue_category", "concern_issue", ["category_id"], unique=False)
    # interaction and concern refer to each other: this key can only follow both tables.
    op.create_foreign_key(
        op.f("fk_interaction_concern_id_concern"),
        "interaction",
        "concern",
        ["concern_id"],
        ["id"],
        deferrable=True,
        initially="DEFERRED",
    )
    _create_append_only_triggers()
    _create_survey_answer_scale_trigger()
    _seed_reference_data()


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS refuse_change() CASCADE")
    op.execute("DROP FUNCTION IF EXISTS survey_answer_in_scale() CASCADE")
    op.drop_constraint(op.f("fk_interaction_concern_id_concern"), "interaction", type_="foreignkey")
    op.drop_index("ix_concern_issue_category", table_name="concern_issue")
    op.drop_table("concern_issue")
    op.drop_index("ix_concern_event_concern_occurred", table_name="concern_event")
    op.drop_table("concern_event")
    op.drop_index("ix_survey_answer_question", table_name="survey_answer")
    op.drop_table("survey_answer")
    op.drop_index("ix_concern_resolved_at", table_name="concern")
    op.drop_index("ix_concern_patient", table_name="concern")
    op.drop_index("ix_concern_opened_at", table_name="concern")
    op.drop_index(
        "ix_concern_open_owner_due",
        table_name="concern",
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.drop_index(
        "ix_concern_open_due",
        table_name="concern",
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.drop_index(
        "ix_concern_open_department_due",
        table_name="concern",
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed')"),
    )
    op.drop_index("ix_concern_department_opened", table_name="concern")
    op.drop_table("concern")
    op.drop_index("ix_survey_response_responded_on", table_name="survey_response")
    op.drop_index("ix_survey_response_patient", table_name="survey_response")
    op.drop_index("ix_survey_response_department_on", table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index("ix_interaction_patient_occurred", table_name="interaction")
    op.drop_index("ix_interaction_occurred_at", table_name="interaction")
    op.drop_index("ix_interaction_logged_by_occurred", table_name="interaction")
    op.drop_index("ix_interaction_concern", table_name="interaction")
    op.drop_table("interaction")
    op.drop_index("ix_audit_log_user_occurred", table_name="audit_log")
    op.drop_index("ix_audit_log_occurred_at", table_name="audit_log")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("survey_question")
    op.drop_table("encounter_volume")
    op.drop_table("app_user")
    op.drop_table("survey_instrument")
    op.drop_table("sla_target")
    op.drop_index(
        "ix_patient_phone_digits_prefix",
        table_name="patient",
        postgresql_ops={"phone_digits": "text_pattern_ops"},
    )
    op.drop_index(
        "ix_patient_mrn_prefix", table_name="patient", postgresql_ops={"mrn": "text_pattern_ops"}
    )
    op.drop_index(
        "ix_patient_given_name_prefix",
        table_name="patient",
        postgresql_ops={"given_lower": "text_pattern_ops"},
    )
    op.drop_index(
        "ix_patient_family_name_prefix",
        table_name="patient",
        postgresql_ops={"family_lower": "text_pattern_ops", "given_lower": "text_pattern_ops"},
    )
    op.drop_table("patient")
    op.drop_table("department")
    op.drop_table("category")


APPEND_ONLY_TABLES = ("audit_log", "concern_event")


def _create_append_only_triggers() -> None:
    # The audit trail and the concern timeline are evidence: nobody, not even the app's own
    # database user, may rewrite or erase them.
    op.execute(
        """
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )


def _create_survey_answer_scale_trigger() -> None:
    # A CHECK cannot look at another table, so the scale of the question is enforced here.
    op.execute(
        """
        CREATE FUNCTION survey_answer_in_scale() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE q survey_question%ROWTYPE;
        BEGIN
            SELECT * INTO q FROM survey_question WHERE id = NEW.question_id;
            IF NEW.value < q.scale_min OR NEW.value > q.scale_max THEN
                RAISE EXCEPTION 'answer % is outside the scale %..% of question %',
                    NEW.value, q.scale_min, q.scale_max, q.code
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER survey_answer_in_scale BEFORE INSERT OR UPDATE ON survey_answer "
        "FOR EACH ROW EXECUTE FUNCTION survey_answer_in_scale()"
    )


# HCAT (Reader, Gillespie & Roberts 2014): three domains, seven categories.
DEFAULT_CATEGORIES = [
    ("clinical", "Quality of care", "Clinical standards of care, treatment, examinations, errors"),
    ("clinical", "Safety", "Incidents, medication errors, falls, infection, safeguarding"),
    ("management", "Environment", "Facilities, food, noise, cleanliness, staffing levels"),
    (
        "management",
        "Institutional processes",
        "Waiting times, appointments, admission and discharge, billing and insurance, access",
    ),
    ("relationships", "Listening", "Patients or families not heard, concerns dismissed"),
    ("relationships", "Communication", "Information missing, wrong or unclear; staff manner"),
    (
        "relationships",
        "Respect and patient rights",
        "Dignity, privacy, consent, discrimination, confidentiality",
    ),
]

# Hours to the due time by concern type and severity. Grievances are capped at
# the 7-day written-response clock; compliments carry no clock.
_SEVERITY_HOURS = {"critical": 24, "high": 72, "medium": 168, "low": 336}
DEFAULT_SLA_TARGETS = [
    (ctype, sev, None if ctype == "compliment" else min(h, 168) if ctype == "grievance" else h)
    for ctype in ("complaint", "grievance", "compliment", "suggestion", "inquiry")
    for sev, h in _SEVERITY_HOURS.items()
]


def _seed_reference_data() -> None:
    category = sa.table(
        "category",
        sa.column("domain", sa.Text),
        sa.column("name", sa.Text),
        sa.column("description", sa.Text),
        sa.column("sort_order", sa.SmallInteger),
    )
    op.bulk_insert(
        category,
        [
            {"domain": d, "name": n, "description": desc, "sort_order": i}
            for i, (d, n, desc) in enumerate(DEFAULT_CATEGORIES, start=1)
        ],
    )
    sla = sa.table(
        "sla_target",
        sa.column("concern_type", sa.Text),
        sa.column("severity", sa.Text),
        sa.column("due_hours", sa.Integer),
    )
    op.bulk_insert(
        sla, [{"concern_type": t, "severity": s, "due_hours": h} for t, s, h in DEFAULT_SLA_TARGETS]
    )

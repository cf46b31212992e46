"""The domain model (docs/metrics.md and README describe it) as typed SQLAlchemy models.

Vocabularies are TEXT columns with CHECK constraints (not PostgreSQL enums) so an admin-facing
change is a one-line migration. Every rule that keeps bad data out is a database constraint too,
so it holds even when the app is bypassed. The schema itself changes only through Alembic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Vocabularies, in the hospital's words. Kept here so the app and the constraints agree.
ROLES = ("executive", "manager", "leadership", "admin")
CHANNELS = ("phone", "walk-in", "email", "letter", "portal", "social", "survey-comment")
WRITTEN_CHANNELS = ("email", "letter", "portal")
DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("resolved-first-contact", "concern-opened", "added-to-concern", "information-only")
CONCERN_TYPES = ("complaint", "grievance", "compliment", "suggestion", "inquiry")
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("new", "in_progress", "escalated", "awaiting_patient", "resolved", "closed")
OPEN_STATUSES = ("new", "in_progress", "escalated", "awaiting_patient")
CLOSED_STATUSES = ("resolved", "closed")
HARM_LEVELS = ("none", "minimal", "minor", "moderate", "major", "catastrophic")
CATEGORY_DOMAINS = ("clinical", "management", "relationships")
EVENT_KINDS = (
    "created",
    "note",
    "assigned",
    "escalated",
    "status_changed",
    "follow_up",
    "acknowledged",
    "written_response",
    "still_working",
    "issue_changed",
    "severity_changed",
    "resolved",
    "closed",
    "reopened",
)
AUDIT_ACTIONS = (
    "login",
    "login-failed",
    "logout",
    "view-patient",
    "search-patient",
    "search-concern",
    "view-concern",
    "create",
    "update",
    "export",
    "unmask",
    "admin-change",
)


# The detail's string and number values as search words; the audit viewer's text filter and
# the index behind it must use this same expression.
AUDIT_DETAIL_WORDS = (
    "jsonb_to_tsvector('simple'::regconfig, detail, '[\"string\", \"numeric\"]'::jsonb)"
)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + v + "'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    # Stable constraint names, so migrations can refer to them.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


TZ = DateTime(timezone=True)


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Order in the pickers, set by the administrator (ties by name).
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default="0")

    __table_args__ = (CheckConstraint("length(btrim(name)) BETWEEN 2 AND 120", name="name_length"),)


class Category(Base):
    """HCAT-style taxonomy: three domains, seven categories (seeded by the first migration)."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        CheckConstraint(_in("domain", CATEGORY_DOMAINS), name="domain"),
        CheckConstraint("length(btrim(name)) BETWEEN 2 AND 120", name="name_length"),
    )


class Patient(Base):
    """A patient. Every column but id is PHI: show by role, audit every view."""

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(Text, unique=True)
    given_name: Mapped[str] = mapped_column(Text)
    family_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(Text)
    # Digits only, for "phone digits as you type" prefix search.
    phone_digits: Mapped[str | None] = mapped_column(
        Text, Computed(r"regexp_replace(phone, '\D', '', 'g')", persisted=True)
    )
    email: Mapped[str | None] = mapped_column(Text)
    preferred_language: Mapped[str] = mapped_column(Text, server_default="English")
    medicare_beneficiary: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __table_args__ = (
        CheckConstraint(r"mrn ~ '^[A-Z0-9][A-Z0-9-]{2,19}$'", name="mrn_format"),
        CheckConstraint("length(btrim(given_name)) BETWEEN 1 AND 100", name="given_name_length"),
        CheckConstraint("length(btrim(family_name)) BETWEEN 1 AND 100", name="family_name_length"),
        CheckConstraint("date_of_birth >= DATE '1900-01-01'", name="dob_range"),
        CheckConstraint(r"phone IS NULL OR phone ~ '^[0-9 +().-]{7,25}$'", name="phone_format"),
        CheckConstraint(
            r"email IS NULL OR email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'", name="email_format"
        ),
        # Prefix search without pg_trgm: btree with text_pattern_ops answers LIKE 'abc%'.
        Index("ix_patient_mrn_prefix", "mrn", postgresql_ops={"mrn": "text_pattern_ops"}),
        Index(
            "ix_patient_family_name_prefix",
            func.lower(text("family_name")).label("family_lower"),
            func.lower(text("given_name")).label("given_lower"),
            postgresql_ops={"family_lower": "text_pattern_ops", "given_lower": "text_pattern_ops"},
        ),
        Index(
            "ix_patient_given_name_prefix",
            func.lower(text("given_name")).label("given_lower"),
            postgresql_ops={"given_lower": "text_pattern_ops"},
        ),
        Index(
            "ix_patient_phone_digits_prefix",
            "phone_digits",
            postgresql_ops={"phone_digits": "text_pattern_ops"},
        ),
    )


class AppUser(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Text, unique=True)
    display_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # The department whose calls this person usually takes: the Log interaction default.
    home_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    failed_login_count: Mapped[int] = mapped_column(Integer, server_default="0")
    first_failed_login_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    locked_until: Mapped[dt.datetime | None] = mapped_column(TZ)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    # Set on logout and password change: login cookies issued before it are refused.
    sessions_valid_after: Mapped[dt.datetime | None] = mapped_column(TZ)
    # Set by an administrator's password reset: the next sign-in must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __table_args__ = (
        CheckConstraint(r"username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'", name="username_format"),
        CheckConstraint("length(btrim(display_name)) BETWEEN 1 AND 120", name="display_name"),
        CheckConstraint("password_hash LIKE '$2%'", name="bcrypt_hash"),
        CheckConstraint(
            "cardinality(roles) >= 1 AND "
            "roles <@ ARRAY['executive','manager','leadership','admin']",
            name="roles_known",
        ),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
    )


class StaffSession(Base):
    """One signed-in session (one sign-in, in one browser), checked on every page load.

    Its id and issue time are in the sign-in cookie; the server refuses the cookie once the
    session is ended (sign-out), idle too long, or older than a password change."""

    __tablename__ = "staff_session"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(TZ)
    last_activity_at: Mapped[dt.datetime] = mapped_column(TZ)
    ended_at: Mapped[dt.datetime | None] = mapped_column(TZ)

    __table_args__ = (
        CheckConstraint("last_activity_at >= issued_at", name="activity_after_issue"),
        CheckConstraint("ended_at IS NULL OR ended_at >= issued_at", name="ended_after_issue"),
        Index("ix_staff_session_user_id", "user_id"),
    )


class Interaction(Base):
    """One contact: call, walk-in, email, letter, portal message, social post or survey comment."""

    __tablename__ = "interaction"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(TZ)
    channel: Mapped[str] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(Text, server_default="inbound")
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))  # None: anonymous
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    summary: Mapped[str] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    outcome: Mapped[str] = mapped_column(Text)
    concern_id: Mapped[int | None] = mapped_column(
        ForeignKey("concern.id", use_alter=True, deferrable=True, initially="DEFERRED")
    )
    logged_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    client_submission_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("length(btrim(summary)) BETWEEN 1 AND 4000", name="summary_length"),
        CheckConstraint("duration_minutes BETWEEN 0 AND 600", name="duration_range"),
        CheckConstraint(
            "outcome NOT IN ('concern-opened', 'added-to-concern') OR concern_id IS NOT NULL",
            name="concern_outcome_has_concern",
        ),
        Index("ix_interaction_occurred_at", "occurred_at"),
        Index("ix_interaction_patient_occurred", "patient_id", text("occurred_at DESC")),
        Index("ix_interaction_logged_by_occurred", "logged_by", text("occurred_at DESC")),
        Index("ix_interaction_concern", "concern_id"),
    )


class Concern(Base):
    """A complaint, grievance, compliment, suggestion or inquiry worked to resolution."""

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="new")
    summary: Mapped[str] = mapped_column(Text)
    # The first issue's category, kept here for filters and charts.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # None: unassigned
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    opened_by_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interaction.id", deferrable=True, initially="DEFERRED")
    )
    source_survey_response_id: Mapped[int | None] = mapped_column(ForeignKey("survey_response.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    # Grievance proposal (CMS 42 CFR 482.13): which rule fired, and any override by staff.
    grievance_rule: Mapped[str | None] = mapped_column(Text)
    grievance_override_reason: Mapped[str | None] = mapped_column(Text)
    abuse_neglect_flag: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    qio_referral_flag: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    opened_at: Mapped[dt.datetime] = mapped_column(TZ)
    due_at: Mapped[dt.datetime | None] = mapped_column(TZ)  # None only for compliments
    acknowledgement_due_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    written_response_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    # The grievance written-response days in force when the concern was opened: a later change
    # of the rule applies to concerns opened after it, in the worklist and in the KPI alike.
    written_response_days: Mapped[int] = mapped_column(SmallInteger, server_default="7")
    response_contact_person: Mapped[str | None] = mapped_column(Text)
    response_steps_taken: Mapped[str | None] = mapped_column(Text)
    response_result: Mapped[str | None] = mapped_column(Text)
    response_completed_on: Mapped[dt.date | None] = mapped_column(Date)
    still_working_notice_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    still_working_new_date: Mapped[dt.date | None] = mapped_column(Date)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(TZ)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint(_in("type", CONCERN_TYPES), name="type"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("length(btrim(summary)) BETWEEN 1 AND 4000", name="summary_length"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "written_response_days BETWEEN 1 AND 60", name="written_response_days_range"
        ),
        CheckConstraint("type = 'compliment' OR due_at IS NOT NULL", name="due_unless_compliment"),
        CheckConstraint("due_at IS NULL OR due_at >= opened_at", name="due_after_opened"),
        CheckConstraint(
            "type <> 'grievance' OR acknowledgement_due_at IS NOT NULL", name="grievance_ack_due"
        ),
        CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= opened_at", name="resolved_after_opened"
        ),
        # Resolved and closed concerns carry their resolution; open ones carry none.
        CheckConstraint(
            "(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
            name="resolved_at_matches_status",
        ),
        CheckConstraint(
            "resolved_at IS NULL OR length(btrim(coalesce(resolution, ''))) > 0",
            name="resolution_text_required",
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at_matches"),
        # CMS: the written response names a contact person, the steps taken, the result and
        # the completion date. All four or it was not sent.
        CheckConstraint(
            "written_response_at IS NULL OR ("
            "length(btrim(coalesce(response_contact_person, ''))) > 0 AND "
            "length(btrim(coalesce(response_steps_taken, ''))) > 0 AND "
            "length(btrim(coalesce(response_result, ''))) > 0 AND "
            "response_completed_on IS NOT NULL)",
            name="written_response_complete",
        ),
        CheckConstraint(
            "still_working_notice_at IS NULL OR still_working_new_date IS NOT NULL",
            name="still_working_has_date",
        ),
        CheckConstraint(
            "grievance_override_reason IS NULL OR length(btrim(grievance_override_reason)) > 0",
            name="override_reason_not_blank",
        ),
        # Service recovery: one concern at most per survey response, whatever path opens it.
        Index(
            "uq_concern_source_survey_response",
            "source_survey_response_id",
            unique=True,
            postgresql_where=text("source_survey_response_id IS NOT NULL"),
        ),
        # The worklist: open concerns by due time, overall and per owner / department.
        Index(
            "ix_concern_open_due",
            "due_at",
            postgresql_where=text("status NOT IN ('resolved', 'closed')"),
        ),
        Index(
            "ix_concern_open_owner_due",
            "owner_id",
            "due_at",
            postgresql_where=text("status NOT IN ('resolved', 'closed')"),
        ),
        Index(
            "ix_concern_open_department_due",
            "department_id",
            "due_at",
            postgresql_where=text("status NOT IN ('resolved', 'closed')"),
        ),
        Index("ix_concern_opened_at", "opened_at"),
        Index("ix_concern_resolved_at", "resolved_at"),
        Index("ix_concern_patient", "patient_id"),
        Index("ix_concern_department_opened", "department_id", "opened_at"),
        # Dashboard KPIs read from raw rows, answered from the index alone (migrations 0002,
        # 0003): "open at a past moment" and the exact median time to resolve.
        Index(
            "ix_concern_resolution_time",
            text("(resolved_at - opened_at)"),
            postgresql_include=["resolved_at", "opened_at", "department_id"],
            postgresql_where=text("resolved_at IS NOT NULL"),
        ),
        # The median time to resolve: one bucket's concerns of a period (migration 0011).
        Index(
            "ix_concern_resolution_bucket",
            text("resolution_bucket(resolved_at - opened_at)"),
            "resolved_at",
            postgresql_include=["opened_at", "department_id"],
            postgresql_where=text("resolved_at IS NOT NULL"),
        ),
        # Grievance windows ending today (read from the rows, not the summary: migration 0014).
        Index(
            "ix_concern_grievance_opened",
            "opened_at",
            postgresql_include=["written_response_days", "written_response_at", "department_id"],
            postgresql_where=text("type = 'grievance'"),
        ),
        Index(
            "ix_concern_resolved_durations",
            "resolved_at",
            postgresql_include=["opened_at", "department_id", "due_at"],
            postgresql_where=text("resolved_at IS NOT NULL"),
        ),
    )


class ConcernIssue(Base):
    """One problem raised by a concern, coded after HCAT (category, severity 1-3, harm)."""

    __tablename__ = "concern_issue"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    hcat_severity: Mapped[int] = mapped_column(SmallInteger)
    harm_level: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("concern_id", "position", name="uq_concern_issue_position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("hcat_severity BETWEEN 1 AND 3", name="hcat_severity"),
        CheckConstraint(f"harm_level IS NULL OR {_in('harm_level', HARM_LEVELS)}", name="harm"),
        Index("ix_concern_issue_category", "category_id"),
    )


class ConcernEvent(Base):
    """Append-only timeline of a concern (the database refuses UPDATE and DELETE)."""

    __tablename__ = "concern_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, server_default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),
        Index("ix_concern_event_concern_occurred", "concern_id", text("occurred_at DESC")),
    )


class SlaTarget(Base):
    """Due time for a concern type and severity, editable by admin. NULL hours: no clock."""

    __tablename__ = "sla_target"

    concern_type: Mapped[str] = mapped_column(Text, primary_key=True)
    severity: Mapped[str] = mapped_column(Text, primary_key=True)
    due_hours: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(_in("concern_type", CONCERN_TYPES), name="type"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint("due_hours IS NULL OR due_hours BETWEEN 1 AND 8760", name="hours_range"),
    )


class SlaRule(Base):
    """The grievance clocks and the working week (one row), editable by admin."""

    __tablename__ = "sla_rule"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    acknowledgement_business_days: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    written_response_days: Mapped[int] = mapped_column(SmallInteger, server_default="7")
    # ISO weekdays (1 Monday .. 7 Sunday) that count as business days.
    business_weekdays: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), server_default=text("'{1,2,3,4,5}'::smallint[]")
    )

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("acknowledgement_business_days BETWEEN 1 AND 30", name="ack_range"),
        CheckConstraint("written_response_days BETWEEN 1 AND 60", name="response_range"),
        CheckConstraint(
            "cardinality(business_weekdays) >= 1 AND business_weekdays <@ '{1,2,3,4,5,6,7}'",
            name="weekdays_known",
        ),
    )


class PublicHoliday(Base):
    """A day the facility's business-day clocks skip."""

    __tablename__ = "public_holiday"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("length(btrim(name)) BETWEEN 2 AND 120", name="name_length"),)


class SurveyInstrument(Base):
    __tablename__ = "survey_instrument"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class SurveyQuestion(Base):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("survey_instrument.id"))
    code: Mapped[str] = mapped_column(Text)
    wording: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    scale_min: Mapped[int] = mapped_column(SmallInteger)
    scale_max: Mapped[int] = mapped_column(SmallInteger)
    scale_labels: Mapped[str] = mapped_column(Text, server_default="")  # e.g. "Never..Always"
    top_box_min: Mapped[int] = mapped_column(SmallInteger)  # answer >= this is top box
    # Only the 0-10 likelihood-to-recommend question gives an NPS.
    is_likelihood_to_recommend: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Low-score threshold that, with a comment, opens a service-recovery concern.
    recovery_max: Mapped[int | None] = mapped_column(SmallInteger)
    # Which way is better on the chart (every satisfaction question so far: higher).
    higher_is_better: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        UniqueConstraint("instrument_id", "code", name="uq_survey_question_instrument_code"),
        CheckConstraint("scale_min < scale_max", name="scale_order"),
        CheckConstraint("top_box_min BETWEEN scale_min AND scale_max", name="top_box_in_scale"),
        CheckConstraint(
            "NOT is_likelihood_to_recommend OR (scale_min = 0 AND scale_max = 10)",
            name="nps_scale",
        ),
        CheckConstraint(
            "recovery_max IS NULL OR recovery_max BETWEEN scale_min AND scale_max",
            name="recovery_in_scale",
        ),
    )


class SurveyResponse(Base):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("survey_instrument.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    responded_on: Mapped[dt.date] = mapped_column(Date)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text, unique=True)  # vendor id: import once
    # The contact the survey followed, when known (entered by hand).
    interaction_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("interaction.id"))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __table_args__ = (
        CheckConstraint("responded_on >= DATE '2000-01-01'", name="date_range"),
        Index("ix_survey_response_responded_on", "responded_on"),
        Index("ix_survey_response_department_on", "department_id", "responded_on"),
        Index("ix_survey_response_patient", "patient_id"),
    )


class SurveyImportProfile(Base):
    """A saved mapping of a vendor's CSV layout: which column holds which question, the
    department, the date, the vendor's response id and the comment; which codes mean "missing";
    the date format when it is not ISO."""

    __tablename__ = "survey_import_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("survey_instrument.id"))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.now())

    __table_args__ = (
        CheckConstraint("length(btrim(name)) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("jsonb_typeof(mapping) = 'object'", name="mapping_object"),
    )


class SurveyAnswer(Base):
    __tablename__ = "survey_answer"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"), primary_key=True)
    value: Mapped[float] = mapped_column(Numeric(4, 1))

    __table_args__ = (Index("ix_survey_answer_question", "question_id"),)


class EncounterVolume(Base):
    """Patient encounters per department per month: the denominator of complaint rates."""

    __tablename__ = "encounter_volume"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    encounters: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        CheckConstraint("encounters >= 0", name="encounters_non_negative"),
    )


class AuditLog(Base):
    """Who did what to which record, when. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(TZ, server_default=func.clock_timestamp())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(Text)  # as typed, for failed logins
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str | None] = mapped_column(Text)
    entity_id: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        CheckConstraint(_in("action", AUDIT_ACTIONS), name="action"),
        # The audit viewer pages newest first by (occurred_at, id): each filter has an index
        # that ends in those two columns.
        Index("ix_audit_log_occurred_id", "occurred_at", "id"),
        Index("ix_audit_log_user_occurred", "user_id", "occurred_at", "id"),
        Index("ix_audit_log_action_occurred", "action", "occurred_at", "id"),
        Index("ix_audit_log_entity", "entity", "entity_id", "occurred_at", "id"),
        # Words in the detail (search text, file names, changed values) for the viewer's search.
        Index(
            "ix_audit_log_detail_words",
            text(AUDIT_DETAIL_WORDS),
            postgresql_using="gin",
        ),
    )


# Dashboard summaries (migration 0002): per-day counts on the facility's calendar, kept current
# by database triggers on the tables they summarise. Never written by the app; read by db.kpi.
# department_id 0 stands for "no department".


class FacilitySetting(Base):
    """The facility's name and time zone as the administrator set them (one row); None: the
    environment's value (db.settings) applies."""

    __tablename__ = "facility_setting"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    name: Mapped[str | None] = mapped_column(Text)
    time_zone: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "name IS NULL OR length(btrim(name)) BETWEEN 2 AND 120", name="name_length"
        ),
        CheckConstraint(
            "time_zone IS NULL OR length(time_zone) BETWEEN 3 AND 64", name="time_zone_length"
        ),
    )


class DashboardSummaryState(Base):
    """The time zone whose calendar days the summaries are keyed by (one row)."""

    __tablename__ = "dashboard_summary_state"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    facility_tz: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class InteractionDay(Base):
    __tablename__ = "interaction_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(Text, primary_key=True)
    interactions: Mapped[int] = mapped_column(Integer)


class ConcernDay(Base):
    """Concerns opened (by opened day) and resolved (by resolved day), per department and type."""

    __tablename__ = "concern_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(Text, primary_key=True)
    opened: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    resolved_with_clock: Mapped[int] = mapped_column(Integer)
    resolved_on_time: Mapped[int] = mapped_column(Integer)


class ConcernIssueDay(Base):
    """Issues by their concern's opened day and department, per category."""

    __tablename__ = "concern_issue_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issues: Mapped[int] = mapped_column(Integer)


class ConcernResolutionDay(Base):
    """Resolved concerns per day of resolution, department and resolution-time bucket
    (`resolution_bucket`, migration 0011); department -1 holds all departments together."""

    __tablename__ = "concern_resolution_day"
    __table_args__ = (PrimaryKeyConstraint("department_id", "day", "bucket"),)

    day: Mapped[dt.date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)


class GrievanceWindowDay(Base):
    """Grievances by the day their 7-day written-response window ends, and how many were
    answered in time (migration 0003)."""

    __tablename__ = "grievance_window_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    windows: Mapped[int] = mapped_column(Integer)
    responded_in_time: Mapped[int] = mapped_column(Integer)


class SurveyAnswerDay(Base):
    """Survey answers per question, response date and department: n, sum, top box, NPS parts."""

    __tablename__ = "survey_answer_day"

    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Numeric)
    top_box: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)


# ISO-week rollups of the day summaries (migration 0004), keyed by the Monday; kept current by
# triggers on the day summaries. db.kpi reads whole weeks here and the edge days there.


class InteractionWeek(Base):
    __tablename__ = "interaction_week"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(Text, primary_key=True)
    interactions: Mapped[int] = mapped_column(Integer)


class ConcernWeek(Base):
    __tablename__ = "concern_week"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(Text, primary_key=True)
    opened: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    resolved_with_clock: Mapped[int] = mapped_column(Integer)
    resolved_on_time: Mapped[int] = mapped_column(Integer)


class ConcernIssueWeek(Base):
    __tablename__ = "concern_issue_week"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issues: Mapped[int] = mapped_column(Integer)


class SurveyAnswerWeek(Base):
    __tablename__ = "survey_answer_week"

    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Numeric)
    top_box: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)


class InteractionMonth(Base):
    """interaction_day summed by calendar month (`month`: its first day; migration 0014)."""

    __tablename__ = "interaction_month"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(Text, primary_key=True)
    interactions: Mapped[int] = mapped_column(Integer)


class ConcernMonth(Base):
    """concern_day summed by calendar month (migration 0014)."""

    __tablename__ = "concern_month"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(Text, primary_key=True)
    opened: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    resolved_with_clock: Mapped[int] = mapped_column(Integer)
    resolved_on_time: Mapped[int] = mapped_column(Integer)


class ConcernIssueMonth(Base):
    """concern_issue_day summed by calendar month (migration 0014)."""

    __tablename__ = "concern_issue_month"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issues: Mapped[int] = mapped_column(Integer)


class SurveyAnswerMonth(Base):
    """survey_answer_day summed by calendar month (migration 0014)."""

    __tablename__ = "survey_answer_month"

    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Numeric)
    top_box: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)


class ConcernResolutionMonth(Base):
    """concern_resolution_day summed by calendar month (migration 0014)."""

    __tablename__ = "concern_resolution_month"
    __table_args__ = (PrimaryKeyConstraint("department_id", "month", "bucket"),)

    month: Mapped[dt.date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)


class GrievanceWindowMonth(Base):
    """grievance_window_day summed by calendar month (migration 0014)."""

    __tablename__ = "grievance_window_month"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    windows: Mapped[int] = mapped_column(Integer)
    responded_in_time: Mapped[int] = mapped_column(Integer)


class FormDraft(Base):
    """What a staff member has typed into a form and not yet saved, kept on the server so a
    reload, a dropped connection or a new sign-in loses nothing. One per person and form; only
    ever read back for the person who typed it; older than a day it is no longer offered."""

    __tablename__ = "form_draft"
    __table_args__ = (
        CheckConstraint("length(form) BETWEEN 1 AND 100", name="form_length"),
        CheckConstraint("jsonb_typeof(fields) = 'object'", name="fields_object"),
    )

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    form: Mapped[str] = mapped_column(Text, primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

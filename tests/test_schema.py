"""The database keeps bad data out by itself, even when the app is bypassed."""

import datetime as dt
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.models import Base

NOW = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.fixture
def base_rows(engine, make_staff):
    staff = make_staff("executive")
    with engine.begin() as conn:
        dept = conn.scalar(text("INSERT INTO department (name) VALUES ('Cardiology') RETURNING id"))
        patient = conn.scalar(
            text(
                "INSERT INTO patient (mrn, given_name, family_name, phone) "
                "VALUES ('MRN0000001', 'Ada', 'Lovelace', '(555) 010-2000') RETURNING id"
            )
        )
    return {"staff": staff.id, "dept": dept, "patient": patient}


def _interaction(conn, ids, **overrides):
    row = {
        "occurred_at": NOW,
        "channel": "phone",
        "direction": "inbound",
        "patient_id": ids["patient"],
        "department_id": ids["dept"],
        "summary": "Asked about parking",
        "duration_minutes": 4,
        "outcome": "information-only",
        "logged_by": ids["staff"],
        "client_submission_id": uuid.uuid4(),
        "concern_id": None,
    }
    row.update(overrides)
    conn.execute(
        text(
            "INSERT INTO interaction (occurred_at, channel, direction, patient_id, department_id,"
            " summary, duration_minutes, outcome, logged_by, client_submission_id, concern_id)"
            " VALUES (:occurred_at, :channel, :direction, :patient_id, :department_id, :summary,"
            " :duration_minutes, :outcome, :logged_by, :client_submission_id, :concern_id)"
        ),
        row,
    )


def test_a_valid_interaction_is_accepted(engine, base_rows):
    with engine.begin() as conn:
        _interaction(conn, base_rows)
        assert conn.scalar(text("SELECT count(*) FROM interaction")) == 1
        assert conn.scalar(text("SELECT phone_digits FROM patient")) == "5550102000"


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "fax"},
        {"direction": "sideways"},
        {"outcome": "ignored"},
        {"summary": "   "},
        {"duration_minutes": -1},
        {"duration_minutes": 601},
        {"outcome": "concern-opened"},  # without a concern
        {"patient_id": 999_999},
        {"logged_by": 999_999},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()),
)
def test_bad_interactions_are_refused(engine, base_rows, overrides):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _interaction(conn, base_rows, **overrides)


def test_client_submission_id_saves_once(engine, base_rows):
    submission = uuid.uuid4()
    with engine.begin() as conn:
        _interaction(conn, base_rows, client_submission_id=submission)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _interaction(conn, base_rows, client_submission_id=submission)


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("INSERT INTO patient (mrn, given_name, family_name) VALUES ('x', 'A', 'B')", "mrn"),
        (
            "INSERT INTO patient (mrn, given_name, family_name) VALUES ('MRN0000001', 'A', 'B')",
            "duplicate mrn",
        ),
        (
            "INSERT INTO patient (mrn, given_name, family_name, email) "
            "VALUES ('MRN0000002', 'A', 'B', 'not-an-email')",
            "email",
        ),
        (
            "INSERT INTO patient (mrn, given_name, family_name, date_of_birth) "
            "VALUES ('MRN0000003', 'A', 'B', '1850-01-01')",
            "dob",
        ),
        ("INSERT INTO department (name) VALUES ('Cardiology')", "duplicate department"),
        ("INSERT INTO category (domain, name) VALUES ('finance', 'Prices')", "domain"),
        (
            "INSERT INTO app_user (username, display_name, password_hash, roles) "
            "VALUES ('someone', 'Some One', '$2b$04$abc', ARRAY['janitor'])",
            "unknown role",
        ),
        (
            "INSERT INTO app_user (username, display_name, password_hash, roles) "
            "VALUES ('someone', 'Some One', 'plaintext', ARRAY['manager'])",
            "plain-text password",
        ),
        (
            "INSERT INTO app_user (username, display_name, password_hash, roles) "
            "VALUES ('someone', 'Some One', '$2b$04$abc', ARRAY[]::text[])",
            "no role",
        ),
        ("INSERT INTO encounter_volume VALUES (1, '2026-01-15', 10)", "month not first day"),
        ("INSERT INTO sla_target VALUES ('complaint', 'urgent', 5)", "unknown severity"),
    ],
    ids=lambda v: v if " " in v and not v.startswith("INSERT") else None,
)
def test_reference_and_patient_constraints(engine, base_rows, sql, why):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(sql))


def _concern_sql(**cols):
    base = {
        "type": "'complaint'",
        "severity": "'high'",
        "status": "'new'",
        "summary": "'Long wait in ED'",
        "created_by": ":staff",
        "opened_at": "now()",
        "due_at": "now() + interval '3 days'",
    }
    base.update(cols)
    names = ", ".join(base)
    values = ", ".join(base.values())
    return f"INSERT INTO concern ({names}) VALUES ({values})"


@pytest.mark.parametrize(
    ("cols", "why"),
    [
        ({"type": "'rant'"}, "type"),
        ({"severity": "'urgent'"}, "severity"),
        ({"status": "'lost'"}, "status"),
        ({"due_at": "NULL"}, "a complaint needs a due time"),
        ({"due_at": "now() - interval '1 day'"}, "due before opened"),
        ({"status": "'resolved'"}, "resolved without resolved_at"),
        ({"status": "'resolved'", "resolved_at": "now()"}, "resolved without resolution text"),
        ({"resolved_at": "now()", "resolution": "'done'"}, "resolved_at on an open concern"),
        (
            {"status": "'closed'", "resolved_at": "now()", "resolution": "'done'"},
            "closed without closed_at",
        ),
        ({"type": "'grievance'"}, "grievance without acknowledgement deadline"),
        (
            {"written_response_at": "now()", "response_contact_person": "'J. Smith'"},
            "written response missing steps, result and completion date",
        ),
        ({"still_working_notice_at": "now()"}, "still-working notice without a new date"),
        ({"version": "0"}, "version"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_concerns_are_refused(engine, base_rows, cols, why):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(_concern_sql(**cols)), {"staff": base_rows["staff"]})


def test_compliment_needs_no_clock_and_complete_written_response_is_accepted(engine, base_rows):
    with engine.begin() as conn:
        conn.execute(
            text(_concern_sql(type="'compliment'", due_at="NULL")), {"staff": base_rows["staff"]}
        )
        conn.execute(
            text(
                _concern_sql(
                    type="'grievance'",
                    acknowledgement_due_at="now() + interval '1 day'",
                    written_response_at="now()",
                    response_contact_person="'J. Smith, Patient Relations'",
                    response_steps_taken="'Reviewed the record, met the charge nurse'",
                    response_result="'Apology; staff retrained'",
                    response_completed_on="current_date",
                )
            ),
            {"staff": base_rows["staff"]},
        )
        assert conn.scalar(text("SELECT count(*) FROM concern")) == 2


@pytest.mark.parametrize("table", ["audit_log", "concern_event"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET detail = detail", "DELETE FROM {t}"])
def test_append_only_tables_refuse_update_and_delete(engine, base_rows, table, statement):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (username, action) VALUES ('someone', 'login')"))
        concern_id = conn.scalar(
            text(_concern_sql() + " RETURNING id"), {"staff": base_rows["staff"]}
        )
        conn.execute(
            text("INSERT INTO concern_event (concern_id, actor_id, kind) VALUES (:c, :a, 'note')"),
            {"c": concern_id, "a": base_rows["staff"]},
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement.format(t=table)))
    with engine.connect() as conn:
        assert conn.scalar(text(f"SELECT count(*) FROM {table}")) == 1


def test_survey_answer_outside_its_scale_is_refused(engine, base_rows):
    with engine.begin() as conn:
        instrument = conn.scalar(
            text("INSERT INTO survey_instrument (name) VALUES ('CSAT') RETURNING id")
        )
        question = conn.scalar(
            text(
                "INSERT INTO survey_question (instrument_id, code, wording, scale_min, scale_max,"
                " top_box_min) VALUES (:i, 'q1', 'Overall', 1, 5, 5) RETURNING id"
            ),
            {"i": instrument},
        )
        response = conn.scalar(
            text(
                "INSERT INTO survey_response (instrument_id, department_id, responded_on)"
                " VALUES (:i, :d, '2026-11-01') RETURNING id"
            ),
            {"i": instrument, "d": base_rows["dept"]},
        )
        conn.execute(
            text("INSERT INTO survey_answer VALUES (:r, :q, 5)"), {"r": response, "q": question}
        )
    with pytest.raises(DBAPIError, match="outside the scale"), engine.begin() as conn:
        conn.execute(
            text("UPDATE survey_answer SET value = 6 WHERE response_id = :r"), {"r": response}
        )


def test_nps_only_on_a_zero_to_ten_question(engine):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        instrument = conn.scalar(
            text("INSERT INTO survey_instrument (name) VALUES ('HCAHPS') RETURNING id")
        )
        conn.execute(
            text(
                "INSERT INTO survey_question (instrument_id, code, wording, scale_min, scale_max,"
                " top_box_min, is_likelihood_to_recommend) VALUES (:i, 'rec', 'Recommend?',"
                " 1, 4, 4, true)"
            ),
            {"i": instrument},
        )


def test_migration_seeds_the_hcat_taxonomy_and_sla_targets(engine):
    with engine.connect() as conn:
        domains = conn.execute(
            text("SELECT domain, count(*) FROM category GROUP BY domain ORDER BY domain")
        ).all()
        assert domains == [("clinical", 2), ("management", 2), ("relationships", 3)]
        hours = dict(
            conn.execute(
                text("SELECT severity, due_hours FROM sla_target WHERE concern_type='complaint'")
            ).all()
        )
        assert hours == {"critical": 24, "high": 72, "medium": 168, "low": 336}
        assert (
            conn.scalar(
                text(
                    "SELECT count(*) FROM sla_target WHERE concern_type='compliment' "
                    "AND due_hours IS NOT NULL"
                )
            )
            == 0
        )

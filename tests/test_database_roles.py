"""The app connects as a role that can read and write rows but cannot erase the audit trail."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from components.session import get_engine
from db.audit import record_audit
from db.roles import APPEND_ONLY_TABLES


@pytest.fixture
def app_engine(engine, app_database_url):
    app = create_engine(app_database_url)
    yield app
    app.dispose()


def test_pages_connect_as_the_app_role_not_the_owner(engine, app_database_url):
    with get_engine().connect() as conn:
        role = conn.scalar(text("SELECT current_user"))
        superuser = conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    with engine.connect() as conn:
        owner = conn.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'"))
    assert role == "prd_app" and not superuser and owner != role


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE {t}",
        "ALTER TABLE {t} DISABLE TRIGGER ALL",
        "ALTER TABLE {t} DISABLE TRIGGER {t}_append_only",
        "DROP TRIGGER {t}_append_only ON {t}",
        "DELETE FROM {t}",
        "UPDATE {t} SET id = id",
        "DROP TABLE {t}",
        "CREATE TABLE {t}_copy (id int)",
    ],
)
def test_the_app_role_is_refused_erasing_or_changing_the_evidence(app_engine, table, statement):
    with pytest.raises(DBAPIError) as refused, app_engine.begin() as conn:
        conn.execute(text(statement.format(t=table)))
    assert refused.value.orig.pgcode in ("42501",)  # insufficient_privilege / must be owner


def test_the_app_role_can_do_the_apps_work(app_engine, make_staff):
    from sqlalchemy.orm import Session

    staff = make_staff("manager")
    with Session(app_engine) as s, s.begin():
        record_audit(session=s, action="login", username=staff.username, user_id=staff.id)
    with app_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_log")) == 1


def test_the_app_role_keeps_overwrites_reads_and_discards_form_drafts(app_engine, make_staff):
    import datetime as dt

    from sqlalchemy.orm import Session

    from db.drafts import DRAFT_LIFETIME, discard_draft, load_draft, save_draft

    staff = make_staff("executive")
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with Session(app_engine) as s, s.begin():
        # An expired draft of the same person is deleted by the next save.
        save_draft(session=s, user_id=staff.id, form="old", fields={"text": "a"}, now=now)
        later = now + DRAFT_LIFETIME + dt.timedelta(minutes=1)
        save_draft(session=s, user_id=staff.id, form="log", fields={"summary": "first"}, now=later)
        save_draft(session=s, user_id=staff.id, form="log", fields={"summary": "second"}, now=later)
        assert load_draft(session=s, user_id=staff.id, form="log", now=later).fields == {
            "summary": "second"
        }
        discard_draft(session=s, user_id=staff.id, form="log")
    with app_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM form_draft")) == 0

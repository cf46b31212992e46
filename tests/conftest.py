"""Shared fixtures: a real PostgreSQL with the schema built by the migrations.

The server is the embedded one (pgserver) in a temporary folder, or the one named by
TEST_DATABASE_URL (else DATABASE_URL). Each test session gets a fresh database; each test starts
from empty tables with the reference data (categories, SLA targets) the migrations seed.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import db.settings
import db.users
from components import session as app_session
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.models import Base, Category, SlaRule, SlaTarget
from db.roles import APP_ROLE, ensure_app_role, grant_app_privileges, url_for_role
from db.users import StaffMember, create_user, staff_member
from tests.helpers import ROOT, seed_world

REFERENCE_TABLES = (Category, SlaTarget, SlaRule)
APP_ROLE_PASSWORD = uuid.uuid4().hex
TEST_COOKIE_KEY = secrets.token_urlsafe(48)


def pytest_configure(config):
    _own_temp_folder(config)
    _move_clock(config)


def _own_temp_folder(config) -> None:
    """Each run gets a temporary folder of its own, removed at exit. pytest's shared numbered
    folders (/tmp/pytest-of-USER/pytest-N) keep only the last three, so with several suites
    running at once on one machine, one run deleted another's embedded database mid-run."""
    if config.option.basetemp is None:
        folder = tempfile.mkdtemp(prefix="prd-tests-")
        config.option.basetemp = folder
        # Registered before any embedded server starts, so it runs after their own exit hooks
        # (atexit runs last-registered first) have stopped them.
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


def _move_clock(config) -> None:
    """PRD_TEST_CLOCK=2027-03-14T03:30:00-04:00 runs the suite with the wall clock moved there
    (and ticking), so a test that mixes fixed data with the real time fails today, not next
    month. `make test-clocks` runs the suite at every instant from `tests/clocks.py`."""
    clock = os.environ.get("PRD_TEST_CLOCK")
    if clock:
        import time_machine

        config._prd_clock = time_machine.travel(dt.datetime.fromisoformat(clock), tick=True)
        config._prd_clock.start()


def pytest_report_header(config):
    if os.environ.get("PRD_TEST_CLOCK"):
        return f"wall clock moved to {os.environ['PRD_TEST_CLOCK']}"
    return None


def _server_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return db.settings._normalise_url(url)
    import pgserver

    server = pgserver.get_server(tmp_root / "pg", cleanup_mode="stop")
    return (
        make_url(server.get_uri())
        .set(drivername="postgresql+psycopg2")
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """URL of a fresh database, migrated to head, for this test session."""
    server_url = make_url(_server_url(tmp_path_factory.mktemp("postgres")))
    name = f"prd_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade_to_head(engine, progress=lambda _msg: None)
    with engine.begin() as conn:
        ensure_app_role(conn, APP_ROLE, APP_ROLE_PASSWORD)
        grant_app_privileges(conn, APP_ROLE)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app_database_url(database_url) -> str:
    """The same database as the app's least-privilege role: what pages connect with in tests."""
    return url_for_role(database_url, APP_ROLE, APP_ROLE_PASSWORD)


@pytest.fixture(scope="session")
def _engine(database_url) -> Iterator[tuple[Engine, dict]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        reference = {
            model: [
                {c.key: getattr(row, c.key) for c in model.__table__.columns}
                for row in session.scalars(select(model))
            ]
            for model in REFERENCE_TABLES
        }
    yield engine, reference
    engine.dispose()


@pytest.fixture
def engine(_engine, app_database_url, monkeypatch) -> Engine:
    """Empty tables (plus the seeded reference data); the app's settings point at this database,
    as the app role (the returned engine, for setting up and checking, is the owner's)."""
    _engine, reference = _engine
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with _engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for model, rows in reference.items():
            if rows:
                conn.execute(insert(model), rows)
        # Identity sequences restart at 1 but the restored rows carry their ids.
        for model in REFERENCE_TABLES:
            if "id" in model.__table__.columns:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{model.__tablename__}', 'id'), "
                        f"(SELECT max(id) FROM {model.__tablename__}))"
                    )
                )
    monkeypatch.setenv("DATABASE_URL", app_database_url)
    monkeypatch.setenv("PRD_COOKIE_KEY", TEST_COOKIE_KEY)
    monkeypatch.setattr(db.users, "BCRYPT_ROUNDS", 4)  # fast hashes; checks read rounds per hash
    db.settings.get_settings.cache_clear()
    app_session._resolved_database_url.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield _engine
    db.settings.get_settings.cache_clear()
    app_session._resolved_database_url.cache_clear()


@pytest.fixture
def clock():
    """Move the wall clock to a fixed instant for one test, ticking on from there, so a page
    that reads the real time sees the time the test's data was built around: clock(NOW)."""
    import time_machine

    travellers = []

    def _move(instant: dt.datetime) -> None:
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield _move
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def make_staff(engine):
    """Create a staff account and return it as the app sees it: make_staff("manager")."""
    counter = iter(range(1, 10_000))

    def _make(
        *roles: str,
        username: str | None = None,
        password: str = "correct-horse-1",
        home_department_id: int | None = None,
    ) -> StaffMember:
        name = username or f"{roles[0]}{next(counter)}"
        with Session(engine) as s, s.begin():
            user = create_user(
                session=s,
                username=name,
                display_name=name.title(),
                password=password,
                roles=list(roles),
                home_department_id=home_department_id,
            )
            return staff_member(user)

    return _make


@pytest.fixture
def world(engine) -> dict:
    """The small fixed desk world of tests/helpers.py (two departments, four patients). Tests
    that need another world (the dashboard's) define their own `world` fixture."""
    return seed_world(engine)


@pytest.fixture
def manager(make_staff) -> StaffMember:
    return make_staff("manager")


@pytest.fixture
def page_as(engine):
    """An AppTest of one page file with `staff` signed in: page_as("pages/home.py", staff)."""
    from streamlit.testing.v1 import AppTest

    def _page(path: str, staff: StaffMember, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
        # A real server-side session, as a sign-in makes: what callbacks check before writing.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with Session(engine) as s, s.begin():
            session_id = db.users.start_session(session=s, user_id=staff.id, now=now)
        at.session_state["staff"] = staff
        at.session_state["session_id"] = session_id
        at.session_state["session_started_at"] = now
        at.session_state["last_activity_at"] = now
        return at

    return _page


@pytest.fixture
def reruns(monkeypatch):
    """Every st.rerun a page asks for (each one is a second script run the user waits for)."""
    import streamlit

    asked: list[str] = []
    real = streamlit.rerun

    def recording(*args, **kwargs):
        asked.append("rerun")
        return real(*args, **kwargs)

    monkeypatch.setattr(streamlit, "rerun", recording)
    return asked

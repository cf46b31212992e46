"""What `make run` does before serving: database, migrations, demo data, demo accounts."""

import pytest
from sqlalchemy import create_engine, func, select
from streamlit.testing.v1 import AppTest

import db.settings
from components import session as app_session
from db.cli import prepare
from db.demo import DEMO_PASSWORD, DEMO_USERS
from db.models import AppUser, Interaction
from tests.helpers import APP


def test_with_database_url_prepare_migrates_and_creates_no_demo_accounts(engine, capsys):
    prepare("8501")
    out = capsys.readouterr().out
    assert "Schema: up to date" in out
    assert "demo1234" not in out
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AppUser)) == 0
        assert conn.scalar(select(func.count()).select_from(Interaction)) == 0


@pytest.mark.slow
def test_demo_mode_starts_the_embedded_server_loads_demo_data_and_signs_in(
    monkeypatch, tmp_path, capsys
):
    for name in ("DATABASE_URL", "PRD_COOKIE_KEY", "TEST_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRD_DATA_DIR", str(tmp_path / "data"))
    db.settings.get_settings.cache_clear()
    app_session._resolved_database_url.cache_clear()
    try:
        prepare("8501")
        out = capsys.readouterr().out
        assert "embedded PostgreSQL" in out and "migration(s) applied" in out
        for user in DEMO_USERS:
            assert user.username in out
        assert DEMO_PASSWORD in out

        url = app_session._resolved_database_url()
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Interaction)) > 1000
            roles = dict(conn.execute(select(AppUser.username, AppUser.roles)).all())
            assert {u.username: list(u.roles) for u in DEMO_USERS}.items() <= roles.items()

        # A second start reuses the data: no second load, no duplicate accounts.
        prepare("8501")
        assert "Loading demo data" not in capsys.readouterr().out

        at = AppTest.from_file(APP, default_timeout=60).run()
        assert any("Demo accounts" in m.value for m in at.markdown)
        at.text_input(key="sign_in_username").input("manager")
        at.text_input(key="sign_in_password").input(DEMO_PASSWORD)
        at.button[0].click().run()
        assert not at.exception
        assert at.session_state["staff"].roles == frozenset({"manager"})
        engine.dispose()
    finally:
        import pgserver

        app_session._engine_for.clear()
        server = pgserver.get_server(tmp_path / "data" / "pg", cleanup_mode=None)
        server.cleanup_mode = "stop"  # the app leaves it running on purpose; the test does not
        server.cleanup()
        db.settings.get_settings.cache_clear()
        app_session._resolved_database_url.cache_clear()

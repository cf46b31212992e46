"""Settings: one place, safe cookie keys, and a plain message when the database is down."""

import secrets
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import db.settings
from components import session as app_session
from db.settings import ConfigurationError, get_settings

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def fresh_settings(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "PRD_COOKIE_KEY", "PRD_FACILITY_TZ", "PRD_FACILITY_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRD_DATA_DIR", str(tmp_path))
    db.settings.get_settings.cache_clear()
    app_session._resolved_database_url.cache_clear()
    yield
    db.settings.get_settings.cache_clear()
    app_session._resolved_database_url.cache_clear()


def test_demo_mode_generates_a_cookie_key_once_and_keeps_it(fresh_settings, tmp_path):
    settings = get_settings()
    assert settings.demo_mode
    key = settings.require_cookie_key()
    assert len(key) >= 32
    assert (tmp_path / "cookie_key").read_text().strip() == key
    assert get_settings().require_cookie_key() == key


@pytest.mark.parametrize(
    "key", [None, "short", "changeme", "some_signature_key", "a" * 40, "ab" * 20, "password" * 5]
)
def test_production_refuses_a_missing_short_or_default_cookie_key(fresh_settings, monkeypatch, key):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/prd")
    if key:
        monkeypatch.setenv("PRD_COOKIE_KEY", key)
    with pytest.raises(ConfigurationError, match="PRD_COOKIE_KEY"):
        get_settings().require_cookie_key()


def test_database_url_is_normalised_to_psycopg2(fresh_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/prd")
    assert get_settings().database_url == "postgresql+psycopg2://u:p@db.example/prd"
    assert not get_settings().demo_mode


def test_facility_settings_from_environment(fresh_settings, monkeypatch):
    monkeypatch.setenv("PRD_FACILITY_TZ", "Europe/London")
    monkeypatch.setenv("PRD_FACILITY_NAME", "St Elsewhere")
    settings = get_settings()
    assert settings.facility_tz.key == "Europe/London"
    assert settings.facility_name == "St Elsewhere"


def test_unreachable_database_gives_a_plain_message_within_ten_seconds(fresh_settings, monkeypatch):
    # Nothing listens on port 9 of localhost: the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://prd:prd@127.0.0.1:9/prd")
    monkeypatch.setenv("PRD_COOKIE_KEY", secrets.token_urlsafe(48))
    started = time.monotonic()
    at = AppTest.from_file(APP, default_timeout=15).run()
    at.text_input(key="sign_in_username").input("dokafor")
    at.text_input(key="sign_in_password").input("correct-horse-1")
    at.button[0].click().run()
    assert time.monotonic() - started < 10
    assert not at.exception
    assert "database cannot be reached" in at.error[0].value


def test_a_random_key_is_accepted(fresh_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/prd")
    key = secrets.token_urlsafe(48)
    monkeypatch.setenv("PRD_COOKIE_KEY", key)
    assert get_settings().require_cookie_key() == key
    monkeypatch.setenv("PRD_COOKIE_KEY", secrets.token_hex(32))
    get_settings.cache_clear()
    assert get_settings().require_cookie_key()


def test_outside_demo_mode_the_server_listens_on_this_machine_only(fresh_settings, monkeypatch):
    assert get_settings().bind_address == "0.0.0.0"  # demo mode
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/prd")
    get_settings.cache_clear()
    assert get_settings().bind_address == "127.0.0.1"
    monkeypatch.setenv("PRD_SERVER_ADDRESS", "10.0.0.5")
    get_settings.cache_clear()
    assert get_settings().bind_address == "10.0.0.5"

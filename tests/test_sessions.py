"""Sign-in cookies and server-side sessions through the app: a cookie signs a browser in only
while its session is live; anything malformed is "signed out", never an error box."""

import base64
import datetime as dt
import json

import jwt
import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

import components.login as login
from db.models import StaffSession
from db.settings import get_settings
from db.users import authenticate, start_session
from tests.helpers import APP
from tests.helpers import sign_in as _sign_in


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _open_with_cookie(monkeypatch, token):
    monkeypatch.setattr(login, "_current_cookie", lambda: token)
    return AppTest.from_file(APP, default_timeout=30).run()


def _live_session(engine, staff, issued_at):
    with Session(engine) as s, s.begin():
        return start_session(session=s, user_id=staff.id, now=issued_at)


def test_a_cookie_of_a_live_session_signs_the_browser_in(engine, make_staff, monkeypatch):
    staff = make_staff("manager")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    session_id = _live_session(engine, staff, now)
    at = _open_with_cookie(monkeypatch, login.issue_token(staff, session_id, now))
    assert not at.exception
    assert at.session_state["staff"].id == staff.id


def test_a_cookie_left_by_a_closed_tab_stops_working_once_idle(engine, make_staff, monkeypatch):
    staff = make_staff("manager")
    idle = dt.timedelta(minutes=get_settings().idle_timeout_minutes)
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - idle - dt.timedelta(minutes=1)
    session_id = _live_session(engine, staff, issued)
    at = _open_with_cookie(monkeypatch, login.issue_token(staff, session_id, issued))
    assert not at.exception
    assert "staff" not in at.session_state
    assert at.text_input(key="sign_in_username").value == ""
    with Session(engine) as s:
        assert s.get(StaffSession, session_id).ended_at is not None


def _malformed(staff, session_id, now):
    key = get_settings().require_cookie_key()
    iat = int(now.timestamp())
    claims = {"sub": staff.username, "sid": str(session_id), "iat": iat, "exp": iat + 3600}
    return {
        "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + ".",
        "HS512": jwt.encode(claims, key, algorithm="HS512"),
        "huge exp_date": jwt.encode(
            {"username": staff.username, "exp_date": 10**30}, key, algorithm="HS256"
        ),
        "huge iat": jwt.encode({**claims, "iat": 10**30}, key, algorithm="HS256"),
        "far-future exp, same session": jwt.encode(
            {**claims, "iat": iat + 86400 * 300, "exp": iat + 86400 * 365}, key, algorithm="HS256"
        ),
        "other key": jwt.encode(claims, "another-key-" + key, algorithm="HS256"),
        "no session id": jwt.encode(
            {k: v for k, v in claims.items() if k != "sid"}, key, algorithm="HS256"
        ),
        "session id not a uuid": jwt.encode({**claims, "sid": "1 OR 1=1"}, key, algorithm="HS256"),
        "garbage": "%%%not-a-token\x00",
        "empty": "",
    }


MALFORMED = [
    "alg none",
    "HS512",
    "huge exp_date",
    "huge iat",
    "far-future exp, same session",
    "other key",
    "no session id",
    "session id not a uuid",
    "garbage",
    "empty",
]


@pytest.mark.parametrize("kind", MALFORMED)
def test_any_malformed_cookie_is_signed_out_not_an_error(engine, make_staff, monkeypatch, kind):
    staff = make_staff("manager")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    session_id = _live_session(engine, staff, now)
    at = _open_with_cookie(monkeypatch, _malformed(staff, session_id, now)[kind])
    assert not at.exception
    assert not at.error
    assert "staff" not in at.session_state
    assert at.text_input(key="sign_in_username").value == ""


def test_a_lockout_does_not_end_a_session_that_proved_the_password(engine, make_staff):
    make_staff("manager", username="dokafor")
    at = _sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    assert at.session_state["staff"].username == "dokafor"
    with Session(engine) as s, s.begin():
        for _ in range(5):
            assert authenticate(session=s, username="dokafor", password="wrong") is None
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    assert at.session_state["staff"].username == "dokafor"
    # New sign-ins are refused meanwhile, even with the right password.
    fresh = _sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    assert "staff" not in fresh.session_state


def test_sign_out_ends_the_server_side_session(engine, make_staff):
    make_staff("manager", username="dokafor")
    at = _sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    session_id = at.session_state["session_id"]
    token = at.session_state["set_cookie_pending"]
    assert login.read_token(token)[1] == session_id
    at.sidebar.button(key="sign_out_button").click()
    at.run()  # the root, where a manager's landing page (the dashboard) is drawn
    with Session(engine) as s:
        assert s.get(StaffSession, session_id).ended_at is not None

"""The cookie component costs a full script run each time it reports back, so it is drawn only in
the runs that must write or delete the sign-in cookie; every other page load reads the cookie
from the request and draws no component at all."""

import datetime as dt

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

import components.login as login
from db.users import start_session
from tests.helpers import APP, sign_in


def _record_components(monkeypatch, *, browser_confirms: bool) -> list[str]:
    """Replace the component by a recorder; `browser_confirms` is what the browser reports."""
    drawn: list[str] = []

    def fake_component(method, **kwargs):
        drawn.append(method)
        return browser_confirms

    monkeypatch.setattr(login, "_cookie_component", fake_component)
    return drawn


def _components_in_page(at: AppTest) -> list:
    """Custom components the run sent to the browser (AppTest shows them as unknown elements)."""
    return [
        node
        for root in (at.main, at.sidebar)
        for node in _walk(root)
        if getattr(node, "type", None) == "component_instance"
    ]


def _walk(node):
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _walk(child)


def test_a_page_load_with_a_valid_cookie_draws_no_cookie_component(engine, make_staff, monkeypatch):
    staff = make_staff("manager")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with Session(engine) as s, s.begin():
        session_id = start_session(session=s, user_id=staff.id, now=now)
    monkeypatch.setattr(login, "_current_cookie", lambda: login.issue_token(staff, session_id, now))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["staff"].id == staff.id
    assert _components_in_page(at) == []
    at.switch_page("pages/open_concerns.py").run()
    assert not at.exception
    assert _components_in_page(at) == []


def test_the_sign_in_page_draws_no_cookie_component(monkeypatch):
    monkeypatch.setattr(login, "_current_cookie", lambda: None)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.text_input(key="sign_in_username").value == ""
    assert _components_in_page(at) == []


def test_the_real_component_is_drawn_after_sign_in(make_staff, monkeypatch):
    make_staff("manager", username="cookie.real")
    monkeypatch.setattr(login, "_current_cookie", lambda: None)
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "cookie.real", "correct-horse-1")
    assert not at.exception
    assert at.session_state["staff"].username == "cookie.real"
    # The browser has not confirmed yet (AppTest has no browser): still asked to write it.
    assert len(_components_in_page(at)) == 1
    assert at.session_state[login.SET_COOKIE_PENDING]


def test_after_sign_in_the_set_component_is_drawn_until_the_browser_confirms(
    make_staff, monkeypatch
):
    make_staff("manager", username="cookie.set")
    monkeypatch.setattr(login, "_current_cookie", lambda: None)
    drawn = _record_components(monkeypatch, browser_confirms=False)
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "cookie.set", "correct-horse-1")
    assert not at.exception
    assert drawn and set(drawn) == {"set"}
    at.run()
    assert drawn.count("set") >= 2, "not confirmed yet: asked again"
    # The browser confirms: the pending cookie is dropped and later runs draw nothing.
    drawn_now = _record_components(monkeypatch, browser_confirms=True)
    at.run()
    assert drawn_now == ["set"]
    assert login.SET_COOKIE_PENDING not in at.session_state
    at.run()
    assert drawn_now == ["set"]


def test_sign_out_draws_the_delete_component_only_until_the_cookie_is_gone(
    engine, make_staff, monkeypatch
):
    staff = make_staff("manager")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with Session(engine) as s, s.begin():
        session_id = start_session(session=s, user_id=staff.id, now=now)
    monkeypatch.setattr(login, "_current_cookie", lambda: login.issue_token(staff, session_id, now))
    drawn = _record_components(monkeypatch, browser_confirms=False)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert drawn == []
    at.sidebar.button(key="sign_out_button").click().run()
    assert not at.exception
    assert "staff" not in at.session_state
    at.run()
    assert drawn and set(drawn) == {"delete"}
    # The cookie still in the request is refused meanwhile (its session has ended).
    assert "staff" not in at.session_state
    # "You have signed out." stays on screen through the run the deletion triggers.
    assert [i.value for i in at.info] == ["You have signed out."]
    deleted = _record_components(monkeypatch, browser_confirms=True)
    at.run()
    assert deleted == ["delete"]
    assert [i.value for i in at.info] == ["You have signed out."]
    at.run()
    assert deleted == ["delete"], "deleted: not drawn again"
    assert "staff" not in at.session_state
    assert [i.value for i in at.info] == []

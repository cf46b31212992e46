"""The router: sign-in through the form, the menu each role gets, and demo mode."""

import pytest
from streamlit.testing.v1 import AppTest

from components.navigation import PAGES, pages_for
from db.models import ROLES
from tests.helpers import APP, sign_in


def test_signed_out_visitors_get_only_the_sign_in_form(engine):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.text_input(key="sign_in_username").value == ""
    assert not [b for b in at.sidebar.button if b.key == "sign_out_button"]
    # Not demo mode (DATABASE_URL is set): no demo accounts on the page.
    assert not any("Demo accounts" in m.value for m in at.markdown)
    with pytest.raises(ValueError):
        at.switch_page("pages/home.py").run()


def test_first_submit_signs_in_and_shows_the_role_menu(engine, make_staff):
    staff = make_staff("executive", username="pnair")
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "pnair", "correct-horse-1")
    assert not at.exception
    assert at.session_state["staff"].id == staff.id
    assert [b.key for b in at.sidebar.button] == ["sign_out_button", "sign_out_everywhere_button"]


def test_wrong_password_keeps_the_username_and_says_why(engine, make_staff):
    make_staff("executive", username="pnair")
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "pnair", "nope-nope")
    assert "Username or password is incorrect" in at.error[0].value
    assert at.text_input(key="sign_in_username").value == "pnair"
    assert "staff" not in at.session_state


def test_sign_out_returns_to_the_sign_in_form(engine, make_staff):
    make_staff("manager", username="dokafor")
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    at.sidebar.button(key="sign_out_button").click()
    at.run()  # the root, where a manager's landing page (the dashboard) is drawn
    assert not at.exception
    assert "staff" not in at.session_state
    # The root now shows the sign-in form again (the browser test checks it too).
    assert [t.value for t in at.title] == ["Patient Relations Desk"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_can_open_exactly_its_pages(engine, make_staff, role):
    make_staff(role, username=f"{role}.user")
    at = sign_in(
        AppTest.from_file(APP, default_timeout=60).run(), f"{role}.user", "correct-horse-1"
    )
    allowed = {spec.path for specs in pages_for({role}).values() for spec in specs}
    assert allowed == {spec.path for spec in PAGES if role in spec.roles}
    # The menu registered by the sign-in run: pages outside it cannot be opened at all.
    for spec in PAGES:
        if spec.path not in allowed:
            with pytest.raises(ValueError):
                at.switch_page(spec.path).run()
    for spec in PAGES:
        if spec.path in allowed:
            at.switch_page(spec.path).run()
            assert not at.exception, (role, spec.path, at.exception)


def test_pages_for_several_roles_is_the_union():
    both = {s.path for specs in pages_for({"executive", "admin"}).values() for s in specs}
    each = {
        s.path for r in ("executive", "admin") for specs in pages_for({r}).values() for s in specs
    }
    assert both == each


def test_idle_session_is_signed_out_and_blanked(engine, make_staff):
    import datetime as dt

    make_staff("manager", username="dokafor")
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    assert at.title
    at.session_state["last_activity_at"] = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    at.switch_page("pages/home.py").run()
    assert "staff" not in at.session_state
    assert not at.title  # nothing of the page is drawn any more


def test_missing_cookie_key_outside_demo_mode_stops_with_a_plain_message(engine, monkeypatch):
    monkeypatch.delenv("PRD_COOKIE_KEY")
    import db.settings

    db.settings.get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "PRD_COOKIE_KEY" in at.error[0].value

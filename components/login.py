"""Sign-in, sign-out, remember-me cookie and idle timeout.

Passwords are checked against `app_user` in PostgreSQL (db.users.authenticate), which also counts
failures, locks accounts and writes the audit rows. The remember-me cookie is a JWT under the
configured key (PyJWT). It is read from the request (`st.context.cookies`) on every run; the
browser is asked to write or delete it through the cookie manager component that
streamlit-authenticator uses (extra-streamlit-components), drawn only in the runs that must change
the cookie (after sign-in, a password change or sign-out), because a drawn component reports back
and so costs another full run of the page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from importlib import import_module

import jwt
import streamlit as st
from sqlalchemy.orm import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.facility import app_settings
from components.presentation import presentation_forced
from components.session import (
    DELETE_COOKIE_PENDING,
    SESSION_ID_KEY,
    SESSION_STARTED_KEY,
    SIGN_OUT_NOTICE,
    STAFF_KEY,
    clear_session,
    current_staff,
    get_engine,
    idle_expired,
    idle_sign_out_message,
    idle_timeout,
    sign_out,
    touch_activity,
    unattended_rerun,
)
from db.demo import DEMO_PASSWORD, DEMO_USERS
from db.permissions import Permission, allows
from db.settings import get_settings
from db.users import StaffMember, authenticate, staff_for_session, start_session
from db.validation import MAX_SEARCH_TEXT, text_problem

COOKIE_NAME = "prdesk_session"
TOKEN_ALGORITHM = "HS256"
SET_COOKIE_PENDING = "set_cookie_pending"
# The module, not the package's `CookieManager` class of the same name that shadows it.
_COOKIE_MANAGER_MODULE = import_module("extra_streamlit_components.CookieManager")
FAILED_LOGIN_MESSAGE = (
    "Username or password is incorrect. After 5 failed attempts in 15 minutes an account is "
    "locked for 15 minutes."
)


def _start_session(staff: StaffMember, session_id: uuid.UUID, started_at: dt.datetime) -> None:
    st.session_state[STAFF_KEY] = staff
    st.session_state[SESSION_ID_KEY] = session_id
    st.session_state[SESSION_STARTED_KEY] = started_at
    touch_activity(unattended_counts=presentation_forced(staff))


def issue_token(staff: StaffMember, session_id: uuid.UUID, issued_at: dt.datetime) -> str:
    """The sign-in cookie's value: who, which server-side session, issued when, valid until."""
    iat = int(issued_at.timestamp())
    return jwt.encode(
        {
            "sub": staff.username,
            "sid": str(session_id),
            "iat": iat,
            "exp": iat + int(get_settings().cookie_expiry_hours * 3600),
        },
        get_settings().require_cookie_key(),
        algorithm=TOKEN_ALGORITHM,
    )


def read_token(token: str | None) -> tuple[str, uuid.UUID, dt.datetime] | None:
    """(username, session id, issue time) from a sign-in cookie, or None for anything else.

    Only HS256 under our key with every claim present and unexpired is accepted: another
    algorithm ("none", HS512), a bad signature, a missing claim or an absurd number is simply
    "not signed in", never an error on screen."""
    if not token:
        return None
    try:
        claims = jwt.decode(
            token,
            get_settings().require_cookie_key(),
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["sub", "sid", "iat", "exp"]},
        )
        issued_at = dt.datetime.fromtimestamp(int(claims["iat"]), dt.UTC)
        return str(claims["sub"]), uuid.UUID(str(claims["sid"])), issued_at
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError):
        return None


def _cookie_component(method: str, **kwargs):
    """The cookie manager component ("set" or "delete") that streamlit-authenticator uses (from
    extra-streamlit-components); returns True once the browser has done `method`. Called with the
    same key on every run until then, because a rerun can cut short the run that drew it, and a
    component not drawn is dropped.

    The component function itself, not the manager class: constructing that class (as
    streamlit-authenticator's `CookieModel` does) draws a "getAll" component as well, whose report
    reruns the page once more, on every page load, and after a sign-in a second report could
    swallow what the user typed meanwhile."""
    component = _COOKIE_MANAGER_MODULE._component_func
    return component(method=method, key=f"cookie_{method}", default=False, **kwargs)


def _send_cookie(token: str) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=get_settings().cookie_expiry_hours)
    done = _cookie_component(
        "set",
        cookie=COOKIE_NAME,
        value=token,
        # Secure when the app is served over TLS (directly or behind the proxy); the browser
        # sends it only to this site (SameSite=Strict).
        options={
            "path": "/",
            "expires": expires.isoformat(),
            "sameSite": "strict",
            **({"secure": True} if _served_over_tls() else {}),
        },
    )
    if done:
        st.session_state.pop(SET_COOKIE_PENDING, None)


def _served_over_tls() -> bool:
    headers = st.context.headers or {}
    return headers.get("X-Forwarded-Proto", "").lower() == "https" or str(
        getattr(st.context, "url", "") or ""
    ).startswith("https://")


def _current_cookie() -> str | None:
    return st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None


def ensure_signed_in(now: dt.datetime | None = None) -> StaffMember | None:
    """The staff member of this browser session after checking it is still valid, else None.

    Re-validated against the database on every run (`recheck_session`), so a sign-out
    elsewhere, idleness with the tab closed or a deactivated account ends it at its next page
    load.
    """
    now = now or dt.datetime.now(dt.UTC)
    # The cookie component is drawn only below, while a cookie must be deleted or written: a
    # plain page load reads the cookie from the request and runs once.
    if st.session_state.get(DELETE_COOKIE_PENDING) and (
        _cookie_component("delete", cookie=COOKIE_NAME) or not _current_cookie()
    ):
        st.session_state.pop(DELETE_COOKIE_PENDING, None)
    staff: StaffMember | None = st.session_state.get(STAFF_KEY)
    if staff is not None:
        staff = recheck_session(now)
    elif not st.session_state.get(DELETE_COOKIE_PENDING):
        claims = read_token(_current_cookie())
        if claims is not None:
            username, session_id, issued_at = claims
            with Session(get_engine()) as session, session.begin():
                staff = staff_for_session(
                    session=session,
                    session_id=session_id,
                    username=username,
                    issued_at=issued_at,
                    idle_timeout=idle_timeout(),
                    now=now,
                )
            if staff is not None:
                _start_session(staff, session_id, issued_at)
                touch_activity(now, unattended_counts=presentation_forced(staff))
    if staff is not None:
        token = st.session_state.get(SET_COOKIE_PENDING)
        if token:
            _send_cookie(token)
    return staff


def recheck_session(now: dt.datetime | None = None) -> StaffMember | None:
    """The signed-in staff member if this browser session is still valid, else None (and the
    session is ended here, with the reason kept for the sign-in page).

    Valid means: not idle past the timeout, and the server-side session not ended (signed out
    elsewhere), not older than a password change, the account still active. Every full run
    calls it (through `ensure_signed_in`), and so does a fragment's rerun before anything else,
    as such a rerun skips app.py. Counts as activity unless a timer started the run.
    """
    now = now or dt.datetime.now(dt.UTC)
    staff: StaffMember | None = st.session_state.get(STAFF_KEY)
    if staff is None:
        return None
    if idle_expired(now):
        sign_out(idle_sign_out_message())
        return None
    session_id = st.session_state.get(SESSION_ID_KEY)
    if session_id is not None:
        with Session(get_engine()) as session, session.begin():
            staff = staff_for_session(
                session=session,
                session_id=session_id,
                username=staff.username,
                issued_at=st.session_state[SESSION_STARTED_KEY],
                idle_timeout=idle_timeout(),
                now=now,
                active=not unattended_rerun() or presentation_forced(staff),
            )
    else:
        staff = None
    if staff is None:
        clear_session()
        st.session_state[DELETE_COOKIE_PENDING] = True
        st.session_state[SIGN_OUT_NOTICE] = "Your session has ended. Please sign in again."
        return None
    st.session_state[STAFF_KEY] = staff
    touch_activity(now, unattended_counts=presentation_forced(staff))
    return staff


def signed_in_for_callback(permission: Permission) -> StaffMember | None:
    """Who may make a change from a widget's callback (Save, a concern action, Discard draft),
    or None.

    Streamlit runs a callback before the script, so before app.py checks the session: a
    callback that writes calls this first (the same `recheck_session` as every run, then the
    permission) and does nothing when it returns None. The run that follows then shows the
    sign-in page, or the page's refusal.
    """
    staff = recheck_session()
    return staff if staff is not None and allows(staff, permission) else None


def fragment_rerun() -> bool:
    """True while Streamlit reruns only a fragment (a widget inside it changed): app.py, its
    sign-in check and the page around the fragment do not run."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def require_permission_in_fragment(permission: Permission) -> StaffMember:
    """The first call inside a page's fragment. The fragment's own rerun skips app.py, so this
    makes the check every full run makes (`recheck_session`: signed out elsewhere, idle,
    password changed, account deactivated) and checks the role again; when either fails the
    whole app reruns, which shows the sign-in page (or refuses the page). In a full run app.py
    and the page's `require_permission` have just checked, so it only returns who it is."""
    staff = recheck_session() if fragment_rerun() else current_staff()
    if staff is None or not allows(staff, permission):
        st.rerun(scope="app")
    return staff


def login_page() -> None:
    """The sign-in form (and, in demo mode, the demo accounts)."""
    settings = app_settings()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Patient Relations Desk")
        st.caption(settings.facility_name)
        notice = st.session_state.get(SIGN_OUT_NOTICE)
        if not st.session_state.get(DELETE_COOKIE_PENDING):
            # Kept until the cookie is deleted: the delete component's report reruns the page,
            # and the notice would vanish a moment after it appeared.
            st.session_state.pop(SIGN_OUT_NOTICE, None)
        if notice:
            st.info(notice)
        with st.form("sign_in_form"):
            st.subheader("Sign in")
            username = st.text_input("Username", key="sign_in_username", autocomplete="username")
            password = st.text_input(
                "Password",
                type="password",
                key="sign_in_password",
                autocomplete="current-password",
            )
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            _submit_sign_in(username, password)
        if settings.demo_mode:
            st.divider()
            st.markdown(f"**Demo accounts** (password `{DEMO_PASSWORD}`)")
            st.table(
                {
                    "Username": [u.username for u in DEMO_USERS],
                    "Role": [", ".join(u.roles) for u in DEMO_USERS],
                    "Who": [f"{u.display_name}, {u.job_title}" for u in DEMO_USERS],
                }
            )


def _submit_sign_in(username: str, password: str) -> None:
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return
    problem = text_problem(username, MAX_SEARCH_TEXT) or text_problem(password, MAX_SEARCH_TEXT)
    if problem:
        st.error(FAILED_LOGIN_MESSAGE)
        return
    now = dt.datetime.now(dt.UTC)
    with Session(get_engine()) as session, session.begin():
        staff = authenticate(session=session, username=username, password=password, now=now)
        if staff is not None:
            session_id = start_session(session=session, user_id=staff.id, now=now)
    if staff is None:
        st.error(FAILED_LOGIN_MESSAGE)
        return
    issued_at = now.replace(microsecond=0)
    _start_session(staff, session_id, issued_at)
    # Sent by every following run until the browser confirms it has the cookie.
    st.session_state[SET_COOKIE_PENDING] = issue_token(staff, session_id, issued_at)
    st.session_state.pop("sign_in_password", None)
    # Without this rerun the first submit would seem to do nothing: the menu for the role only
    # appears on the next run.
    st.rerun()

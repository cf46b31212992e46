"""Patient Relations Desk: the router.

Page config, sign-in, then only the pages the signed-in staff member's roles allow are registered
with st.navigation; a page left out cannot be opened at all (each page checks the role again).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from components.account import password_change_form, password_changed_notice
from components.facility import app_settings
from components.login import ensure_signed_in, login_page
from components.navigation import PAGES, pages_for
from components.session import get_engine
from components.shell import database_unavailable, require_permission
from db.account import password_change_required
from db.permissions import Permission, allows
from db.settings import ConfigurationError

ROOT = Path(__file__).resolve().parent


def _show_only(draw) -> None:
    """A run that shows one message still calls st.navigation: a run without it would make
    Streamlit fall back to listing every file in pages/."""
    st.navigation([st.Page(draw, title="Patient Relations Desk", url_path="notice")]).run()


def _addresses_without_a_menu_entry(roles: frozenset[str]) -> list:
    """Hidden pages so that every address of the app opens something instead of Streamlit's
    "Page not found" pop-up. The root shows the landing page, whose own address then works too
    (Streamlit serves the default page only at the root and refuses its address), and a page
    the role may not open says so."""
    landing = next(spec for specs in pages_for(roles).values() for spec in specs)
    hidden = [
        st.Page(
            # The landing page itself, drawn at the root (no redirect: the run right after
            # sign-in must finish, as it hands the browser its sign-in cookie).
            lambda: runpy.run_path(str(ROOT / landing.path), run_name="__main__"),
            title=landing.title,
            url_path="start",
            default=True,
            visibility="hidden",
        )
    ]
    for spec in PAGES:
        if not allows(roles, spec.permission):
            hidden.append(
                st.Page(
                    lambda title=spec.title: _not_for_your_role(title),
                    title=spec.title,
                    url_path=spec.url_path,
                    visibility="hidden",
                )
            )
    return hidden


def _not_for_your_role(title: str) -> None:
    st.title(title)
    st.error("Your role does not give access to this page.")
    st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")


def _password_change_due(staff) -> bool:
    with Session(get_engine()) as session:
        return password_change_required(session=session, user_id=staff.id)


def _choose_password() -> None:
    """The only page after an administrator's reset, until the person sets their own password."""
    staff = require_permission(Permission.SIGNS_IN)
    st.title("Choose your password")
    password_change_form(staff, forced=True)


def main() -> None:
    settings = app_settings()
    st.set_page_config(
        page_title=f"Patient Relations Desk · {settings.facility_name}",
        page_icon=":material/support_agent:",
        layout="wide",
    )
    try:
        settings.require_cookie_key()
        staff = ensure_signed_in()
    except ConfigurationError as error:
        message = f"Patient Relations Desk is not configured safely: {error}"
        _show_only(lambda: st.error(message))
        return
    except OperationalError as error:
        unavailable = error
        _show_only(lambda: database_unavailable(unavailable))
        return
    if staff is None:
        # Every page's address leads to the sign-in form, so a bookmarked or shared link opens
        # that page right after signing in instead of "page not found".
        sign_in = [st.Page(login_page, title="Sign in", icon=":material/login:", default=True)]
        sign_in += [st.Page(login_page, title="Sign in", url_path=spec.url_path) for spec in PAGES]
        navigation = st.navigation(sign_in, position="hidden")
    elif _password_change_due(staff):
        # Every address leads to the same step, so no page opens before a new password is set.
        forced = [st.Page(_choose_password, title="Choose your password", default=True)]
        forced += [
            st.Page(_choose_password, title="Choose your password", url_path=spec.url_path)
            for spec in PAGES
        ]
        navigation = st.navigation(forced, position="hidden")
    else:
        password_changed_notice()
        sections = {
            section: [
                st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
                for spec in specs
            ]
            for section, specs in pages_for(staff.roles).items()
        }
        navigation = st.navigation({**sections, "": _addresses_without_a_menu_entry(staff.roles)})

    try:
        navigation.run()
    except OperationalError as error:
        database_unavailable(error)


if __name__ == "__main__":  # streamlit runs this file as __main__
    main()

"""Patient Relations Desk: the router.

Page config, sign-in, then only the pages the signed-in staff member's roles allow are registered
with st.navigation; a page left out cannot be opened at all (each page checks the role again).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import OperationalError

from components.login import ensure_signed_in, login_page, sign_out
from components.safe import escape_markdown
from components.shell import PRESENTING_KEY, database_unavailable, presentation_forced
from db.settings import get_settings


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    roles: tuple[str, ...]
    section: str


# Every page of the app, with the roles that may open it (SPEC section 2).
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/home.py",
        "Home",
        ":material/home:",
        "home",
        ("executive", "manager", "leadership", "admin"),
        "Desk",
    ),
)


def pages_for(roles: frozenset[str] | set[str]) -> dict[str, list[PageSpec]]:
    """Section -> pages that a person holding `roles` may open, in menu order."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if set(spec.roles) & set(roles):
            sections.setdefault(spec.section, []).append(spec)
    return sections


def main() -> None:
    settings = get_settings()
    st.set_page_config(
        page_title=f"Patient Relations Desk · {settings.facility_name}",
        page_icon=":material/support_agent:",
        layout="wide",
    )
    try:
        staff = ensure_signed_in()
    except OperationalError as error:
        database_unavailable(error)
        return
    if staff is None:
        st.navigation([st.Page(login_page, title="Sign in", icon=":material/login:")]).run()
        return

    navigation = st.navigation(
        {
            section: [
                st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
                for spec in specs
            ]
            for section, specs in pages_for(staff.roles).items()
        }
    )
    with st.sidebar:
        st.markdown(f"**{escape_markdown(staff.display_name)}**")
        st.caption(f"{', '.join(sorted(staff.roles))} · {settings.facility_name}")
        if presentation_forced(staff):
            st.caption("Presentation mode is always on for leadership.")
        else:
            st.toggle("Presentation mode", key=PRESENTING_KEY, help="Hide patient-identifying data")
        if st.button("Sign out", key="sign_out_button", icon=":material/logout:"):
            sign_out("You have signed out.")
            st.rerun()
    try:
        navigation.run()
    except OperationalError as error:
        database_unavailable(error)


main()

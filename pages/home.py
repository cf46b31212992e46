"""Home: who is signed in, with which roles, at which facility, and where to go next."""

import streamlit as st

from components.facility import app_settings
from components.navigation import pages_for
from components.safe import show_heading, show_line
from components.shell import require_permission
from db.permissions import Permission

staff = require_permission(Permission.SIGNS_IN)
settings = app_settings()

show_heading(f"Good to see you, {staff.display_name}", level=1)
show_line(f"{settings.facility_name} · Patient Relations Desk")
st.markdown("Your roles: " + ", ".join(sorted(staff.roles)))
for section, specs in pages_for(staff.roles).items():
    others = [spec for spec in specs if spec.path != "pages/home.py"]
    if others:
        st.subheader(section)
        for spec in others:
            st.page_link(spec.path, label=spec.title, icon=spec.icon)
st.caption(f"Times are shown in {settings.facility_tz_name}.")

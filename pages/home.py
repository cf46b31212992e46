"""Home: who is signed in, with which roles, at which facility."""

import streamlit as st

from components.safe import escape_markdown
from components.shell import require_roles
from db.settings import get_settings

staff = require_roles("executive", "manager", "leadership", "admin")
settings = get_settings()

st.title(f"Good to see you, {escape_markdown(staff.display_name)}")
st.write(f"**{settings.facility_name}** · Patient Relations Desk")
st.write("Your roles: " + ", ".join(sorted(staff.roles)))
st.caption(f"Times are shown in {settings.facility_tz_name}.")

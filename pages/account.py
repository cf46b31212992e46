"""My account: change your own password."""

import streamlit as st

from components.account import password_change_form
from components.safe import escape_markdown
from components.shell import require_roles
from db.models import ROLES

staff = require_roles(*ROLES)
st.title("My account")
st.markdown(f"**{escape_markdown(staff.display_name)}** · {escape_markdown(staff.username)}")
st.subheader("Change your password")
password_change_form(staff, forced=False)

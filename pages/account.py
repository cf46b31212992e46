"""My account: what your roles let you do, and changing your own password."""

import streamlit as st

from components.account import password_change_form
from components.safe import escape_markdown
from components.shell import require_permission
from db.permissions import Permission, permissions_of

staff = require_permission(Permission.SIGNS_IN)
st.title("My account")
st.markdown(f"**{escape_markdown(staff.display_name)}** · {escape_markdown(staff.username)}")
# Fixed sentences from db.permissions, never user text.
may = [p.value for p in Permission if p in permissions_of(staff) and p != Permission.SIGNS_IN]
st.caption("Your roles (" + ", ".join(sorted(staff.roles)) + ") let you: " + "; ".join(may) + ".")
st.subheader("Change your password")
password_change_form(staff, forced=False)

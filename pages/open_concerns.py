"""Open concerns: the worklist, and one concern's detail and actions (?concern=<id>)."""

import datetime as dt

import streamlit as st
from sqlalchemy.orm import Session

from components import concern_views as views
from components import url_state
from components.concern_actions import ActionContext, action_panel
from components.facility import app_settings
from components.openings import forget_opening, is_new_opening, remember_opening
from components.safe import show_notice
from components.shell import get_engine, presentation_mode, require_permission
from components.wording import counted
from components.worklist import worklist_filters, worklist_table
from db.concerns import concern_detail, may_act, open_concerns
from db.permissions import Permission, allows
from db.reference import active_categories, active_departments
from db.users import list_staff
from db.validation import InvalidInput

staff = require_permission(Permission.WORKS_CONCERNS)
tz = app_settings().facility_tz
presenting = presentation_mode()
now = dt.datetime.now(dt.UTC)

with Session(get_engine()) as session:
    departments = active_departments(session=session)
    categories = active_categories(session=session)
    owners = {
        s.id: s.display_name
        for s in list_staff(session=session)
        if allows(s, Permission.WORKS_CONCERNS)
    }

flash = st.session_state.pop("concern_flash", None)
if flash:
    show_notice("success", flash)

concern_id = url_state.whole_number(st.query_params, "concern")
if concern_id is None:
    forget_opening("concern")
else:
    if st.button("← Back to the worklist", key="back_to_worklist"):
        st.switch_page(
            "pages/open_concerns.py", query_params=st.session_state.get("worklist_params", {})
        )
    # Presenting hides the patient: turning it off shows the patient, a new opening of them.
    opening = is_new_opening("concern", (concern_id, presenting))
    with Session(get_engine()) as session, session.begin():
        try:
            detail = concern_detail(
                session=session,
                staff=staff,
                concern_id=concern_id,
                shows_patient=not presenting,
                opening=opening,
            )
        except PermissionError as refused:
            st.error(str(refused))
            st.stop()
    if detail is None:
        st.error(f"There is no concern #{concern_id}.")
        st.stop()
    remember_opening("concern", (concern_id, presenting))
    conflict = st.session_state.pop(f"conflict_{concern_id}", None)
    if conflict:
        lines = [f"- {field}: {before} → {after}" for field, before, after in conflict]
        show_notice(
            "warning",
            "Someone else changed this concern while you were working on it, so your action "
            "was not saved. What changed:\n" + "\n".join(lines) + "\n\nYour text is still in "
            "the form: check the concern below and save again.",
        )
    views.concern_summary(detail, now, tz, show_phi=not presenting)
    st.markdown("**Issues**")
    views.issues_table(detail)
    if not presenting and may_act(staff, detail.owner_id):
        # The concern as drawn here is what the user's next action is checked against.
        action_panel(ActionContext(detail, staff, departments, owners, categories, tz, now))
    st.markdown("**Timeline** (newest first)")
    views.timeline_table(detail, tz, show_phi=not presenting)
    views.back_returns_to_worklist(concern_id, st.session_state.get("worklist_params", {}))
    st.stop()

st.title("Open concerns")
filters = worklist_filters(departments, owners)
try:
    with Session(get_engine()) as session, session.begin():
        rows = open_concerns(session=session, staff=staff, filters=filters, now=now)
except InvalidInput as refused:
    st.error(refused.errors["text"], icon=":material/error:")
    st.stop()
overdue = sum(r.overdue(now) for r in rows)
st.caption(
    f"{counted(len(rows), 'concern')} shown{' (the first 200)' if len(rows) == 200 else ''}, "
    f"{overdue} overdue · soonest due first · times in {tz.key}. Select a row to open it."
)
# st.dataframe always offers a CSV download: summaries only for roles that may export.
# Selecting a row opens the concern (its callback moves the address before the next run).
worklist_table(rows, now, tz, presenting, may_export=allows(staff, Permission.EXPORTS))

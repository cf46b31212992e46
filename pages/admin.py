"""Admin: staff accounts, departments, categories, SLA targets and holidays, encounter volumes,
the facility's name and time zone, the audit log.

Every change takes effect at once (the app reads these from the database on each use) and is
written to the audit log with its before and after values.
"""

import datetime as dt

import streamlit as st

from components.admin_audit import audit_section
from components.admin_facility import facility_section
from components.admin_forms import show_flash
from components.admin_lists import categories_section, departments_section
from components.admin_sla import sla_section
from components.admin_surveys import surveys_section
from components.admin_users import users_section
from components.admin_volumes import volumes_section
from components.facility import app_settings
from components.shell import require_permission
from db.permissions import Permission

SECTIONS = (
    "Users",
    "Departments",
    "Categories",
    "SLA targets",
    "Encounter volumes",
    "Surveys",
    "Facility",
    "Audit log",
)

staff = require_permission(Permission.ADMINISTERS)
tz = app_settings().facility_tz
now = dt.datetime.now(dt.UTC)
st.title("Admin")
# A segmented control, not st.tabs: tabs forget the open tab when a save reruns the page.
section = st.segmented_control(
    "Section", SECTIONS, default=SECTIONS[0], key="admin_section", label_visibility="collapsed"
)
show_flash()
if section == "Users" or section is None:
    users_section(staff, tz, now)
elif section == "Departments":
    departments_section(staff)
elif section == "Categories":
    categories_section(staff)
elif section == "SLA targets":
    sla_section(staff, now.astimezone(tz).date())
elif section == "Encounter volumes":
    volumes_section(staff, now.astimezone(tz).date())
elif section == "Surveys":
    surveys_section(staff)
elif section == "Facility":
    facility_section(staff)
else:
    audit_section(staff, tz, now.astimezone(tz).date())

"""The Open concerns worklist: its filters, held in the URL, and the table to pick a concern from.

The filters start from the URL and are written back after drawing (components/url_state.py), so
a bookmarked or shared link opens the same list.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from components import url_state
from components.form_helpers import clear_form, versioned_key
from components.phi import initials, mrn_tail
from components.wording import shortened
from db import concerns as c
from db.models import CONCERN_TYPES, OPEN_STATUSES, SEVERITIES
from db.sla import time_left

UNASSIGNED = -1  # the "Unassigned" owner choice (staff ids start at 1)


def worklist_filters(departments: dict[int, str], owners: dict[int, str]) -> c.WorklistFilters:
    """Draw the filters, starting from the URL, and write them back so a link reproduces them."""
    params = st.query_params
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(
        "Status",
        OPEN_STATUSES,
        default=url_state.listed(params, "status", OPEN_STATUSES),
        key="wl_status",
    )
    types = c2.multiselect(
        "Type",
        CONCERN_TYPES,
        default=url_state.listed(params, "type", CONCERN_TYPES),
        key="wl_type",
    )
    severities = c3.multiselect(
        "Severity",
        SEVERITIES,
        default=url_state.listed(params, "severity", SEVERITIES),
        key="wl_severity",
    )
    dept_ids = [None, *departments]
    department_id = c4.selectbox(
        "Department",
        dept_ids,
        index=dept_ids.index(url_state.one_of(params, "dept", departments, None)),
        format_func=lambda i: "All departments" if i is None else departments[i],
        key="wl_dept",
    )
    c1, c2, c3 = st.columns([1, 2, 1])
    owner_ids = [None, UNASSIGNED, *owners]
    owner_id = c1.selectbox(
        "Owner",
        owner_ids,
        index=owner_ids.index(url_state.one_of(params, "owner", owner_ids[1:], None)),
        format_func=lambda i: {None: "Anyone", UNASSIGNED: "Unassigned"}.get(i) or owners[i],
        key="wl_owner",
    )
    text = c2.text_input("Text in summary", value=url_state.text(params, "q"), key="wl_text")
    overdue = c3.toggle("Overdue only", value=url_state.flag(params, "overdue"), key="wl_overdue")
    url_state.update_url(
        {
            "status": url_state.joined(statuses),
            "type": url_state.joined(types),
            "severity": url_state.joined(severities),
            "dept": str(department_id or ""),
            "owner": str(owner_id or ""),
            "q": text.strip(),
            "overdue": "1" if overdue else "",
        }
    )
    return c.WorklistFilters(
        statuses=tuple(statuses),
        types=tuple(types),
        severities=tuple(severities),
        department_id=department_id,
        owner_id=owner_id if owner_id != UNASSIGNED else None,
        unassigned_only=owner_id == UNASSIGNED,
        overdue_only=overdue,
        text=text,
    )


def worklist_table(
    rows: list[c.WorklistRow],
    now: dt.datetime,
    tz: ZoneInfo,
    presenting: bool,
    may_export: bool = True,
) -> None:
    """The worklist, overdue rows marked. Selecting a row opens its concern (`_open_selected`,
    before the next run, so that one run draws the concern)."""
    frame = pd.DataFrame(
        {
            "#": [r.id for r in rows],
            "Due": [
                r.due_at.astimezone(tz).strftime("%a %d %b %H:%M") if r.due_at else "no clock"
                for r in rows
            ],
            "Time left": [
                ("⚠ " if r.overdue(now) else "") + time_left(r.due_at, now) for r in rows
            ],
            "Type": [r.type for r in rows],
            "Severity": [r.severity for r in rows],
            "Status": [r.status.replace("_", " ") for r in rows],
            "Department": [r.department or "—" for r in rows],
            "Owner": [r.owner or "Unassigned" for r in rows],
        }
    )
    if not presenting:
        # Identifying details stay masked in the list (it can be downloaded); the detail shows
        # them, audited, to the roles that need them.
        frame["Patient"] = [
            f"{initials(r.given_name, r.family_name)} {mrn_tail(r.mrn)}".strip() for r in rows
        ]
        if may_export:
            # Right after the times: what the concern is about stays in view on a laptop
            # screen; the columns after it scroll.
            frame.insert(3, "Summary", [shortened(r.summary, 70) for r in rows])
    overdue = [r.overdue(now) for r in rows]
    styled = frame.style.apply(
        lambda row: (
            ["background-color: #fde2e1; color: #8a1c12" if overdue[row.name] else ""] * len(row)
        ),
        axis=1,
    )
    ids = [r.id for r in rows]
    key = versioned_key("wl_table")
    st.dataframe(
        styled,
        hide_index=True,
        on_select=lambda: _open_selected(key, ids),
        selection_mode="single-row",
        # A fresh key after each pick: a selection the browser still remembers (Back) must not
        # open the same concern again.
        key=key,
        column_config={
            "#": st.column_config.NumberColumn(format="%d", width="small"),
            "Summary": st.column_config.TextColumn(width=280),
        },
    )


def _open_selected(key: str, ids: list[int]) -> None:
    """The row selection's callback, run before the script: the address moves to the concern
    (a new page in the browser's history, so Back returns to the worklist as it was) and the
    run that follows draws the concern straight away, with no second run."""
    event = st.session_state.get(key)
    picked = event.selection.rows if event else []
    if not picked or picked[0] >= len(ids):
        return
    st.session_state["worklist_params"] = st.query_params.to_dict()
    clear_form("wl_table")
    st.query_params.from_dict({"concern": str(ids[picked[0]])})

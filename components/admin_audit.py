"""Admin › Audit log: filters, newest-first pages, "everything this person did to this record",
and an audited CSV export of the filtered rows."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.orm import Session

from components.session import get_engine
from db.admin_audit import AUDIT_ENTITIES, AuditFilter, audit_entries, export_audit_csv
from db.admin_users import user_accounts
from db.models import AUDIT_ACTIONS
from db.users import StaffMember
from db.validation import InvalidInput

KEYS = {
    "user_id": "audit_user",
    "action": "audit_action",
    "entity": "audit_entity",
    "entity_id": "audit_entity_id",
    "since": "audit_since",
    "until": "audit_until",
    "text": "audit_text",
}
PAGES_KEY = "audit_pages"  # the `after` cursor of every page opened so far
FILTER_SEEN_KEY = "audit_filter_seen"
EXPORT_KEY = "audit_export"


def _focus(user_id: int | None, entity: str, entity_id: str) -> None:
    """Narrow the log to one person and one record (the privacy officer's question)."""
    st.session_state[KEYS["user_id"]] = user_id
    st.session_state[KEYS["entity"]] = entity
    st.session_state[KEYS["entity_id"]] = entity_id
    st.session_state[KEYS["action"]] = None
    st.session_state[KEYS["text"]] = ""


def audit_section(actor: StaffMember, tz: ZoneInfo, today: dt.date) -> None:
    """The Audit log tab."""
    with Session(get_engine()) as session:
        people = {a.id: f"{a.display_name} ({a.username})" for a in user_accounts(session=session)}
    st.session_state.setdefault(KEYS["since"], today - dt.timedelta(days=30))
    st.session_state.setdefault(KEYS["until"], today)
    top = st.columns([2, 1.3, 1.3, 1])
    user_id = top[0].selectbox(
        "Person",
        [None, *people],
        format_func=lambda i: "Anyone" if i is None else people[i],
        key=KEYS["user_id"],
    )
    action = top[1].selectbox(
        "Action", [None, *AUDIT_ACTIONS], format_func=lambda a: a or "Any", key=KEYS["action"]
    )
    entity = top[2].selectbox(
        "Record", [None, *AUDIT_ENTITIES], format_func=lambda e: e or "Any", key=KEYS["entity"]
    )
    entity_id = top[3].text_input("Record id", key=KEYS["entity_id"])
    bottom = st.columns([1, 1, 2.6])
    since = bottom[0].date_input("From", key=KEYS["since"], format="YYYY-MM-DD")
    until = bottom[1].date_input("To", key=KEYS["until"], format="YYYY-MM-DD")
    text = bottom[2].text_input("Text in the detail", key=KEYS["text"])
    filters = AuditFilter(
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_id.strip() or None,
        since=since,
        until=until,
        text=text,
    )
    if st.session_state.get(FILTER_SEEN_KEY) != filters:
        st.session_state[FILTER_SEEN_KEY] = filters
        st.session_state[PAGES_KEY] = [None]
        st.session_state.pop(EXPORT_KEY, None)
    pages = st.session_state[PAGES_KEY]
    try:
        with Session(get_engine()) as session:
            page = audit_entries(session=session, filters=filters, tz=tz, after=pages[-1])
    except InvalidInput as refused:
        for message in refused.errors.values():
            st.error(message, icon=":material/error:")
        return
    _table(page.entries, tz, people, len(pages))
    nav = st.columns([1, 1, 4])
    if nav[0].button("Newer", disabled=len(pages) == 1, key="audit_newer"):
        pages.pop()
        st.rerun()
    if nav[1].button("Older", disabled=page.next_after is None, key="audit_older"):
        pages.append(page.next_after)
        st.rerun()
    _export(actor, filters, tz)


def _table(entries, tz: ZoneInfo, people: dict[int, str], page_number: int) -> None:
    table = st.dataframe(
        {
            "When": [e.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") for e in entries],
            "Who": [e.username for e in entries],
            "Action": [e.action for e in entries],
            "Record": [e.entity or "" for e in entries],
            "Id": [e.entity_id or "" for e in entries],
            "Detail": [json.dumps(e.detail, sort_keys=True) if e.detail else "" for e in entries],
        },
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"audit_table_{page_number}_{entries[0].id if entries else 0}",
        width="stretch",
    )
    shown = f"Page {page_number}, {len(entries)} row{'s' if len(entries) != 1 else ''}"
    st.caption(f"{shown}, newest first. Select a row to follow that person and record.")
    picked = table.selection.rows if table and table.selection else []
    if picked:
        entry = entries[picked[0]]
        if entry.entity and entry.entity_id:
            who = people.get(entry.user_id, entry.username)
            st.button(
                f"Everything {who} did to {entry.entity} {entry.entity_id} in these dates",
                on_click=_focus,
                args=(entry.user_id, entry.entity, entry.entity_id),
                key="audit_focus",
                icon=":material/manage_search:",
            )


def _export(actor: StaffMember, filters: AuditFilter, tz: ZoneInfo) -> None:
    if st.button(
        "Prepare CSV of these rows", key="audit_prepare_export", icon=":material/download:"
    ):
        with Session(get_engine()) as session, session.begin():
            data, count, truncated = export_audit_csv(
                session=session, actor=actor, filters=filters, tz=tz
            )
        st.session_state[EXPORT_KEY] = (data, count, truncated)
    prepared = st.session_state.get(EXPORT_KEY)
    if prepared:
        data, count, truncated = prepared
        st.download_button(
            f"Download CSV ({count:,} rows)",
            data,
            file_name="audit-log.csv",
            mime="text/csv",
            key="audit_download",
        )
        if truncated:
            st.warning("The export holds the newest rows only; narrow the dates for the rest.")
        st.caption("The export is itself in the audit log, with its filters and checksum.")

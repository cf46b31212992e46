"""Admin › Departments and Categories: add, rename, reorder, deactivate (nothing is deleted)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots, flash
from components.safe import escape_markdown
from components.session import get_engine
from db.admin_reference import (
    ReferenceItem,
    add_category,
    add_department,
    categories_for_admin,
    departments_for_admin,
    move,
    rename,
    set_active,
)
from db.models import CATEGORY_DOMAINS, Category, Department
from db.users import StaffMember
from db.validation import InvalidInput


def departments_section(actor: StaffMember) -> None:
    """The Departments tab."""
    with Session(get_engine()) as session:
        items = departments_for_admin(session=session)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _list(Department, "department", items)
    with right:
        _edit(actor, Department, "department", items)
    st.subheader("Add a department")
    slots = FieldSlots()
    with st.form(f"admin_add_department_{_version()}"):
        name = st.text_input("Name")
        slots.under("name")
        added = st.form_submit_button("Add department", type="primary")
    if added:
        _save(slots, lambda s: add_department(session=s, actor=actor, name=name), "Added.")


def categories_section(actor: StaffMember) -> None:
    """The Categories tab (the HCAT domains and their categories)."""
    with Session(get_engine()) as session:
        items = categories_for_admin(session=session)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _list(Category, "category", items)
    with right:
        _edit(actor, Category, "category", items)
    st.subheader("Add a category")
    slots = FieldSlots()
    with st.form(f"admin_add_category_{_version()}"):
        domain = st.selectbox("Domain", CATEGORY_DOMAINS, format_func=str.title)
        slots.under("domain")
        name = st.text_input("Name")
        slots.under("name")
        description = st.text_input("What it covers (optional)")
        added = st.form_submit_button("Add category", type="primary")
    if added:
        _save(
            slots,
            lambda s: add_category(
                session=s, actor=actor, domain=domain, name=name, description=description
            ),
            "Added.",
        )


def _list(model, noun: str, items: list[ReferenceItem]) -> None:
    columns = {"Position": list(range(1, len(items) + 1))}
    if model is Category:
        columns["Domain"] = [(i.domain or "").title() for i in items]
    columns |= {
        "Name": [i.name for i in items],
        "Active": [i.active for i in items],
        "Used on records": [i.used for i in items],
    }
    if model is Category:
        columns["What it covers"] = [i.description for i in items]
    st.dataframe(columns, hide_index=True, width="stretch", height=min(38 + 35 * len(items), 420))
    st.caption(
        f"Deactivating a {noun} takes it out of the pickers; records that use it keep it, and "
        "reports of past periods still show it. Nothing here is ever deleted."
    )


def _edit(actor, model, noun: str, items: list[ReferenceItem]) -> None:
    if not items:
        return
    st.subheader(f"Change a {noun}")
    by_id = {i.id: i for i in items}
    chosen = st.selectbox(
        noun.title(),
        list(by_id),
        format_func=lambda i: by_id[i].name + ("" if by_id[i].active else " (inactive)"),
        key=f"admin_pick_{noun}",
    )
    item = by_id[chosen]
    slots = FieldSlots()
    with st.form(f"admin_rename_{noun}_{item.id}"):
        name = st.text_input("Name", value=item.name)
        slots.under("name")
        description = None
        if model is Category:
            description = st.text_input("What it covers", value=item.description)
        renamed = st.form_submit_button("Rename")
    if renamed:
        _save(
            slots,
            lambda s: rename(
                session=s,
                actor=actor,
                model=model,
                item_id=item.id,
                name=name,
                description=description,
            ),
            "Renamed.",
        )
    action_slot = st.empty()
    up, down, toggle = st.columns(3, gap="small")
    if up.button("Up", key=f"admin_up_{noun}", icon=":material/arrow_upward:"):
        _act(
            action_slot,
            lambda s: move(session=s, actor=actor, model=model, item_id=item.id, steps=-1),
        )
    if down.button("Down", key=f"admin_down_{noun}", icon=":material/arrow_downward:"):
        _act(
            action_slot,
            lambda s: move(session=s, actor=actor, model=model, item_id=item.id, steps=1),
        )
    label = "Deactivate" if item.active else "Reactivate"
    if toggle.button(label, key=f"admin_toggle_{noun}"):
        _act(
            action_slot,
            lambda s: set_active(
                session=s, actor=actor, model=model, item_id=item.id, active=not item.active
            ),
            f"{label}d {escape_markdown(item.name)}.",
        )


FORM_VERSION = "admin_list_form_version"


def _version() -> int:
    return st.session_state.get(FORM_VERSION, 0)


def _save(slots: FieldSlots, action, message: str) -> None:
    try:
        with Session(get_engine()) as session, session.begin():
            action(session)
    except InvalidInput as refused:
        slots.show(refused)
        return
    st.session_state[FORM_VERSION] = _version() + 1  # empty "add" forms after a save
    flash(message)
    st.rerun()


def _act(slot, action, message: str = "Saved.") -> None:
    try:
        with Session(get_engine()) as session, session.begin():
            action(session)
    except InvalidInput as refused:
        slot.error(" ".join(refused.errors.values()), icon=":material/error:")
        return
    flash(message)
    st.rerun()

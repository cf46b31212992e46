"""Admin › Users: the list, adding a person, and the actions on one account."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots, flash
from components.safe import escape_markdown
from components.session import get_engine
from db.admin_users import (
    UserAccount,
    create_account,
    reset_password,
    set_account_active,
    unlock_account,
    update_account,
    user_accounts,
)
from db.models import ROLES
from db.reference import active_departments
from db.users import MIN_PASSWORD_LENGTH, StaffMember
from db.validation import InvalidInput

ONE_TIME_KEY = "admin_one_time_password"
ADD_FORM_VERSION = "admin_add_user_version"
SELECTED_USER = "admin_selected_user"


def _when(value: dt.datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def users_section(actor: StaffMember, tz: ZoneInfo, now: dt.datetime) -> None:
    """The Users tab."""
    _show_one_time_password()
    with Session(get_engine()) as session:
        accounts = user_accounts(session=session)
        departments = active_departments(session=session)
    st.subheader("Staff accounts")
    table = st.dataframe(
        {
            "Username": [a.username for a in accounts],
            "Name": [a.display_name for a in accounts],
            "Email": [a.email or "" for a in accounts],
            "Roles": [", ".join(a.roles) for a in accounts],
            "Home department": [a.home_department or "" for a in accounts],
            "Active": [a.active for a in accounts],
            "Last sign-in": [_when(a.last_login_at, tz) for a in accounts],
            "Locked until": [
                _when(a.locked_until, tz) if a.locked_until and a.locked_until > now else ""
                for a in accounts
            ],
            "New password due": [a.must_change_password for a in accounts],
        },
        hide_index=True,
        height=min(38 + 35 * len(accounts), 320),
        on_select="rerun",
        selection_mode="single-row",
        # Keyed by the list's order: a selection never points at another person after a change.
        key=f"admin_users_table_{'-'.join(str(a.id) for a in accounts)}",
        width="stretch",
    )
    plural = "account" if len(accounts) == 1 else "accounts"
    st.caption(f"{len(accounts)} {plural}. Select a row to edit that account.")
    picked = table.selection.rows if table and table.selection else []
    left, right = st.columns(2, gap="large")
    with left:
        if picked:
            _account_panel(actor, accounts[picked[0]], departments, tz, now)
        else:
            st.info("Select an account in the list to edit it, reset its password or unlock it.")
    with right:
        _add_user_form(actor, departments)


def _show_one_time_password() -> None:
    shown = st.session_state.pop(ONE_TIME_KEY, None)
    if shown:
        username, password = shown
        st.warning(
            f"One-time password for **{escape_markdown(username)}**, shown only this once. "
            "Hand it over in person or by phone; they choose their own password at sign-in.",
            icon=":material/key:",
        )
        st.code(password, language=None)


def _department_picker(label: str, departments: dict[int, str], current: int | None, key: str):
    options = [None, *departments]
    if current is not None and current not in departments:
        options.append(current)  # a deactivated home department stays visible on its account
    return st.selectbox(
        label,
        options,
        index=options.index(current),
        format_func=lambda d: "— none —" if d is None else departments.get(d, f"(inactive #{d})"),
        key=key,
    )


def _add_user_form(actor: StaffMember, departments: dict[int, str]) -> None:
    st.subheader("Add a person")
    version = st.session_state.get(ADD_FORM_VERSION, 0)
    slots = FieldSlots()
    with st.form(f"admin_add_user_{version}"):
        username = st.text_input("Username", help="Lower-case letters, digits, . _ -")
        slots.under("username")
        display_name = st.text_input("Full name")
        slots.under("display_name")
        email = st.text_input("Email (optional)")
        slots.under("email")
        roles = st.multiselect("Roles", ROLES)
        slots.under("roles")
        home = _department_picker("Home department", departments, None, f"add_home_{version}")
        slots.under("home_department_id")
        typed = st.text_input(
            "Password (optional)",
            type="password",
            help=f"Leave empty to generate a one-time password. "
            f"A typed one needs at least {MIN_PASSWORD_LENGTH} characters.",
            autocomplete="new-password",
        )
        slots.under("password")
        submitted = st.form_submit_button("Add person", type="primary")
    if not submitted:
        return
    try:
        with Session(get_engine()) as session, session.begin():
            _, one_time = create_account(
                session=session,
                actor=actor,
                username=username,
                display_name=display_name,
                email=email,
                roles=roles,
                home_department_id=home,
                password=typed or None,
            )
    except InvalidInput as refused:
        slots.show(refused)
        return
    st.session_state[ADD_FORM_VERSION] = version + 1  # an empty form for the next person
    if one_time:
        st.session_state[ONE_TIME_KEY] = (username.strip().lower(), one_time)
    flash(f"Added {escape_markdown(display_name.strip())}. They set their own password at sign-in.")
    st.rerun()


def _account_panel(
    actor: StaffMember,
    account: UserAccount,
    departments: dict[int, str],
    tz: ZoneInfo,
    now: dt.datetime,
) -> None:
    st.subheader(f"Edit {escape_markdown(account.username)}")
    slots = FieldSlots()
    with st.form(f"admin_edit_user_{account.id}"):
        display_name = st.text_input("Full name", value=account.display_name)
        slots.under("display_name")
        email = st.text_input("Email (optional)", value=account.email or "")
        slots.under("email")
        roles = st.multiselect("Roles", ROLES, default=list(account.roles))
        slots.under("roles")
        home = _department_picker(
            "Home department", departments, account.home_department_id, f"edit_home_{account.id}"
        )
        slots.under("home_department_id")
        saved = st.form_submit_button("Save changes", type="primary")
    if saved:
        try:
            with Session(get_engine()) as session, session.begin():
                changed = update_account(
                    session=session,
                    actor=actor,
                    user_id=account.id,
                    display_name=display_name,
                    email=email,
                    roles=roles,
                    home_department_id=home,
                )
        except InvalidInput as refused:
            slots.show(refused)
        else:
            flash("Saved." if changed else "Nothing changed.")
            st.rerun()
    action_slot = st.empty()
    cols = st.columns(3)
    label = "Deactivate" if account.active else "Reactivate"
    if cols[0].button(label, key=f"admin_active_{account.id}", icon=":material/person_off:"):
        _run(
            action_slot,
            lambda s: set_account_active(
                session=s, actor=actor, user_id=account.id, active=not account.active, now=now
            ),
            f"{label}d {escape_markdown(account.username)}."
            + (" Their sessions have ended." if account.active else ""),
        )
    if cols[1].button("Reset password", key=f"admin_reset_{account.id}", icon=":material/key:"):
        result = _run(
            action_slot,
            lambda s: reset_password(session=s, actor=actor, user_id=account.id, now=now),
            f"Password reset for {escape_markdown(account.username)}; their sessions have ended.",
            rerun=False,
        )
        if result:
            st.session_state[ONE_TIME_KEY] = (account.username, result)
            st.rerun()
    locked = account.locked_until is not None and account.locked_until > now
    if cols[2].button(
        "Unlock", key=f"admin_unlock_{account.id}", disabled=not locked, icon=":material/lock_open:"
    ):
        _run(
            action_slot,
            lambda s: unlock_account(session=s, actor=actor, user_id=account.id),
            f"Unlocked {escape_markdown(account.username)}.",
        )
    if locked:
        st.caption(f"Locked after failed sign-ins until {_when(account.locked_until, tz)}.")


def _run(slot, action, message: str, rerun: bool = True):
    try:
        with Session(get_engine()) as session, session.begin():
            result = action(session)
    except InvalidInput as refused:
        slot.error(" ".join(refused.errors.values()), icon=":material/error:")
        return None
    flash(message)
    if rerun:
        st.rerun()
    return result

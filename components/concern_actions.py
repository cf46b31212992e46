"""The actions on a concern's detail: a chooser, then one small form per action.

Only the actions the concern's status allows are offered (db.concerns.actions_allowed). The
chosen action is held in session state, so it is still open after any rerun; a refusal (field
errors, an impossible change, a permission) is drawn above the chooser and under the fields,
with everything typed kept. Each form's button runs its action in a callback (`action_button`),
before the script, so one run draws the outcome; the action carries the version of the concern
the user was shown, so a colleague's change in between is refused, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.orm import Session

from components.drafts import DraftForm, draft_notice, forget_draft, keep_draft, restore_draft
from components.form_helpers import clear_form, field_error, optional_select, versioned_key
from components.login import signed_in_for_callback
from components.shell import get_engine
from db import concerns as c
from db.drafts import latest_draft_form
from db.models import CHANNELS, DIRECTIONS, HARM_LEVELS, SEVERITIES
from db.permissions import Permission
from db.users import StaffMember
from db.validation import InvalidInput


@dataclass(frozen=True)
class ActionContext:
    """What every action form needs: the concern as shown, who acts, the choices, the clock."""

    detail: c.ConcernDetail  # as drawn: the version the user's action is checked against
    staff: StaffMember
    departments: dict[int, str]
    owners: dict[int, str]
    categories: dict[int, str]
    tz: ZoneInfo
    now: dt.datetime

    def form(self, name: str) -> str:
        """Widget key prefix of this concern's form `name` (moves on after a save)."""
        return versioned_key(f"cf_{self.detail.id}_{name}")

    def errors(self, name: str) -> dict[str, str]:
        return st.session_state.get(_errors_key(self.detail.id, name), {})


def _errors_key(concern_id: int, name: str) -> str:
    return f"cf_{concern_id}_{name}_errors"


Values = Callable[[Mapping[str, Any], dt.datetime], dict[str, Any]]


def action_button(
    ctx: ActionContext, label: str, name: str, action: Callable, done: str, values: Values
) -> None:
    """The form's submit button. Its callback runs the action before the next script run, so
    that one run draws the outcome (the concern as changed, or the refusal over the kept input)
    with no second run. `values(state, now)` gives the action's arguments from the submitted
    widgets (`state`: the session's widget values) and the moment of the submission."""
    st.form_submit_button(label, on_click=_run_action, args=(ctx, action, name, done, values))


def _run_action(ctx: ActionContext, action: Callable, name: str, done: str, values: Values) -> None:
    """Run one action against the version the user saw; on success clear its form, else keep
    it and remember why it was refused. A callback runs before app.py's sign-in check, so the
    session is checked first: nothing is done for a session that has ended."""
    staff = signed_in_for_callback(Permission.WORKS_CONCERNS)
    if staff is None:
        return
    errors_key = _errors_key(ctx.detail.id, name)
    try:
        with Session(get_engine()) as session, session.begin():
            action(
                session=session,
                staff=staff,
                concern_id=ctx.detail.id,
                seen_version=ctx.detail.version,
                **values(st.session_state, dt.datetime.now(dt.UTC)),
            )
    except c.ConcernChanged as changed:
        changes = c.changed_fields(ctx.detail, changed.current)
        st.session_state[f"conflict_{ctx.detail.id}"] = changes
        return
    except InvalidInput as invalid:
        st.session_state[errors_key] = invalid.errors
        return
    except (c.TransitionRefused, PermissionError) as refused:
        st.session_state[errors_key] = {"_": str(refused)}
        return
    st.session_state.pop(errors_key, None)
    draft = draft_form_of(ctx, name)
    if draft is not None:
        forget_draft(draft, user_id=staff.id)
    clear_form(f"cf_{ctx.detail.id}_{name}")
    st.session_state["concern_flash"] = done


# ------------------------------------------------------------------ one function per action


def _note(ctx: ActionContext) -> None:
    key, errors = ctx.form("note"), ctx.errors("note")
    with st.form(key):
        st.text_area("Note", key=f"{key}_text")
        field_error(errors, "note")
        action_button(
            ctx,
            "Add note",
            "note",
            c.add_note,
            "Note added.",
            lambda state, _now: {"note": state[f"{key}_text"]},
        )


def _assign(ctx: ActionContext) -> None:
    key, errors = ctx.form("assign"), ctx.errors("assign")
    with st.form(key):
        optional_select(
            "Owner", ctx.owners, f"{key}_owner", ctx.detail.owner_id, none_label="Unassigned"
        )
        field_error(errors, "owner_id")
        action_button(
            ctx,
            "Assign",
            "assign",
            c.assign,
            "Owner changed.",
            lambda state, _now: {"owner_id": state[f"{key}_owner"]},
        )


def _status(ctx: ActionContext) -> None:
    key = ctx.form("status")
    with st.form(key):
        st.radio(
            "New status",
            c.working_statuses_from(ctx.detail.status),
            horizontal=True,
            format_func=lambda s: s.replace("_", " "),
            key=f"{key}_status",
        )
        action_button(
            ctx,
            "Change status",
            "status",
            c.change_status,
            "Status changed.",
            lambda state, _now: {"status": state[f"{key}_status"]},
        )


def _escalate(ctx: ActionContext) -> None:
    key, errors = ctx.form("escalate"), ctx.errors("escalate")
    with st.form(key):
        st.selectbox(
            "To department",
            list(ctx.departments),
            format_func=ctx.departments.get,
            key=f"{key}_dept",
        )
        field_error(errors, "department_id")
        st.text_input("Reason", key=f"{key}_reason")
        field_error(errors, "reason")
        action_button(
            ctx,
            "Escalate",
            "escalate",
            c.escalate,
            "Escalated.",
            lambda state, _now: {
                "department_id": state[f"{key}_dept"],
                "reason": state[f"{key}_reason"],
            },
        )


def _follow_up(ctx: ActionContext) -> None:
    key, errors = ctx.form("follow_up"), ctx.errors("follow_up")
    with st.form(key):
        st.text_area("What was said", key=f"{key}_summary")
        field_error(errors, "summary")
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Channel", CHANNELS, key=f"{key}_channel")
        c2.selectbox("Direction", DIRECTIONS, index=1, key=f"{key}_direction")
        with c3:
            st.number_input("Minutes", 0, 600, value=None, key=f"{key}_minutes")
            field_error(errors, "duration_minutes")
        action_button(
            ctx,
            "Record follow-up",
            "follow_up",
            c.record_follow_up,
            "Follow-up recorded.",
            lambda state, now: {
                "channel": state[f"{key}_channel"],
                "direction": state[f"{key}_direction"],
                "summary": state[f"{key}_summary"],
                "occurred_at": now,
                "duration_minutes": state[f"{key}_minutes"],
            },
        )


def _acknowledge(ctx: ActionContext) -> None:
    key, errors = ctx.form("ack"), ctx.errors("ack")
    with st.form(key):
        st.caption("Grievances: acknowledge within 1 business day.")
        field_error(errors, "acknowledged_at")
        action_button(
            ctx,
            "Record acknowledgement sent now",
            "ack",
            c.record_acknowledgement,
            "Acknowledgement recorded.",
            lambda _state, now: {"acknowledged_at": now},
        )


def _written_response(ctx: ActionContext) -> None:
    key, errors = ctx.form("response"), ctx.errors("response")
    with st.form(key):
        st.caption(
            "CMS: the letter names a contact person, the steps taken, the result and the date "
            "the process was completed."
        )
        c1, c2 = st.columns([2, 1])
        with c1:
            st.text_input("Contact person", key=f"{key}_person")
            field_error(errors, "contact_person")
        with c2:
            st.date_input("Completion date", value=None, key=f"{key}_completed")
            field_error(errors, "completed_on")
        st.text_area("Steps taken to investigate", key=f"{key}_steps", height=80)
        field_error(errors, "steps_taken")
        st.text_area("Result", key=f"{key}_result", height=80)
        field_error(errors, "result")
        action_button(
            ctx,
            "Record written response sent",
            "response",
            c.record_written_response,
            "Written response recorded.",
            lambda state, now: {
                "contact_person": state[f"{key}_person"],
                "steps_taken": state[f"{key}_steps"],
                "result": state[f"{key}_result"],
                "completed_on": state[f"{key}_completed"],
                "sent_at": now,
            },
        )


def _still_working(ctx: ActionContext) -> None:
    key, errors = ctx.form("still"), ctx.errors("still")
    with st.form(key):
        st.date_input("New date given to the patient", value=None, key=f"{key}_date")
        field_error(errors, "new_date")
        st.text_input("Note", key=f"{key}_note")
        action_button(
            ctx,
            "Record still-working notice",
            "still",
            c.record_still_working,
            "Notice recorded.",
            lambda state, now: {
                "new_date": state[f"{key}_date"],
                "note": state[f"{key}_note"],
                "today": now.astimezone(ctx.tz).date(),
            },
        )


def _issue(ctx: ActionContext) -> None:
    key, errors = ctx.form("issue"), ctx.errors("issue")
    with st.form(key):
        targets = {None: "Add a new issue"} | {
            i.id: f"Edit issue {i.position}" for i in ctx.detail.issues
        }
        st.selectbox("Issue", list(targets), format_func=targets.get, key=f"{key}_target")
        c1, c2, c3 = st.columns(3)
        with c1:
            optional_select("Category", ctx.categories, f"{key}_category")
            field_error(errors, "category_id")
        c2.selectbox(
            "HCAT severity",
            (1, 2, 3),
            format_func={1: "1 low", 2: "2 medium", 3: "3 high"}.get,
            key=f"{key}_hcat",
        )
        c3.selectbox(
            "Harm",
            [None, *HARM_LEVELS],
            format_func=lambda h: "not about care" if h is None else h,
            key=f"{key}_harm",
        )
        st.text_input("Description", key=f"{key}_description")
        field_error(errors, "description")
        action_button(
            ctx,
            "Save issue",
            "issue",
            c.save_issue,
            "Issue saved.",
            lambda state, _now: {
                "issue_id": state[f"{key}_target"],
                "category_id": state[f"{key}_category"],
                "hcat_severity": state[f"{key}_hcat"],
                "harm_level": state[f"{key}_harm"],
                "description": state[f"{key}_description"],
            },
        )


def _severity(ctx: ActionContext) -> None:
    key = ctx.form("severity")
    with st.form(key):
        st.selectbox(
            "Severity",
            SEVERITIES,
            index=SEVERITIES.index(ctx.detail.severity),
            key=f"{key}_severity",
        )
        st.caption("The due time is recomputed from the opening time.")
        action_button(
            ctx,
            "Change severity",
            "severity",
            c.change_severity,
            "Severity changed.",
            lambda state, _now: {"severity": state[f"{key}_severity"], "tz": ctx.tz},
        )


def _resolve(ctx: ActionContext) -> None:
    key, errors = ctx.form("resolve"), ctx.errors("resolve")
    with st.form(key):
        st.text_area("Resolution", key=f"{key}_text")
        field_error(errors, "resolution")
        action_button(
            ctx,
            "Resolve",
            "resolve",
            c.resolve,
            "Resolved.",
            lambda state, now: {"resolution": state[f"{key}_text"], "resolved_at": now},
        )


def _close(ctx: ActionContext) -> None:
    key = ctx.form("close")
    with st.form(key):
        st.caption("Closing ends the work on a resolved concern; it can still be reopened.")
        action_button(
            ctx, "Close", "close", c.close, "Closed.", lambda _state, now: {"closed_at": now}
        )


def _reopen(ctx: ActionContext) -> None:
    key, errors = ctx.form("reopen"), ctx.errors("reopen")
    with st.form(key):
        st.text_input("Reason to reopen", key=f"{key}_reason")
        field_error(errors, "reason")
        action_button(
            ctx,
            "Reopen",
            "reopen",
            c.reopen,
            "Reopened.",
            lambda state, _now: {"reason": state[f"{key}_reason"]},
        )


ACTIONS: dict[str, tuple[str, Callable[[ActionContext], None]]] = {
    "note": ("Add note", _note),
    "assign": ("Assign", _assign),
    "status": ("Change status", _status),
    "escalate": ("Escalate", _escalate),
    "follow_up": ("Follow-up contact", _follow_up),
    "ack": ("Acknowledge", _acknowledge),
    "response": ("Written response", _written_response),
    "still": ("Still working", _still_working),
    "issue": ("Issues", _issue),
    "severity": ("Severity", _severity),
    "resolve": ("Resolve", _resolve),
    "close": ("Close", _close),
    "reopen": ("Reopen", _reopen),
}


# The text fields of each action form whose input is kept as a draft: field name -> label.
DRAFT_FIELDS: dict[str, dict[str, str]] = {
    "note": {"text": "Note"},
    "escalate": {"reason": "Reason"},
    "follow_up": {"summary": "What was said"},
    "response": {
        "person": "Contact person",
        "steps": "Steps taken to investigate",
        "result": "Result",
    },
    "still": {"note": "Note"},
    "issue": {"description": "Description"},
    "resolve": {"text": "Resolution"},
    "reopen": {"reason": "Reason to reopen"},
}


def draft_form_of(ctx: ActionContext, name: str) -> DraftForm | None:
    """Action `name`'s form on this concern as a draft (None: nothing typed to keep)."""
    if name not in DRAFT_FIELDS:
        return None
    return DraftForm(
        form=f"concern:{ctx.detail.id}:{name}", key=ctx.form(name), typed=DRAFT_FIELDS[name]
    )


# The action chooser stays at the top of the screen while its form is scrolled through, so
# another action is one click away on a laptop screen too. Fixed CSS, never user data.
STICKY_CHOOSER_CSS = """<style>
[class*="st-key-concern_action_"] {
  position: sticky; top: 0; z-index: 5; background: var(--background-color, #fff);
  padding: 0.4rem 0 0.5rem 0;
}
</style>"""


def chosen_action_key(concern_id: int) -> str:
    """Session key of the action chosen on this concern's detail."""
    return f"concern_action_{concern_id}"


def action_panel(ctx: ActionContext) -> None:
    """The chooser of allowed actions and the chosen action's form; a refusal of the chosen
    action is shown above the chooser, where the user is looking, as well as under its fields."""
    allowed = c.actions_allowed(ctx.detail.status)
    key = chosen_action_key(ctx.detail.id)
    if key not in st.session_state:
        # Opening the concern in a new browser session: the form with a draft comes first.
        with Session(get_engine()) as session:
            drafted = latest_draft_form(
                session=session,
                user_id=ctx.staff.id,
                prefix=f"concern:{ctx.detail.id}:",
                now=ctx.now,
            )
        if drafted is not None:
            st.session_state[key] = drafted.rsplit(":", 1)[1]
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = allowed[0]
    refused = ctx.errors(st.session_state[key])
    if refused:
        label = ACTIONS[st.session_state[key]][0]
        st.error(
            f"{label}: not saved. "
            + (refused.get("_") or "Check the fields marked below; what you typed is kept."),
            icon=":material/block:",
        )
    st.html(STICKY_CHOOSER_CSS)
    choice = st.segmented_control(
        "Action", allowed, format_func=lambda a: ACTIONS[a][0], key=key, required=True
    )
    draft = draft_form_of(ctx, choice)
    if draft is None:
        ACTIONS[choice][1](ctx)
        return
    restored_at = restore_draft(draft, user_id=ctx.staff.id, now=ctx.now)

    def discard() -> None:
        # A callback runs before app.py's sign-in check: check the session first.
        if signed_in_for_callback(Permission.WORKS_CONCERNS) is None:
            return
        forget_draft(draft, user_id=ctx.staff.id)
        clear_form(f"cf_{ctx.detail.id}_{choice}")

    draft_notice(restored_at, ctx.tz, key=f"{draft.key}_discard", on_discard=discard)
    ACTIONS[choice][1](ctx)
    keep_draft(draft, user_id=ctx.staff.id, now=ctx.now)

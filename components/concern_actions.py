"""The actions on a concern's detail: a chooser, then one small form per action.

Only the actions the concern's status allows are offered (db.concerns.actions_allowed). The
chosen action is held in session state, so it is still open after any rerun; a refusal (field
errors, an impossible change, a permission) is drawn above the chooser and under the fields,
with everything typed kept. Actions run through `run_action`, which carries the version of the
concern the user was shown, so a colleague's change in between is refused, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.orm import Session

from components.drafts import DraftForm, draft_notice, forget_draft, keep_draft, restore_draft
from components.form_helpers import clear_form, field_error, optional_select, versioned_key
from components.shell import get_engine
from db import concerns as c
from db.drafts import latest_draft_form
from db.models import CHANNELS, DIRECTIONS, HARM_LEVELS, SEVERITIES
from db.users import StaffMember
from db.validation import InvalidInput


@dataclass(frozen=True)
class ActionContext:
    """What every action form needs: the concern as shown, who acts, the choices, the clock."""

    detail: c.ConcernDetail
    seen: c.ConcernDetail  # the version the user's action is checked against
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


def run_action(ctx: ActionContext, action: Callable, name: str, done: str, **kwargs) -> None:
    """Run one action against the version the user saw; on success clear its form, else keep
    it and remember why it was refused; then rerun."""
    errors_key = _errors_key(ctx.detail.id, name)
    try:
        with Session(get_engine()) as session, session.begin():
            action(
                session=session,
                staff=ctx.staff,
                concern_id=ctx.detail.id,
                seen_version=ctx.seen.version,
                **kwargs,
            )
    except c.ConcernChanged as changed:
        st.session_state[f"conflict_{ctx.detail.id}"] = c.changed_fields(ctx.seen, changed.current)
        st.rerun()
    except InvalidInput as invalid:
        st.session_state[errors_key] = invalid.errors
        st.rerun()
    except (c.TransitionRefused, PermissionError) as refused:
        st.session_state[errors_key] = {"_": str(refused)}
        st.rerun()
    st.session_state.pop(errors_key, None)
    draft = draft_form_of(ctx, name)
    if draft is not None:
        forget_draft(draft, user_id=ctx.staff.id)
    clear_form(f"cf_{ctx.detail.id}_{name}")
    st.session_state["concern_flash"] = done
    st.rerun()


# ------------------------------------------------------------------ one function per action


def _note(ctx: ActionContext) -> None:
    key, errors = ctx.form("note"), ctx.errors("note")
    with st.form(key):
        note = st.text_area("Note", key=f"{key}_text")
        field_error(errors, "note")
        if st.form_submit_button("Add note"):
            run_action(ctx, c.add_note, "note", "Note added.", note=note)


def _assign(ctx: ActionContext) -> None:
    key, errors = ctx.form("assign"), ctx.errors("assign")
    with st.form(key):
        owner = optional_select(
            "Owner", ctx.owners, f"{key}_owner", ctx.detail.owner_id, none_label="Unassigned"
        )
        field_error(errors, "owner_id")
        if st.form_submit_button("Assign"):
            run_action(ctx, c.assign, "assign", "Owner changed.", owner_id=owner)


def _status(ctx: ActionContext) -> None:
    key = ctx.form("status")
    with st.form(key):
        status = st.radio(
            "New status",
            c.working_statuses_from(ctx.detail.status),
            horizontal=True,
            format_func=lambda s: s.replace("_", " "),
            key=f"{key}_status",
        )
        if st.form_submit_button("Change status"):
            run_action(ctx, c.change_status, "status", "Status changed.", status=status)


def _escalate(ctx: ActionContext) -> None:
    key, errors = ctx.form("escalate"), ctx.errors("escalate")
    with st.form(key):
        department = st.selectbox(
            "To department",
            list(ctx.departments),
            format_func=ctx.departments.get,
            key=f"{key}_dept",
        )
        field_error(errors, "department_id")
        reason = st.text_input("Reason", key=f"{key}_reason")
        field_error(errors, "reason")
        if st.form_submit_button("Escalate"):
            run_action(
                ctx, c.escalate, "escalate", "Escalated.", department_id=department, reason=reason
            )


def _follow_up(ctx: ActionContext) -> None:
    key, errors = ctx.form("follow_up"), ctx.errors("follow_up")
    with st.form(key):
        summary = st.text_area("What was said", key=f"{key}_summary")
        field_error(errors, "summary")
        c1, c2, c3 = st.columns(3)
        channel = c1.selectbox("Channel", CHANNELS, key=f"{key}_channel")
        direction = c2.selectbox("Direction", DIRECTIONS, index=1, key=f"{key}_direction")
        with c3:
            minutes = st.number_input("Minutes", 0, 600, value=None, key=f"{key}_minutes")
            field_error(errors, "duration_minutes")
        if st.form_submit_button("Record follow-up"):
            run_action(
                ctx,
                c.record_follow_up,
                "follow_up",
                "Follow-up recorded.",
                channel=channel,
                direction=direction,
                summary=summary,
                occurred_at=ctx.now,
                duration_minutes=minutes,
            )


def _acknowledge(ctx: ActionContext) -> None:
    key, errors = ctx.form("ack"), ctx.errors("ack")
    with st.form(key):
        st.caption("Grievances: acknowledge within 1 business day.")
        field_error(errors, "acknowledged_at")
        if st.form_submit_button("Record acknowledgement sent now"):
            run_action(
                ctx,
                c.record_acknowledgement,
                "ack",
                "Acknowledgement recorded.",
                acknowledged_at=ctx.now,
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
            person = st.text_input("Contact person", key=f"{key}_person")
            field_error(errors, "contact_person")
        with c2:
            completed = st.date_input("Completion date", value=None, key=f"{key}_completed")
            field_error(errors, "completed_on")
        steps = st.text_area("Steps taken to investigate", key=f"{key}_steps", height=80)
        field_error(errors, "steps_taken")
        result = st.text_area("Result", key=f"{key}_result", height=80)
        field_error(errors, "result")
        if st.form_submit_button("Record written response sent"):
            run_action(
                ctx,
                c.record_written_response,
                "response",
                "Written response recorded.",
                contact_person=person,
                steps_taken=steps,
                result=result,
                completed_on=completed,
                sent_at=ctx.now,
            )


def _still_working(ctx: ActionContext) -> None:
    key, errors = ctx.form("still"), ctx.errors("still")
    with st.form(key):
        new_date = st.date_input("New date given to the patient", value=None, key=f"{key}_date")
        field_error(errors, "new_date")
        note = st.text_input("Note", key=f"{key}_note")
        if st.form_submit_button("Record still-working notice"):
            run_action(
                ctx,
                c.record_still_working,
                "still",
                "Notice recorded.",
                new_date=new_date,
                note=note,
                today=ctx.now.astimezone(ctx.tz).date(),
            )


def _issue(ctx: ActionContext) -> None:
    key, errors = ctx.form("issue"), ctx.errors("issue")
    with st.form(key):
        targets = {None: "Add a new issue"} | {
            i.id: f"Edit issue {i.position}" for i in ctx.detail.issues
        }
        target = st.selectbox("Issue", list(targets), format_func=targets.get, key=f"{key}_target")
        c1, c2, c3 = st.columns(3)
        with c1:
            category = optional_select("Category", ctx.categories, f"{key}_category")
            field_error(errors, "category_id")
        hcat = c2.selectbox(
            "HCAT severity",
            (1, 2, 3),
            format_func={1: "1 low", 2: "2 medium", 3: "3 high"}.get,
            key=f"{key}_hcat",
        )
        harm = c3.selectbox(
            "Harm",
            [None, *HARM_LEVELS],
            format_func=lambda h: "not about care" if h is None else h,
            key=f"{key}_harm",
        )
        description = st.text_input("Description", key=f"{key}_description")
        field_error(errors, "description")
        if st.form_submit_button("Save issue"):
            run_action(
                ctx,
                c.save_issue,
                "issue",
                "Issue saved.",
                issue_id=target,
                category_id=category,
                hcat_severity=hcat,
                harm_level=harm,
                description=description,
            )


def _severity(ctx: ActionContext) -> None:
    key = ctx.form("severity")
    with st.form(key):
        severity = st.selectbox(
            "Severity",
            SEVERITIES,
            index=SEVERITIES.index(ctx.detail.severity),
            key=f"{key}_severity",
        )
        st.caption("The due time is recomputed from the opening time.")
        if st.form_submit_button("Change severity"):
            run_action(
                ctx,
                c.change_severity,
                "severity",
                "Severity changed.",
                severity=severity,
                tz=ctx.tz,
            )


def _resolve(ctx: ActionContext) -> None:
    key, errors = ctx.form("resolve"), ctx.errors("resolve")
    with st.form(key):
        resolution = st.text_area("Resolution", key=f"{key}_text")
        field_error(errors, "resolution")
        if st.form_submit_button("Resolve"):
            run_action(
                ctx, c.resolve, "resolve", "Resolved.", resolution=resolution, resolved_at=ctx.now
            )


def _close(ctx: ActionContext) -> None:
    key = ctx.form("close")
    with st.form(key):
        st.caption("Closing ends the work on a resolved concern; it can still be reopened.")
        if st.form_submit_button("Close"):
            run_action(ctx, c.close, "close", "Closed.", closed_at=ctx.now)


def _reopen(ctx: ActionContext) -> None:
    key, errors = ctx.form("reopen"), ctx.errors("reopen")
    with st.form(key):
        reason = st.text_input("Reason to reopen", key=f"{key}_reason")
        field_error(errors, "reason")
        if st.form_submit_button("Reopen"):
            run_action(ctx, c.reopen, "reopen", "Reopened.", reason=reason)


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
        forget_draft(draft, user_id=ctx.staff.id)
        clear_form(f"cf_{ctx.detail.id}_{choice}")

    draft_notice(restored_at, ctx.tz, key=f"{draft.key}_discard", on_discard=discard)
    ACTIONS[choice][1](ctx)
    keep_draft(draft, user_id=ctx.staff.id, now=ctx.now)

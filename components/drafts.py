"""Keeping a form's unsaved input on the server, and offering it back.

Widgets inside an st.form send nothing to the server until the form is submitted, so a small
script in the page (a Streamlit custom component; AppTest does not run it) reads the form's text
fields by their labels a moment after the user stops typing and sends them over; values of
widgets outside the form (the patient search, the outcome) are known to the server already.
Either way the draft is written to PostgreSQL (db.drafts) for the signed-in person only.

On the first run of a form in a browser session (after a reload, a dropped connection or a new
sign-in), `restore_draft` fills the form from the draft and says so, with a Discard button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.orm import Session

from components.shell import get_engine
from db.drafts import discard_draft, load_draft, save_draft

# Fixed code, never user data: sends {form, fields: {label: value}} 0.7 s after the last
# keystroke in one of the watched fields. Enter (a search, or Ctrl+Enter saving the form) and
# pressing a button cancel a pending send, so a save is never followed by a copy of what was
# just saved (nor by a rerun that would wipe its confirmation).
_KEEPER_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  const labels = new Set(data.labels);
  const previous = window.__prdDraftKeeper;
  if (previous) previous();
  let timer = null;
  const read = () => {
    const fields = {};
    const main = document.querySelector('[data-testid="stMain"]') || document;
    main
      .querySelectorAll("input[aria-label], textarea[aria-label]")
      .forEach((el) => {
        const label = el.getAttribute("aria-label");
        if (labels.has(label) && el.offsetParent !== null) fields[label] = el.value;
      });
    return fields;
  };
  const onInput = (event) => {
    const label = event.target?.getAttribute?.("aria-label");
    if (!labels.has(label)) return;
    clearTimeout(timer);
    timer = setTimeout(() => setTriggerValue("snapshot", { form: data.form, fields: read() }), 700);
  };
  const onKey = (event) => {
    const submits = event.ctrlKey || event.metaKey || event.target?.tagName === "INPUT";
    if (event.key === "Enter" && submits) clearTimeout(timer);
  };
  const onPress = (event) => {
    if (event.target?.closest?.("button")) clearTimeout(timer);
  };
  document.addEventListener("input", onInput, true);
  document.addEventListener("keydown", onKey, true);
  document.addEventListener("pointerdown", onPress, true);
  const stop = () => {
    clearTimeout(timer);
    document.removeEventListener("input", onInput, true);
    document.removeEventListener("keydown", onKey, true);
    document.removeEventListener("pointerdown", onPress, true);
  };
  window.__prdDraftKeeper = stop;
  return stop;
}
"""
_keeper = st.components.v2.component("prd_draft_keeper", js=_KEEPER_JS)


@dataclass(frozen=True)
class DraftForm:
    """One form whose input is kept. Widget keys are `<key>_<field name>`."""

    form: str  # stable name of the form, e.g. "log" or "concern:12:resolve"
    key: str  # the form's current widget key prefix (it moves on after a save)
    typed: dict[str, str]  # field name -> label, for text fields inside the st.form
    held: dict[str, object] = field(default_factory=dict)  # field name -> default, outside it

    def widget_key(self, name: str) -> str:
        return f"{self.key}_{name}"


def _last_key(spec: DraftForm) -> str:
    return f"draft_last_{spec.key}"


def restore_draft(spec: DraftForm, *, user_id: int, now: dt.datetime) -> dt.datetime | None:
    """Before the form's widgets are drawn: on this form's first run in the browser session,
    fill it from the person's draft. Returns when the restored draft was saved, while it is
    the form's content (None when nothing was restored)."""
    checked = f"draft_checked_{spec.key}"
    if checked not in st.session_state:
        st.session_state[checked] = None
        with Session(get_engine()) as session:
            draft = load_draft(session=session, user_id=user_id, form=spec.form, now=now)
        if draft is not None:
            known = set(spec.typed) | set(spec.held)
            restored = {name: value for name, value in draft.fields.items() if name in known}
            for name, value in restored.items():
                st.session_state[spec.widget_key(name)] = value
            st.session_state[_last_key(spec)] = restored
            st.session_state[checked] = draft.saved_at
    return st.session_state[checked]


def draft_notice(
    saved_at: dt.datetime | None, tz: ZoneInfo, *, key: str, on_discard: Callable[[], None]
) -> None:
    """'Your unsaved input from 14:02 is back', with a button that discards it."""
    if saved_at is None:
        return
    text, button = st.columns([5, 1], vertical_alignment="center")
    text.info(
        f"Your unsaved input from {saved_at.astimezone(tz):%a %H:%M} is back in the form.",
        icon=":material/restore:",
    )
    button.button("Discard draft", key=key, on_click=on_discard, icon=":material/delete:")


def keep_draft(spec: DraftForm, *, user_id: int, now: dt.datetime) -> None:
    """After the form's widgets: watch its text fields in the browser and write what changed
    (typed fields from the browser, outside widgets from session state) as the draft."""
    result = _keeper(
        data={"form": spec.key, "labels": list(spec.typed.values())},
        # A new key for each form version: the keeper of a saved form is unmounted, and with it
        # any send still pending.
        key=f"draft_keeper_{spec.key}",
        on_snapshot_change=lambda: None,
    )
    last = st.session_state.get(_last_key(spec), {})
    current = dict(last)
    snapshot = getattr(result, "snapshot", None) if result is not None else None
    if isinstance(snapshot, dict) and snapshot.get("form") == spec.key:
        by_label = {label: name for name, label in spec.typed.items()}
        for label, value in (snapshot.get("fields") or {}).items():
            if label in by_label and isinstance(value, str):
                current[by_label[label]] = value
    for name, default in spec.held.items():
        value = st.session_state.get(spec.widget_key(name), default)
        if value != default and isinstance(value, str):
            current[name] = value
        else:
            current.pop(name, None)
    if current != last:
        with Session(get_engine()) as session, session.begin():
            save_draft(session=session, user_id=user_id, form=spec.form, fields=current, now=now)
        st.session_state[_last_key(spec)] = current


def forget_draft(
    spec: DraftForm,
    *,
    user_id: int,
    next_key: str | None = None,
    session: Session | None = None,
) -> None:
    """After a save or a discard: the draft is gone from the server and from this session.
    `next_key`: the key prefix the emptied form moves on to, which has no draft to look for.
    `session`: delete it in the caller's transaction (the save's own: gone exactly when saved)."""
    if session is not None:
        discard_draft(session=session, user_id=user_id, form=spec.form)
    else:
        with Session(get_engine()) as own, own.begin():
            discard_draft(session=own, user_id=user_id, form=spec.form)
    st.session_state.pop(_last_key(spec), None)
    if next_key is not None:
        st.session_state[f"draft_checked_{next_key}"] = None

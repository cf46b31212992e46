"""What every form of the desk shares: field messages, optional pickers, keyboard focus.

Forms number their widget keys (`versioned_key`): after a successful save the number moves on,
which clears the form; after a refusal it stays, so everything typed stays.
"""

from __future__ import annotations

import json

import streamlit as st


def field_error(errors: dict[str, str], name: str) -> None:
    """The message for one field, right under it (nothing when the field is fine)."""
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def optional_select(
    label: str,
    options: dict[int, str],
    key: str,
    default: int | None = None,
    none_label: str = "—",
):
    """A selectbox over `options` (id -> name) with a first "nothing chosen" entry."""
    ids = [None, *options]
    return st.selectbox(
        label,
        ids,
        index=ids.index(default) if default in ids else 0,
        format_func=lambda i: none_label if i is None else options[i],
        key=key,
    )


def versioned_key(name: str) -> str:
    """Widget key prefix of form `name`; `clear_form(name)` moves it on, which empties the form."""
    n = st.session_state.setdefault(f"{name}__n", 0)
    return f"{name}_{n}"


def clear_form(name: str) -> None:
    """Give form `name` fresh, empty widgets on the next run (after a successful save)."""
    st.session_state[f"{name}__n"] = st.session_state.get(f"{name}__n", 0) + 1


_FOCUS_SCRIPT = """<script>
(() => {
  const wanted = %(label)s, onlyWhenIdle = %(idle)s;
  let tries = 0;
  const go = () => {
    const active = document.activeElement;
    // Busy elsewhere: look again shortly. Right after a save the old summary box can keep the
    // focus until the rerun removes it; once it is gone the focus falls to the body.
    if (onlyWhenIdle && active && active !== document.body) {
      if (tries++ < 40) setTimeout(go, 50);
      return;
    }
    const candidates = document.querySelectorAll('[aria-label="' + wanted + '"]');
    const field = Array.from(candidates).find((el) => !el.disabled && el.offsetParent !== null);
    if (field) {
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
      return;
    }
    if (tries++ < 40) setTimeout(go, 50);
  };
  setTimeout(go, 0);
})();
</script><!-- %(nonce)s -->"""


def move_focus(label: str, *, only_when_idle: bool = False) -> None:
    """Put the keyboard cursor in the field labelled `label` once this run is drawn.

    `only_when_idle`: only when nothing has the focus (the page just loaded, or the field that
    had it was replaced after a save), so a person working elsewhere on the page is not moved.
    A fixed script; the label is one of ours, never user text.
    """
    nonce = st.session_state.get("_focus_nonce", 0) + 1
    st.session_state["_focus_nonce"] = nonce
    st.html(
        _FOCUS_SCRIPT
        % {"label": json.dumps(label), "idle": json.dumps(only_when_idle), "nonce": nonce},
        unsafe_allow_javascript=True,
    )

"""What the admin sections share: a message slot under each field, and a one-off notice."""

from __future__ import annotations

import streamlit as st

from db.validation import InvalidInput

NOTICE_KEY = "admin_notice"


class FieldSlots:
    """An empty slot under each field of a form, filled with that field's message on refusal.

    Drawing the messages into slots, instead of rerunning, keeps what was typed in the form."""

    def __init__(self) -> None:
        self._slots: dict[str, st.delta_generator.DeltaGenerator] = {}

    def under(self, field: str) -> None:
        """Call right after drawing `field`'s widget."""
        self._slots[field] = st.empty()

    def show(self, refused: InvalidInput) -> None:
        """Each message under its field; any without a slot as one message at the bottom."""
        stray = []
        for field, message in refused.errors.items():
            slot = self._slots.get(field)
            if slot is None:
                stray.append(message)
            else:
                slot.error(message, icon=":material/error:")
        if stray:
            st.error(" ".join(stray), icon=":material/error:")


def flash(message: str) -> None:
    """A confirmation shown once, after the rerun that follows a saved change."""
    st.session_state[NOTICE_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")

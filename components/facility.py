"""The settings every page reads: the environment's (db.settings), with the facility's name and
time zone as the administrator stored them (db.admin_facility).

Cached for a short while so a page does not read the row on every rerun; the Admin section
clears the cache when it saves, so this server shows a change at once (another server process
within FACILITY_CACHE_SECONDS).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from components.session import get_engine
from db.admin_facility import with_stored_facility
from db.settings import Settings, get_settings

FACILITY_CACHE_SECONDS = 30


@st.cache_data(ttl=FACILITY_CACHE_SECONDS, show_spinner=False)
def _with_stored(defaults: Settings) -> Settings:
    with Session(get_engine()) as session:
        return with_stored_facility(session=session, defaults=defaults)


def app_settings() -> Settings:
    """The settings with the stored facility name and time zone. While the database cannot be
    reached, the environment's (the page then says the database is unavailable)."""
    try:
        return _with_stored(get_settings())
    except OperationalError:
        return get_settings()


def forget_stored_facility() -> None:
    """After the administrator saves: the next read takes the new values."""
    _with_stored.clear()

"""The facility's name and time zone, stored in the database and changed by the administrator.

The environment (PRD_FACILITY_NAME, PRD_FACILITY_TZ, read by db.settings) gives the defaults;
a value stored here wins. Changing the time zone moves every local day, so the dashboard
summaries are refilled on the new calendar in the same transaction (db.summaries), with a
progress report; a second rebuild at the same time is refused, not queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from db.admin import record_admin_change, require_admin
from db.models import FacilitySetting
from db.settings import Settings
from db.summaries import change_summary_time_zone
from db.users import StaffMember
from db.validation import InvalidInput


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted (for the picker and the check)."""
    return tuple(sorted(available_timezones()))


def with_stored_facility(*, session: Session, defaults: Settings) -> Settings:
    """`defaults` (the environment's settings) with the facility's stored name and time zone,
    each where one is stored: what every page, export and command reads."""
    stored = session.get(FacilitySetting, 1)
    return replace(
        defaults,
        facility_name=(stored.name if stored and stored.name else defaults.facility_name),
        facility_tz_name=(
            stored.time_zone if stored and stored.time_zone else defaults.facility_tz_name
        ),
    )


def change_facility(
    *,
    session: Session,
    actor: StaffMember,
    defaults: Settings,
    name: str,
    tz_name: str,
    progress: Callable[[float, str], None] = lambda _f, _m: None,
) -> bool:
    """Store the facility's name and time zone; a new time zone refills the dashboard summaries
    on its calendar before this returns (the caller commits both together). Returns whether
    anything changed. Raises InvalidInput per field, or summaries.RebuildRunning when another
    rebuild holds the lock."""
    require_admin(actor)
    clean = " ".join(name.split())
    errors = {}
    if not 2 <= len(clean) <= 120:
        errors["facility_name"] = "Use 2 to 120 characters."
    if tz_name not in time_zone_names():
        errors["facility_tz_name"] = "Choose a time zone from the list (for example Europe/London)."
    if errors:
        raise InvalidInput(errors)
    before = with_stored_facility(session=session, defaults=defaults)
    row = session.get(FacilitySetting, 1, with_for_update=True)
    if row is None:
        row = FacilitySetting(id=1)
        session.add(row)
    row.name = clean
    row.time_zone = tz_name
    session.flush()
    if tz_name != before.facility_tz_name:
        change_summary_time_zone(session=session, tz_name=tz_name, progress=progress)
    return record_admin_change(
        session=session,
        actor=actor,
        entity="facility_setting",
        entity_id=1,
        change="facility settings",
        before={"name": before.facility_name, "time_zone": before.facility_tz_name},
        after={"name": clean, "time_zone": tz_name},
    )

"""SLA targets, grievance clocks, working weekdays and public holidays, as the administrator edits
them. A change applies to concerns opened (or re-graded) after it: stored due times never move.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.admin import record_admin_change, require_admin
from db.models import PublicHoliday, SlaRule, SlaTarget
from db.sla import MAX_WRITTEN_RESPONSE_DAYS
from db.users import StaffMember
from db.validation import InvalidInput

MAX_DUE_HOURS = 8760  # a year; the database refuses more too
WEEKDAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def update_sla_targets(
    *,
    session: Session,
    actor: StaffMember,
    due_hours: dict[tuple[str, str], int | None],
) -> int:
    """Set due hours per (type, severity); None means no clock. Returns how many changed.

    Raises InvalidInput keyed "type/severity" for every value out of range."""
    require_admin(actor)
    errors = {
        f"{t}/{s}": f"Use whole hours from 1 to {MAX_DUE_HOURS}, or leave empty for no clock."
        for (t, s), hours in due_hours.items()
        if hours is not None and not 1 <= hours <= MAX_DUE_HOURS
    }
    if errors:
        raise InvalidInput(errors)
    targets = {(t.concern_type, t.severity): t for t in session.scalars(select(SlaTarget))}
    changed = 0
    for key, hours in due_hours.items():
        target = targets.get(key)
        if target is None:
            target = SlaTarget(concern_type=key[0], severity=key[1], due_hours=None)
            session.add(target)
        if target.due_hours == hours and key in targets:
            continue
        before = {"due_hours": target.due_hours}
        target.due_hours = hours
        changed += record_admin_change(
            session=session,
            actor=actor,
            entity="sla_target",
            entity_id=f"{key[0]}/{key[1]}",
            change="SLA target",
            before=before,
            after={"due_hours": hours},
        )
    return changed


def update_grievance_rule(
    *,
    session: Session,
    actor: StaffMember,
    acknowledgement_business_days: int,
    written_response_days: int,
    business_weekdays: list[int] | tuple[int, ...],
) -> bool:
    """Set the grievance acknowledgement (business days), written response (days) and the
    weekdays that count as business days."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if not 1 <= acknowledgement_business_days <= 30:
        errors["acknowledgement_business_days"] = "Use 1 to 30 business days."
    if not 1 <= written_response_days <= MAX_WRITTEN_RESPONSE_DAYS:
        errors["written_response_days"] = f"Use 1 to {MAX_WRITTEN_RESPONSE_DAYS} days."
    if not business_weekdays or set(business_weekdays) - set(WEEKDAY_NAMES):
        errors["business_weekdays"] = "Choose at least one business day."
    if errors:
        raise InvalidInput(errors)
    rule = session.get(SlaRule, 1, with_for_update=True)
    if rule is None:
        rule = SlaRule(id=1, acknowledgement_business_days=1, written_response_days=7)
        rule.business_weekdays = [1, 2, 3, 4, 5]
        session.add(rule)
    before = {
        "acknowledgement_business_days": rule.acknowledgement_business_days,
        "written_response_days": rule.written_response_days,
        "business_weekdays": list(rule.business_weekdays),
    }
    rule.acknowledgement_business_days = acknowledgement_business_days
    rule.written_response_days = written_response_days
    rule.business_weekdays = sorted(set(business_weekdays))
    return record_admin_change(
        session=session,
        actor=actor,
        entity="sla_rule",
        entity_id=1,
        change="grievance clocks",
        before=before,
        after={
            "acknowledgement_business_days": acknowledgement_business_days,
            "written_response_days": written_response_days,
            "business_weekdays": sorted(set(business_weekdays)),
        },
    )


def public_holidays(*, session: Session, year: int | None = None) -> list[PublicHoliday]:
    """The facility's public holidays by date (one year's, or all)."""
    stmt = select(PublicHoliday).order_by(PublicHoliday.day)
    if year is not None:
        stmt = stmt.where(
            PublicHoliday.day >= dt.date(year, 1, 1), PublicHoliday.day < dt.date(year + 1, 1, 1)
        )
    return list(session.scalars(stmt))


def add_holiday(*, session: Session, actor: StaffMember, day: dt.date | None, name: str) -> None:
    """Add a public holiday; business-day clocks started after this skip it."""
    require_admin(actor)
    errors: dict[str, str] = {}
    clean = " ".join(name.split())
    if day is None:
        errors["day"] = "Choose the date."
    elif session.get(PublicHoliday, day) is not None:
        errors["day"] = f"{day:%d %b %Y} is already a holiday."
    if not 2 <= len(clean) <= 120:
        errors["name"] = "Name the holiday (2 to 120 characters)."
    if errors:
        raise InvalidInput(errors)
    session.add(PublicHoliday(day=day, name=clean))
    record_admin_change(
        session=session,
        actor=actor,
        entity="public_holiday",
        entity_id=day.isoformat(),
        change="add holiday",
        before={},
        after={"day": day, "name": clean},
    )


def remove_holiday(*, session: Session, actor: StaffMember, day: dt.date) -> None:
    """Take a day off the holiday list (clocks already running keep their due times)."""
    require_admin(actor)
    holiday = session.get(PublicHoliday, day)
    if holiday is None:
        raise InvalidInput({"day": "That day is not on the list."})
    record_admin_change(
        session=session,
        actor=actor,
        entity="public_holiday",
        entity_id=day.isoformat(),
        change="remove holiday",
        before={"day": day, "name": holiday.name},
        after={"day": None, "name": None},
    )
    session.delete(holiday)

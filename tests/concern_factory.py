"""Concerns in a known state for the workflow tests, opened the way the desk opens them."""

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.intake import ConcernDraft, log_interaction
from db.models import Concern
from tests.intake_world import NOW, NY, draft


def open_concern(engine, world, staff, *, owner_id=None, severity="medium", **overrides) -> int:
    d = draft(
        world,
        outcome="concern-opened",
        concern=ConcernDraft(severity=severity, owner_id=owner_id, resolved_by_staff_present=True),
        **overrides,
    )
    with Session(engine) as s, s.begin():
        return log_interaction(session=s, staff=staff, draft=d, tz=NY, now=NOW).concern_id


def version_of(engine, concern_id) -> int:
    with Session(engine) as s:
        return s.get(Concern, concern_id).version


def force_status(engine, concern_id, status, **values) -> None:
    """Put a concern straight into `status` (test set-up only), keeping the CHECKs happy."""
    if status in ("resolved", "closed"):
        values.setdefault("resolved_at", NOW)
        values.setdefault("resolution", "Set up by the test")
    if status == "closed":
        values.setdefault("closed_at", NOW + dt.timedelta(hours=1))
    with Session(engine) as s, s.begin():
        s.execute(update(Concern).where(Concern.id == concern_id).values(status=status, **values))

"""Helpers shared by the tests: the small fixed desk world, concerns in a known state, and
signing in through the app's form in AppTest. Fixtures built on them live in conftest.py.

Test modules import from here, never from each other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.intake import ConcernDraft, InteractionDraft, log_interaction
from db.models import Category, Concern, Department, Patient

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

# --- the small fixed world of the desk tests (intake, patients, concerns) -----------------------

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in New York


def seed_world(engine) -> dict:
    """Two departments and four patients; returns their ids and the categories by name."""
    with Session(engine) as s, s.begin():
        cardio = Department(name="Cardiology")
        ed = Department(name="Emergency Department")
        s.add_all([cardio, ed])
        patients = [
            Patient(
                mrn="MRN0000001",
                given_name="John",
                family_name="Smith",
                date_of_birth=dt.date(1950, 3, 2),
                phone="(555) 010-2000",
                medicare_beneficiary=True,
            ),
            Patient(
                mrn="MRN0000002",
                given_name="Smita",
                family_name="Patel",
                date_of_birth=dt.date(1984, 7, 9),
                phone="555-777-1234",
            ),
            Patient(
                mrn="MRN0001003",
                given_name="Joanna",
                family_name="Smithers",
                date_of_birth=dt.date(1999, 1, 1),
                phone="212 555 0101",
            ),
            Patient(
                mrn="X-77",
                given_name="Ana",
                family_name="O'Brien_Test",
                date_of_birth=None,
                phone=None,
            ),
        ]
        s.add_all(patients)
        s.flush()
        categories = {c.name: c.id for c in s.scalars(select(Category))}
        return {
            "cardio": cardio.id,
            "ed": ed.id,
            "smith": patients[0].id,
            "patel": patients[1].id,
            "smithers": patients[2].id,
            "obrien": patients[3].id,
            "categories": categories,
        }


def draft(world, **overrides) -> InteractionDraft:
    """A valid interaction in `world`, with `overrides`."""
    values = dict(
        client_submission_id=uuid.uuid4(),
        occurred_at=NOW - dt.timedelta(minutes=3),
        channel="phone",
        direction="inbound",
        summary="Waited four hours in the ED without an update",
        outcome="resolved-first-contact",
        patient_id=world["smith"],
        department_id=world["ed"],
        category_id=world["categories"]["Institutional processes"],
        duration_minutes=6,
        concern=ConcernDraft(),
    )
    values.update(overrides)
    return InteractionDraft(**values)


# --- concerns in a known state, opened the way the desk opens them -------------------------------


def log_contact(engine, world, staff, **overrides):
    """Log an interaction in `world` the way the desk does (at NOW); returns what was saved."""
    with Session(engine) as s, s.begin():
        return log_interaction(
            session=s, staff=staff, draft=draft(world, **overrides), tz=NY, now=NOW
        )


def open_concern(engine, world, staff, *, owner_id=None, severity="medium", **overrides) -> int:
    """Open a concern through log_interaction; returns its id."""
    concern = ConcernDraft(severity=severity, owner_id=owner_id, resolved_by_staff_present=True)
    saved = log_contact(
        engine, world, staff, outcome="concern-opened", concern=concern, **overrides
    )
    return saved.concern_id


def version_of(engine, concern_id) -> int:
    """The concern's current version (what an action is checked against)."""
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


# --- the app in AppTest ---------------------------------------------------------------------------


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill in and submit the app's sign-in form."""
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


# --- what a page sent to the browser --------------------------------------------------------------


def _walk(node):
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _walk(child)


def rendered_text(at) -> str:
    """Everything the page sent to the browser, as text: every element's protobuf, which holds
    labels, values, table cells (Arrow bytes) and chart specs with their data."""
    parts = []
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            proto = getattr(node, "proto", None)
            if proto is not None:
                parts.append(str(proto))
    return "\n".join(parts)

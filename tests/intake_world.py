"""Small fixed data for the intake and patient tests."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.intake import ConcernDraft, InteractionDraft
from db.models import Category, Department, Patient

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in New York


def seed_world(engine) -> dict:
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

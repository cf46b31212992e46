"""A small, fixed hospital for the dashboard tests, with answers worked out by hand.

The reporting week is ISO week 2026-W46 (Monday 9 to Sunday 15 November, EST); the previous week
is 2 to 8 November. Daylight-saving time ended on 1 November, and concern C9 straddles it.
"Now" is Friday 20 November 12:00 EST.

Hand-computed answers (see the tests):
  interactions       this week 5 (Cardiology 3), previous 2
  first contact      this week 3 of 4, previous 1 of 2
  concerns opened    this week 5 (complaint 2, grievance 1, compliment 1, inquiry 1), previous 2
  on time            this week 2 of 3 (C2 resolved exactly at its due time), previous 1 of 2
  median days        this week 2.0 of 4, previous (3 + 8 1/24) / 2 of 2
  grievance response this week 1 of 2 (C7 yes, C8 no), previous 1 of 1 (C9, across DST)
  open now           3 (a week earlier 4); overdue now 2 (a week earlier 2)
  NPS                this week (2 - 1) / 3 = 33.3 points, previous 0 of 1
  complaints /1,000  Cardiology 1 over 3000 x 7/30 = 700 encounters
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import (
    Category,
    Concern,
    ConcernIssue,
    Department,
    EncounterVolume,
    Interaction,
    Patient,
    SurveyAnswer,
    SurveyInstrument,
    SurveyQuestion,
    SurveyResponse,
)
from db.periods import Period
from tests.helpers import NY

TZ_NAME = "America/New_York"
WEEK = Period(dt.date(2026, 11, 9), dt.date(2026, 11, 16), TZ_NAME)
PREVIOUS_WEEK = Period(dt.date(2026, 11, 2), dt.date(2026, 11, 9), TZ_NAME)
PATIENT_NAMES = ("Zebedee", "Quartermaine", "Philippa", "Oyelaran-Fitch")
PATIENT_MRNS = ("MRN7777123", "MRN8888456")


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    """A facility wall-clock time as a UTC-aware instant."""
    return dt.datetime(y, m, d, h, mi, tzinfo=NY).astimezone(dt.UTC)


NOW = local(2026, 11, 20, 12)


@dataclass
class World:
    cardiology: int
    emergency: int
    staff_id: int
    concerns: dict[str, int]
    categories: dict[str, int]
    overall_question: int
    recommend_question: int
    instrument: int
    patients: list[int]


def add_interaction(
    session: Session,
    staff_id: int,
    when: dt.datetime,
    department_id: int | None,
    outcome: str,
    concern_id: int | None = None,
    patient_id: int | None = None,
) -> Interaction:
    row = Interaction(
        occurred_at=when,
        channel="phone",
        direction="inbound",
        patient_id=patient_id,
        department_id=department_id,
        summary="Called about their stay",
        outcome=outcome,
        concern_id=concern_id,
        logged_by=staff_id,
        client_submission_id=uuid.uuid4(),
    )
    session.add(row)
    session.flush()
    return row


def add_concern(
    session: Session,
    staff_id: int,
    *,
    type: str,
    severity: str,
    department_id: int | None,
    opened_at: dt.datetime,
    due_at: dt.datetime | None,
    resolved_at: dt.datetime | None = None,
    status: str | None = None,
    written_response_at: dt.datetime | None = None,
    patient_id: int | None = None,
    issues: tuple[int, ...] = (),
) -> Concern:
    status = status or ("resolved" if resolved_at else "new")
    concern = Concern(
        type=type,
        severity=severity,
        status=status,
        summary="Patient unhappy about the wait",
        department_id=department_id,
        patient_id=patient_id,
        created_by=staff_id,
        opened_at=opened_at,
        due_at=due_at,
        acknowledgement_due_at=opened_at + dt.timedelta(days=1) if type == "grievance" else None,
        resolved_at=resolved_at,
        resolution="Apologised and explained" if resolved_at else None,
        closed_at=resolved_at if status == "closed" else None,
        written_response_at=written_response_at,
        response_contact_person="Daniel Okafor" if written_response_at else None,
        response_steps_taken="Reviewed the record" if written_response_at else None,
        response_result="Process changed" if written_response_at else None,
        response_completed_on=written_response_at.date() if written_response_at else None,
    )
    session.add(concern)
    session.flush()
    for position, category_id in enumerate(issues, start=1):
        session.add(
            ConcernIssue(
                concern_id=concern.id,
                position=position,
                category_id=category_id,
                hcat_severity=2,
            )
        )
    if issues:
        concern.category_id = issues[0]
    session.flush()
    return concern


def add_response(
    session: Session,
    instrument_id: int,
    department_id: int,
    on: dt.date,
    answers: dict[int, float],
    patient_id: int | None = None,
) -> SurveyResponse:
    response = SurveyResponse(
        instrument_id=instrument_id,
        department_id=department_id,
        responded_on=on,
        patient_id=patient_id,
        comment="The nurses were kind",
    )
    session.add(response)
    session.flush()
    for question_id, value in answers.items():
        session.add(SurveyAnswer(response_id=response.id, question_id=question_id, value=value))
    session.flush()
    return response


def build_world(session: Session, staff_id: int) -> World:
    """The fixed hospital described in the module docstring (committed by the caller)."""
    cardiology = Department(name="Cardiology")
    emergency = Department(name="Emergency Department")
    session.add_all([cardiology, emergency])
    patients = [
        Patient(
            mrn=PATIENT_MRNS[0],
            given_name="Zebedee",
            family_name="Quartermaine",
            phone="555-010-2000",
            email="zq@example.org",
        ),
        Patient(
            mrn=PATIENT_MRNS[1],
            given_name="Philippa",
            family_name="Oyelaran-Fitch",
            phone="555-010-3000",
        ),
    ]
    session.add_all(patients)
    session.flush()
    categories = {c.name: c.id for c in session.query(Category)}
    quality, safety = categories["Quality of care"], categories["Safety"]
    environment = categories["Environment"]
    communication = next(i for name, i in categories.items() if name.startswith("Communication"))
    a, b, p1, p2 = cardiology.id, emergency.id, patients[0].id, patients[1].id

    def concern(**kw) -> int:
        return add_concern(session, staff_id, **kw).id

    ids = {
        "C1": concern(
            type="complaint",
            severity="medium",
            department_id=a,
            opened_at=local(2026, 11, 10, 9),
            due_at=local(2026, 11, 17, 9),
            resolved_at=local(2026, 11, 12, 9),
            patient_id=p1,
            issues=(quality, communication),
        ),
        # Resolved exactly at its due time: on time.
        "C2": concern(
            type="grievance",
            severity="high",
            department_id=b,
            opened_at=local(2026, 11, 11, 11),
            due_at=local(2026, 11, 14, 11),
            resolved_at=local(2026, 11, 14, 11),
            status="closed",
            written_response_at=local(2026, 11, 13, 15),
            patient_id=p2,
            issues=(safety,),
        ),
        # Compliments carry no clock: resolved, but not in the on-time denominator.
        "C3": concern(
            type="compliment",
            severity="low",
            department_id=a,
            opened_at=local(2026, 11, 12, 8),
            due_at=None,
            resolved_at=local(2026, 11, 12, 20),
        ),
        "C4": concern(
            type="complaint",
            severity="critical",
            department_id=b,
            opened_at=local(2026, 11, 13, 8),
            due_at=local(2026, 11, 14, 8),
            resolved_at=local(2026, 11, 15, 8),
            issues=(communication,),
        ),
        "C5": concern(
            type="inquiry",
            severity="low",
            department_id=a,
            opened_at=local(2026, 11, 14, 10),
            due_at=local(2026, 11, 28, 10),
        ),
        "C6": concern(
            type="complaint",
            severity="high",
            department_id=b,
            opened_at=local(2026, 11, 1, 9),
            due_at=local(2026, 11, 4, 9),
            status="in_progress",
            patient_id=p1,
        ),
        "C7": concern(
            type="grievance",
            severity="medium",
            department_id=a,
            opened_at=local(2026, 11, 3, 10),
            due_at=local(2026, 11, 10, 10),
            resolved_at=local(2026, 11, 6, 10),
            written_response_at=local(2026, 11, 9, 10),
            issues=(environment,),
        ),
        "C8": concern(
            type="grievance",
            severity="high",
            department_id=b,
            opened_at=local(2026, 11, 5, 12),
            due_at=local(2026, 11, 8, 12),
            status="escalated",
            patient_id=p2,
        ),
        # Opened in daylight time, its 7-day window ends in standard time (169 hours later):
        # the response 168.5 hours after opening is still within 7 calendar days.
        "C9": concern(
            type="grievance",
            severity="medium",
            department_id=a,
            opened_at=local(2026, 10, 27, 10),
            due_at=local(2026, 11, 3, 10),
            resolved_at=local(2026, 11, 4, 10),
            written_response_at=local(2026, 11, 3, 9, 30),
        ),
    }
    for when, dept, outcome, concern_key in [
        (local(2026, 11, 9, 0, 0), a, "resolved-first-contact", None),
        (local(2026, 11, 10, 10), a, "resolved-first-contact", None),
        (local(2026, 11, 11, 11), b, "concern-opened", "C2"),
        (local(2026, 11, 12, 12), b, "information-only", None),
        # Sunday 23:30 local is Monday 04:30 UTC, and still this week.
        (local(2026, 11, 15, 23, 30), a, "resolved-first-contact", None),
        (local(2026, 11, 16, 0, 30), a, "resolved-first-contact", None),
        (local(2026, 11, 3, 10), a, "concern-opened", "C7"),
        (local(2026, 11, 8, 23, 59), b, "resolved-first-contact", None),
    ]:
        add_interaction(
            session,
            staff_id,
            when,
            dept,
            outcome,
            ids[concern_key] if concern_key else None,
            patient_id=p1,
        )

    instrument = SurveyInstrument(name="Inpatient experience")
    session.add(instrument)
    session.flush()
    overall = SurveyQuestion(
        instrument_id=instrument.id,
        code="overall",
        wording="Overall care",
        position=1,
        scale_min=1,
        scale_max=5,
        top_box_min=5,
    )
    recommend = SurveyQuestion(
        instrument_id=instrument.id,
        code="ltr",
        wording="How likely are you to recommend us?",
        position=2,
        scale_min=0,
        scale_max=10,
        top_box_min=9,
        is_likelihood_to_recommend=True,
    )
    session.add_all([overall, recommend])
    session.flush()
    for on, dept, q1, q2 in [
        (dt.date(2026, 11, 9), a, 5, 10),
        (dt.date(2026, 11, 12), a, 4, 9),
        (dt.date(2026, 11, 15), b, 2, 6),
        (dt.date(2026, 11, 16), b, 5, 10),
        (dt.date(2026, 11, 8), a, 3, 7),
    ]:
        add_response(
            session, instrument.id, dept, on, {overall.id: q1, recommend.id: q2}, patient_id=p1
        )
    session.add(EncounterVolume(department_id=a, month=dt.date(2026, 11, 1), encounters=3000))
    session.flush()
    return World(
        cardiology=a,
        emergency=b,
        staff_id=staff_id,
        concerns=ids,
        categories={
            "quality": quality,
            "safety": safety,
            "environment": environment,
            "communication": communication,
        },
        overall_question=overall.id,
        recommend_question=recommend.id,
        instrument=instrument.id,
        patients=[p1, p2],
    )

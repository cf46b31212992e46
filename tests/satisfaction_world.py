"""A small survey world for the satisfaction tests: the standard instruments, two departments,
and a helper that adds responses through the same bulk path the import uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import Department, SurveyAnswer, SurveyResponse
from db.satisfaction import Instrument, instruments, seed_standard_instruments

TZ_NAME = "America/New_York"
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # Friday of 2026-W47
TODAY = dt.date(2026, 11, 20)


@dataclass
class SurveyWorld:
    csat: Instrument
    nps: Instrument
    hcahps: Instrument
    medicine: int
    surgery: int

    def q(self, instrument: Instrument, code: str):
        return next(q for q in instrument.questions if q.code == code)


def build_survey_world(session: Session) -> SurveyWorld:
    seed_standard_instruments(session=session)
    medicine = Department(name="Medicine")
    surgery = Department(name="Surgery")
    session.add_all([medicine, surgery])
    session.flush()
    found = {i.name: i for i in instruments(session=session)}
    return SurveyWorld(
        found["Post-contact CSAT"],
        found["Net Promoter Score"],
        found["Inpatient experience (HCAHPS-style)"],
        medicine.id,
        surgery.id,
    )


def add_answers(
    session: Session,
    instrument: Instrument,
    question_id: int,
    department_id: int,
    day: dt.date,
    values: list[int],
    comment: str | None = None,
) -> list[int]:
    """One response per value, each answering `question_id`."""
    ids = []
    for value in values:
        response = SurveyResponse(
            instrument_id=instrument.id,
            department_id=department_id,
            responded_on=day,
            comment=comment,
        )
        session.add(response)
        session.flush()
        session.add(SurveyAnswer(response_id=response.id, question_id=question_id, value=value))
        ids.append(response.id)
    session.flush()
    return ids

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from db.intake import log_interaction
from db.patients import (
    InvalidInput,
    NewPatient,
    create_patient,
    is_repeat_contact,
    patient_timeline,
    search_kind,
    search_patients,
)
from tests.helpers import NOW, NY, draft, log_contact


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("smi", ["Smith, John", "Smithers, Joanna", "Patel, Smita"]),  # family name first
        ("SMITH", ["Smith, John", "Smithers, Joanna"]),
        ("smith jo", ["Smith, John", "Smithers, Joanna"]),
        ("smith, john", ["Smith, John"]),
        ("john smith", ["Smith, John"]),
        ("MRN00000", ["Smith, John", "Patel, Smita"]),
        ("mrn0001", ["Smithers, Joanna"]),
        ("555 010", ["Smith, John"]),
        ("(555) 7", ["Patel, Smita"]),
        ("2125", ["Smithers, Joanna"]),
        ("o'brien_", ["O'Brien_Test, Ana"]),
        ("%", []),
        ("_", []),
        ("s", []),
        ("zzz", []),
    ],
)
def test_prefix_search_by_mrn_name_or_phone_digits(session, world, query, expected):
    assert [m.display_name for m in search_patients(session=session, query=query)] == expected


def test_search_wildcards_are_literal(session, world):
    assert search_patients(session=session, query="o'brien%") == []
    assert search_patients(session=session, query="sm_th") == []


@pytest.mark.parametrize(
    ("query", "kind"),
    [("555-0102", "phone"), ("MRN12", "mrn"), ("Smith", "name"), ("O'Brien", "name")],
)
def test_search_kind(query, kind):
    assert search_kind(query) == kind


def test_results_show_name_mrn_and_birth_date(session, world):
    (match,) = search_patients(session=session, query="MRN0000001")
    assert match.label == "Smith, John · MRN0000001 · born 1950-03-02"


def test_new_patient_is_validated_field_by_field(session, world):
    with pytest.raises(InvalidInput) as error:
        create_patient(
            session=session,
            new=NewPatient(
                mrn="x",
                given_name=" ",
                family_name="Doe",
                phone="call me",
                email="nope",
                date_of_birth=dt.date(1850, 1, 1),
            ),
        )
    assert set(error.value.errors) == {"mrn", "given_name", "phone", "email", "date_of_birth"}


def test_taken_mrn_is_a_field_error(session, world):
    with pytest.raises(InvalidInput) as error:
        create_patient(
            session=session, new=NewPatient(mrn="mrn0000001", given_name="A", family_name="B")
        )
    assert "already exists" in error.value.errors["mrn"]


def test_timeline_and_repeat_contact_marker(engine, world, make_staff):
    staff = make_staff("executive")
    for minutes in (60 * 24 * 40, 60 * 24 * 20, 60 * 24 * 2):
        log_contact(
            engine,
            world,
            staff,
            occurred_at=NOW - dt.timedelta(minutes=minutes),
            outcome="information-only",
        )
    with Session(engine) as s:
        assert not is_repeat_contact(session=s, patient_id=world["smith"], now=NOW)
    with Session(engine) as s, s.begin():
        log_interaction(
            session=s, staff=staff, tz=NY, now=NOW, draft=draft(world, outcome="concern-opened")
        )
    with Session(engine) as s:
        assert is_repeat_contact(session=s, patient_id=world["smith"], now=NOW)
        timeline = patient_timeline(session=s, patient_id=world["smith"])
    assert [e.kind for e in timeline][:2] in (
        ["interaction", "concern"],
        ["concern", "interaction"],
    )
    assert len(timeline) == 5
    assert timeline[-1].at == NOW - dt.timedelta(days=40)

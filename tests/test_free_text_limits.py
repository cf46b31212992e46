"""NUL characters and over-long text are refused in one place (db.validation.text_problem) with a
field message that says the limit and the length; nothing crashes and typed input is kept."""

import dataclasses
import datetime as dt

import pytest

from db import concerns as c
from db.intake import ConcernDraft, log_interaction
from db.patients import NewPatient, search_patients
from db.validation import MAX_LONG_TEXT, MAX_SHORT_TEXT, NUL_MESSAGE, InvalidInput
from tests.helpers import NOW, NY, draft, open_concern, seed_world, version_of

NUL = "Cold food\x00 on ward 4"
HUGE = "x" * 102_400


def _log(s, staff, world, text, field):
    overrides = {
        "summary": {"summary": text},
        "concern.override_reason": {
            "outcome": "concern-opened",
            "concern": ConcernDraft(override_reason=text),
        },
        "new_patient.family_name": {
            "patient_id": None,
            "new_patient": NewPatient(mrn="NEW-1", given_name="Ann", family_name=text),
        },
    }[field]
    log_interaction(session=s, staff=staff, draft=draft(world, **overrides), tz=NY, now=NOW)


def _action(name):
    def run(s, staff, world, text, field):
        cid = open_concern_in(s, staff, world)
        v = version_of(s.get_bind(), cid)
        common = dict(session=s, staff=staff, concern_id=cid, seen_version=v)
        calls = {
            "note": lambda: c.add_note(**common, note=text),
            "reason": lambda: c.escalate(**common, department_id=world["cardio"], reason=text),
            "summary": lambda: c.record_follow_up(
                **common, channel="phone", direction="outbound", summary=text, occurred_at=NOW
            ),
            "contact_person": lambda: c.record_written_response(
                **common,
                contact_person=text,
                steps_taken="x",
                result="x",
                completed_on=NOW.date(),
                sent_at=NOW,
            ),
            "steps_taken": lambda: c.record_written_response(
                **common,
                contact_person="x",
                steps_taken=text,
                result="x",
                completed_on=NOW.date(),
                sent_at=NOW,
            ),
            "still_note": lambda: c.record_still_working(
                **common, new_date=NOW.date() + dt.timedelta(days=9), note=text, today=NOW.date()
            ),
            "description": lambda: c.save_issue(
                **common,
                category_id=world["categories"]["Environment"],
                hcat_severity=1,
                harm_level=None,
                description=text,
            ),
            "resolution": lambda: c.resolve(**common, resolution=text, resolved_at=NOW),
        }
        calls[name]()

    return run


_OPENED = {}


def open_concern_in(s, staff, world):
    return _OPENED["id"]


# (what is typed into, the field the message is for, its limit, how to submit it)
FIELDS = [
    ("interaction summary", "summary", MAX_LONG_TEXT, _log),
    ("grievance override reason", "concern.override_reason", MAX_SHORT_TEXT, _log),
    ("new patient's family name", "new_patient.family_name", 100, _log),
    ("note", "note", MAX_LONG_TEXT, _action("note")),
    ("escalation reason", "reason", MAX_SHORT_TEXT, _action("reason")),
    ("follow-up summary", "summary", MAX_LONG_TEXT, _action("summary")),
    ("written-response contact", "contact_person", MAX_SHORT_TEXT, _action("contact_person")),
    ("written-response steps", "steps_taken", MAX_LONG_TEXT, _action("steps_taken")),
    ("still-working note", "note", MAX_SHORT_TEXT, _action("still_note")),
    ("issue description", "description", MAX_SHORT_TEXT, _action("description")),
    ("resolution", "resolution", MAX_LONG_TEXT, _action("resolution")),
]


@pytest.mark.parametrize("typed", ["nul", "over-long"])
@pytest.mark.parametrize(("what", "field", "limit", "submit"), FIELDS, ids=[f[0] for f in FIELDS])
def test_every_free_text_field_refuses_nul_and_over_long_text(
    engine, make_staff, session, what, field, limit, submit, typed
):
    world = seed_world(engine)
    staff = make_staff("manager")
    _OPENED["id"] = open_concern(engine, world, staff)
    text = NUL if typed == "nul" else "y" * (limit + 1)
    with pytest.raises(InvalidInput) as refused:
        submit(session, staff, world, text, field)
    session.rollback()
    errors = refused.value.errors
    message = errors.get(field) or errors.get(field.removeprefix("new_patient."))
    assert message, errors
    if typed == "nul":
        assert message == NUL_MESSAGE
    elif limit != 100:
        assert f"{limit:,}" in message and f"{limit + 1:,}" in message


def test_search_refuses_nul_with_a_message(session):
    with pytest.raises(InvalidInput) as refused:
        search_patients(session=session, query="smi\x00th")
    assert refused.value.errors == {"query": NUL_MESSAGE}


def test_a_100_kb_summary_is_kept_and_refused_with_its_length(page_as, engine, make_staff):
    world = seed_world(engine)
    staff = make_staff("executive", home_department_id=world["ed"])
    at = page_as("pages/log_interaction.py", staff).run()
    at.radio(key="log0_patient_mode").set_value("Anonymous").run()
    at.text_area(key="log0_summary").input(HUGE)
    at.button(key="FormSubmitter:log0_form-Save").click().run()
    assert not at.exception
    assert at.text_area(key="log0_summary").value == HUGE
    assert any("At most 4,000 characters: this has 102,400." in e.value for e in at.error)


def test_nul_in_the_patient_search_is_a_field_message(page_as, engine, make_staff):
    seed_world(engine)
    staff = make_staff("manager")
    at = page_as("pages/patients.py", staff).run()
    at.text_input(key="patients_lookup_query").input("smith\x00").run()
    assert not at.exception
    assert [e.value for e in at.error] == [NUL_MESSAGE]
    assert at.text_input(key="patients_lookup_query").value == "smith\x00"


def test_nul_in_the_worklist_address_is_a_message(page_as, engine, make_staff):
    seed_world(engine)
    staff = make_staff("manager")
    at = page_as("pages/open_concerns.py", staff)
    at.query_params["q"] = "\x00"
    at.run()
    assert not at.exception
    assert NUL_MESSAGE in [e.value for e in at.error]


def test_a_draft_with_nul_is_refused_before_the_database(engine, make_staff, session):
    world = seed_world(engine)
    staff = make_staff("executive")
    d = dataclasses.replace(draft(world), summary="a\x00b")
    with pytest.raises(InvalidInput) as refused:
        log_interaction(session=session, staff=staff, draft=d, tz=NY, now=NOW)
    assert refused.value.errors == {"summary": NUL_MESSAGE}

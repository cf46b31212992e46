"""Form drafts: kept per person and form, cleared on save or discard, expired after a day,
never shown to another person; offered back by the Log interaction and concern pages."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.drafts import DRAFT_LIFETIME, discard_draft, latest_draft_form, load_draft, save_draft
from db.models import FormDraft
from tests.displayed import html_texts
from tests.helpers import open_concern

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


def _save(engine, user_id, form, fields, now=NOW):
    with Session(engine) as s, s.begin():
        return save_draft(session=s, user_id=user_id, form=form, fields=fields, now=now)


def _load(engine, user_id, form, now=NOW):
    with Session(engine) as s:
        return load_draft(session=s, user_id=user_id, form=form, now=now)


def _drafts(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(FormDraft))


def test_a_draft_is_kept_per_person_and_form_and_replaced(engine, make_staff):
    ana, ben = make_staff("executive"), make_staff("executive")
    assert _save(engine, ana.id, "log", {"summary": "first"})
    assert _save(engine, ana.id, "log", {"summary": "second", "patient_query": "MRN1"})
    _save(engine, ana.id, "concern:1:note", {"text": "a note"})
    assert _load(engine, ana.id, "log").fields == {"summary": "second", "patient_query": "MRN1"}
    assert _load(engine, ben.id, "log") is None  # never another person's
    assert _drafts(engine) == 2


@pytest.mark.parametrize(
    ("age", "offered"),
    [(dt.timedelta(hours=23, minutes=59), True), (DRAFT_LIFETIME + dt.timedelta(seconds=1), False)],
)
def test_a_draft_is_offered_for_a_day(engine, make_staff, age, offered):
    ana = make_staff("executive")
    _save(engine, ana.id, "log", {"summary": "typed"}, now=NOW - age)
    assert (_load(engine, ana.id, "log") is not None) == offered


def test_blank_input_keeps_no_draft_and_expired_drafts_are_deleted(engine, make_staff):
    ana = make_staff("executive")
    _save(engine, ana.id, "concern:3:note", {"text": "old"}, now=NOW - 2 * DRAFT_LIFETIME)
    assert not _save(engine, ana.id, "log", {"summary": "   ", "outcome": None})
    assert _drafts(engine) == 0
    assert _save(engine, ana.id, "log", {"summary": "nul\x00 removed"})
    assert _load(engine, ana.id, "log").fields == {"summary": "nul removed"}
    with Session(engine) as s, s.begin():
        discard_draft(session=s, user_id=ana.id, form="log")
    assert _drafts(engine) == 0


def test_the_latest_draft_of_a_concern_is_found_by_prefix(engine, make_staff):
    ana = make_staff("manager")
    _save(engine, ana.id, "concern:1:note", {"text": "x"}, now=NOW - dt.timedelta(hours=2))
    _save(engine, ana.id, "concern:1:resolve", {"text": "y"}, now=NOW - dt.timedelta(hours=1))
    _save(engine, ana.id, "concern:12:note", {"text": "z"})
    with Session(engine) as s:
        found = latest_draft_form(session=s, user_id=ana.id, prefix="concern:1:", now=NOW)
    assert found == "concern:1:resolve"


LOG = "pages/log_interaction.py"


def test_log_page_offers_the_draft_back_and_saving_clears_it(page_as, make_staff, world, engine):
    ana = make_staff("executive", home_department_id=world["ed"])
    ben = make_staff("executive", home_department_id=world["ed"])
    now = dt.datetime.now(dt.UTC)
    _save(
        engine,
        ana.id,
        "log",
        {"summary": "Asked about parking", "patient_query": "MRN0000001"},
        now,
    )

    other = page_as(LOG, ben).run()
    assert other.text_area(key="log0_summary").value == ""
    assert not other.info

    at = page_as(LOG, ana).run()
    assert not at.exception
    assert at.text_area(key="log0_summary").value == "Asked about parking"
    assert at.text_input(key="log0_patient_query").value == "MRN0000001"
    assert at.selectbox(key="log0_patient_pick").value.mrn == "MRN0000001"
    assert "is back in the form" in at.info[0].value
    at.button(key="FormSubmitter:log0_form-Save").click().run()
    assert "Interaction #1 logged for Smith, John" in html_texts(at, "success")[0]
    assert _load(engine, ana.id, "log", dt.datetime.now(dt.UTC)) is None
    assert at.text_area(key="log1_summary").value == ""


def test_discarding_the_draft_empties_the_form(page_as, make_staff, world, engine):
    ana = make_staff("executive", home_department_id=world["ed"])
    _save(engine, ana.id, "log", {"summary": "Never mind"}, dt.datetime.now(dt.UTC))
    at = page_as(LOG, ana).run()
    at.button(key="log0_discard").click().run()
    assert not at.exception
    assert at.text_area(key="log1_summary").value == ""
    assert _drafts(engine) == 0


def test_a_concern_action_draft_opens_its_form_filled(page_as, make_staff, world, engine):
    manager = make_staff("manager")
    concern_id = open_concern(engine, world, manager)
    form = f"concern:{concern_id}:resolve"
    _save(engine, manager.id, form, {"text": "Apologised and refunded"}, dt.datetime.now(dt.UTC))
    at = page_as("pages/open_concerns.py", manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    assert not at.exception
    assert at.segmented_control(key=f"concern_action_{concern_id}").value == "resolve"
    key = f"cf_{concern_id}_resolve_0"
    assert at.text_area(key=f"{key}_text").value == "Apologised and refunded"
    at.button(key=f"FormSubmitter:{key}-Resolve").click().run()
    assert html_texts(at, "success")[0] == "Resolved."
    assert _drafts(engine) == 0

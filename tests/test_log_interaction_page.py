"""The Log interaction page through AppTest: each outcome, errors keep input, saving once."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import grievance
from db.models import AuditLog, Concern, Interaction, Patient
from tests.displayed import html_texts

PAGE = "pages/log_interaction.py"


@pytest.fixture
def executive(make_staff, world):
    return make_staff("executive", home_department_id=world["ed"])


def _count(engine, model, *where):
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _find(at, query):
    at.text_input(key="log0_patient_query").input(query).run()
    return at


def _save(at):
    """Press the form's Save button (Enter in a field does the same in a browser)."""
    version = at.session_state["log_form_version"]
    return at.button(key=f"FormSubmitter:log{version}_form-Save").click().run()


def test_resolved_call_saves_and_clears_the_form(page_as, executive, world, engine):
    at = _find(page_as(PAGE, executive).run(), "smith, john")
    assert not at.exception
    assert at.selectbox(key="log0_patient_pick").value.mrn == "MRN0000001"
    assert at.selectbox(key="log0_department").value == world["ed"]  # home department default
    assert at.selectbox(key="log0_channel").value == "phone"
    at.text_area(key="log0_summary").input("Asked when visiting hours end")
    _save(at)
    assert not at.exception
    assert "Interaction #1 logged for Smith, John" in html_texts(at, "success")[0]
    assert at.session_state["log_form_version"] == 1
    assert at.text_area(key="log1_summary").value == ""
    with Session(engine) as s:
        row = s.scalars(select(Interaction)).one()
        assert (row.patient_id, row.outcome) == (world["smith"], "resolved-first-contact")
        actions = sorted(a.action for a in s.scalars(select(AuditLog)))
        assert actions == ["create", "search-patient"]
    assert any("\tAsked when visiting hours end" in t for t in html_texts(at))


def test_validation_errors_are_shown_by_field_and_keep_the_input(page_as, executive, world, engine):
    at = page_as(PAGE, executive).run()
    at.radio(key="log0_patient_mode").set_value("Anonymous").run()
    at.number_input(key="log0_minutes").set_value(12)
    _save(at)  # no summary
    assert not at.exception
    assert "Write what the contact was about." in [e.value for e in at.error]
    assert at.number_input(key="log0_minutes").value == 12
    assert at.session_state["log_form_version"] == 0
    assert _count(engine, Interaction) == 0


def test_opening_a_concern_proposes_a_grievance_and_links_to_it(page_as, executive, world, engine):
    at = _find(page_as(PAGE, executive).run(), "MRN0000002")
    at.radio(key="log0_outcome").set_value("concern-opened").run()
    at.selectbox(key="log0_category").set_value(world["categories"]["Communication"])
    at.text_area(key="log0_summary").input("Nobody explained the new medication")
    _save(at)
    assert not at.exception
    text = html_texts(at, "success")[0]
    assert "Grievance #1 opened" in text and "not resolved at the time" in text
    with Session(engine) as s:
        concern = s.scalars(select(Concern)).one()
        assert (concern.type, concern.owner_id) == ("grievance", executive.id)


def test_new_patient_inline_with_field_errors_then_success(page_as, executive, world, engine):
    at = page_as(PAGE, executive).run()
    at.radio(key="log0_patient_mode").set_value("New patient").run()
    at.text_input(key="log0_mrn").input("bad mrn!")
    at.text_input(key="log0_given").input("Rosa")
    at.text_input(key="log0_family").input("Diaz")
    at.text_area(key="log0_summary").input("Lost property on ward 4")
    _save(at)
    assert "MRN: 3 to 20 letters, digits or dashes." in [e.value for e in at.error]
    assert at.text_input(key="log0_given").value == "Rosa"
    at.text_input(key="log0_mrn").input("MRN4444444")
    _save(at)
    assert "logged for Diaz, Rosa" in html_texts(at, "success")[0]
    assert _count(engine, Patient, Patient.mrn == "MRN4444444") == 1


def test_open_concern_warning_and_add_to_it(page_as, executive, world, engine):
    at = _find(page_as(PAGE, executive).run(), "smith, john")
    at.radio(key="log0_outcome").set_value("concern-opened").run()
    at.selectbox(key="log0_category").set_value(world["categories"]["Environment"])
    at.text_area(key="log0_summary").input("Room too cold")
    _save(at)
    at.text_input(key="log1_patient_query").input("smith, john").run()
    assert any("Open grievance #1" in w for w in html_texts(at, "warning"))
    at.radio(key="log1_outcome").set_value("added-to-concern").run()
    assert at.selectbox(key="log1_add_to").value == 1
    at.text_area(key="log1_summary").input("Called again about the room")
    _save(at)
    assert "Added to concern #1" in html_texts(at, "success")[0]
    assert _count(engine, Interaction, Interaction.outcome == "added-to-concern") == 1


def test_find_mode_without_a_pick_asks_for_the_patient(page_as, executive, world, engine):
    at = page_as(PAGE, executive).run()
    at.text_area(key="log0_summary").input("Question about parking")
    _save(at)
    assert any("Find and pick the patient" in e.value for e in at.error)
    assert at.text_area(key="log0_summary").value == "Question about parking"
    assert _count(engine, Interaction) == 0


def test_a_failed_save_keeps_its_submission_id_so_a_retry_saves_once(
    page_as, executive, world, engine
):
    at = page_as(PAGE, executive).run()
    at.radio(key="log0_patient_mode").set_value("Anonymous").run()
    at.number_input(key="log0_minutes").set_value(5)
    _save(at)  # refused: no summary
    first_id = at.session_state["log0_submission"]
    at.text_area(key="log0_summary").input("Parking question")
    _save(at)
    with Session(engine) as s:
        assert s.scalar(select(Interaction.client_submission_id)) == first_id
    assert _count(engine, Interaction) == 1


def test_leadership_cannot_open_the_page(page_as, make_staff):
    at = page_as(PAGE, make_staff("leadership")).run()
    assert "does not give access" in at.error[0].value


def _proposal(at) -> str:
    (text,) = [t for t in html_texts(at, "info") if t.startswith("Proposed type")]
    return text


def test_the_proposed_type_follows_the_facts_before_saving(page_as, executive, world, engine):
    """Each change of channel or checkbox redraws the proposal with the rule that decided it,
    in the words db.grievance gives, and the override says what it would override."""
    at = _find(page_as(PAGE, executive).run(), "MRN0000002")
    at.radio(key="log0_outcome").set_value("concern-opened").run()
    assert not at.exception
    assert _proposal(at) == (
        "Proposed type: The CMS rules propose a grievance: not resolved at the time by staff "
        "present."
    )
    at.checkbox(key="log0_present").check().run()
    assert _proposal(at).endswith(f"propose a complaint: {grievance.RULE_RESOLVED_PROMPTLY}.")
    at.selectbox(key="log0_channel").set_value("letter").run()
    assert _proposal(at).endswith(f"propose a grievance: {grievance.RULE_WRITTEN}.")
    at.selectbox(key="log0_channel").set_value("phone").run()
    at.checkbox(key="log0_written").check().run()
    assert _proposal(at).endswith(f"propose a grievance: {grievance.RULE_WRITTEN_RESPONSE}.")
    at.checkbox(key="log0_abuse").check().run()
    assert f"grievance: {grievance.RULE_ABUSE}. It will be saved with critical severity." in (
        _proposal(at)
    )
    # Nothing to override while the rules decide; choosing the other type asks why, naming it.
    override = at.text_input(key="log0_override")
    assert override.disabled
    assert (
        at.selectbox(key="log0_type").format_func("auto") == "Grievance, as the CMS rules propose"
    )
    at.selectbox(key="log0_type").set_value("complaint").run()
    override = at.text_input(key="log0_override")
    assert not override.disabled
    assert override.label == "Reason to record a complaint, not the grievance the rules propose"
    assert _count(engine, Concern) == 0  # all of it before anything is saved


def test_an_overridden_proposal_is_saved_with_its_reason(page_as, executive, world, engine):
    at = _find(page_as(PAGE, executive).run(), "MRN0000002")
    at.radio(key="log0_outcome").set_value("concern-opened").run()
    at.selectbox(key="log0_channel").set_value("email").run()
    at.selectbox(key="log0_type").set_value("complaint").run()
    at.selectbox(key="log0_category").set_value(world["categories"]["Communication"])
    at.text_area(key="log0_summary").input("Asked by email about the parking fee")
    _save(at)  # no reason: refused, under the reason, with the rule
    assert not at.exception
    assert any(grievance.RULE_WRITTEN in e.value for e in at.error)
    assert at.text_area(key="log0_summary").value == "Asked by email about the parking fee"
    assert _count(engine, Concern) == 0
    at.text_input(key="log0_override").input("Only a question about the fee").run()
    _save(at)
    assert not at.exception
    with Session(engine) as s:
        concern = s.scalars(select(Concern)).one()
        # (The refused attempt used up numbers: the one saved says its own.)
        assert f"Complaint #{concern.id} opened" in html_texts(at, "success")[0]
        assert (concern.type, concern.grievance_rule) == ("complaint", grievance.RULE_WRITTEN)
        assert concern.grievance_override_reason == "Only a question about the fee"
        assert s.scalars(select(Interaction)).one().channel == "email"
    # My interactions today links the concern to its detail, in a new tab.
    link = f'<a href="concerns?concern={concern.id}" target="_blank">#{concern.id}</a>'
    assert any(link in e.proto.body for e in at.get("html"))


def test_a_save_is_drawn_in_the_run_that_follows_it_with_no_second_run(
    page_as, executive, world, engine, reruns
):
    """Saved, refused, or no patient: the run that follows Save draws the outcome itself."""
    at = page_as(PAGE, executive).run()
    at.text_area(key="log0_summary").input("Question about parking")
    _save(at)  # no patient picked
    assert any("Find and pick the patient" in e.value for e in at.error)
    _find(at, "smith, john")
    at.text_area(key="log0_summary").input("")
    _save(at)  # refused: no summary
    assert "Write what the contact was about." in [e.value for e in at.error]
    assert at.session_state["log_form_version"] == 0
    at.text_area(key="log0_summary").input("Asked about parking")
    _save(at)
    assert not at.exception
    assert "Interaction #1 logged for Smith, John" in html_texts(at, "success")[0]
    # The same run drew the fresh form (empty, its search box empty) and today's list with it.
    assert at.text_area(key="log1_summary").value == ""
    assert at.text_input(key="log1_patient_query").value == ""
    assert any("\tAsked about parking" in t for t in html_texts(at))
    assert reruns == []
    assert _count(engine, Interaction) == 1


def test_a_patient_from_an_earlier_search_is_never_saved(page_as, executive, world, engine):
    """The search box changed since its results were drawn: the save waits for a pick."""
    at = _find(page_as(PAGE, executive).run(), "smith, john")
    at.text_area(key="log0_summary").input("Asked about parking")
    at.text_input(key="log0_patient_query").input("patel")  # sent with the Save, not searched
    _save(at)
    assert any("Find and pick the patient" in e.value for e in at.error)
    assert _count(engine, Interaction) == 0
    assert at.text_area(key="log0_summary").value == "Asked about parking"


def test_a_database_failure_keeps_the_form_and_a_retry_saves_once(
    page_as, executive, world, engine, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    import components.log_save as log_save

    real = log_save.log_interaction

    def unavailable(**kwargs):
        raise OperationalError("INSERT", {}, Exception("the server closed the connection"))

    at = page_as(PAGE, executive).run()
    at.radio(key="log0_patient_mode").set_value("Anonymous").run()
    at.text_area(key="log0_summary").input("Parking question")
    monkeypatch.setattr(log_save, "log_interaction", unavailable)
    _save(at)
    assert any("could not be saved just now" in e.value for e in at.error)
    assert at.text_area(key="log0_summary").value == "Parking question"
    assert at.session_state["log_form_version"] == 0
    monkeypatch.setattr(log_save, "log_interaction", real)
    _save(at)
    assert "logged for an anonymous contact" in html_texts(at, "success")[0]
    assert not any("could not be saved" in e.value for e in at.error)
    assert _count(engine, Interaction) == 1


def test_a_save_after_the_session_ended_elsewhere_saves_nothing(page_as, executive, world, engine):
    """Save runs in a callback, before app.py's sign-in check: it checks the session itself."""
    from db.users import end_session

    at = page_as(PAGE, executive).run()
    at.radio(key="log0_patient_mode").set_value("Anonymous").run()
    at.text_area(key="log0_summary").input("Parking question")
    with Session(engine) as s, s.begin():  # "Sign out everywhere" from another browser
        end_session(
            session=s,
            session_id=at.session_state["session_id"],
            user_id=executive.id,
            username=executive.username,
        )
    _save(at)
    assert _count(engine, Interaction) == 0
    assert "staff" not in at.session_state
    assert at.session_state["sign_out_notice"].startswith("Your session has ended")

"""The Open concerns page through AppTest: worklist, URL filters, detail, actions, conflicts."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import concerns as c
from db.models import Concern, ConcernEvent
from tests.displayed import html_texts
from tests.helpers import open_concern, version_of

PAGE = "pages/open_concerns.py"


def test_worklist_lists_open_concerns_with_masked_patients(page_as, world, manager, engine):
    open_concern(engine, world, manager, summary="Cold food on ward 4")
    at = page_as(PAGE, manager).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["#"]) == [1]
    assert frame["Patient"][0] == "J. S. …0001"
    text = " ".join(str(v) for v in frame.to_numpy().ravel())
    assert "Smith" not in text and "MRN0000001" not in text


def test_filters_come_from_and_go_to_the_url(page_as, world, manager, engine):
    open_concern(engine, world, manager, severity="high")
    open_concern(engine, world, manager, severity="low")
    at = page_as(PAGE, manager)
    at.query_params["severity"] = "low"
    at.run()
    assert at.multiselect(key="wl_severity").value == ["low"]
    assert list(at.dataframe[0].value["#"]) == [2]
    at.toggle(key="wl_overdue").set_value(True).run()
    assert at.query_params["overdue"] == ["1"] or at.query_params["overdue"] == "1"


def test_presentation_mode_shows_no_patient_or_summary(page_as, world, manager, engine):
    open_concern(engine, world, manager, summary="Cold food on ward 4")
    at = page_as(PAGE, manager)
    at.query_params["present"] = "1"
    at.run()
    assert "Patient" not in at.dataframe[0].value.columns
    assert "Summary" not in at.dataframe[0].value.columns


def test_detail_shows_the_concern_and_resolving_needs_text(page_as, world, manager, engine):
    concern_id = open_concern(
        engine, world, manager, category_id=world["categories"]["Quality of care"]
    )
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Complaint #1")
    assert any("Quality Improvement Organization" in w.value for w in at.warning)
    at.segmented_control(key=f"concern_action_{concern_id}").set_value("resolve").run()
    resolve = f"cf_{concern_id}_resolve_0"
    at.button(key=f"FormSubmitter:{resolve}-Resolve").click().run()
    assert "Enter how the concern was resolved." in [e.value for e in at.error]
    at.text_area(key=f"{resolve}_text").input("Apologised; meal replaced")
    at.button(key=f"FormSubmitter:{resolve}-Resolve").click().run()
    assert html_texts(at, "success")[0] == "Resolved."
    with Session(engine) as s:
        assert s.get(Concern, concern_id).status == "resolved"


def test_someone_elses_change_is_shown_and_the_typed_note_kept(
    page_as, world, manager, engine, make_staff
):
    concern_id = open_concern(engine, world, manager)
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    note = f"cf_{concern_id}_note_0"
    at.text_area(key=f"{note}_text").input("Spoke to the ward sister")
    other = make_staff("manager")
    with Session(engine) as s, s.begin():  # a colleague escalates meanwhile
        c.escalate(
            session=s,
            staff=other,
            concern_id=concern_id,
            seen_version=version_of(engine, concern_id),
            department_id=world["cardio"],
            reason="Ward manager to call",
        )
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()
    assert not at.exception
    warning = next(w for w in html_texts(at, "warning") if "Someone else changed" in w)
    assert "escalated" in warning and "Cardiology" in warning
    assert at.text_area(key=f"{note}_text").value == "Spoke to the ward sister"
    with Session(engine) as s:
        kinds = [e.kind for e in s.scalars(select(ConcernEvent))]
    assert "note" not in kinds
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()  # now against what they see
    assert html_texts(at, "success")[0] == "Note added."


def test_an_executive_cannot_open_another_executives_concern(page_as, world, make_staff, engine):
    owner, other = make_staff("executive"), make_staff("executive")
    concern_id = open_concern(engine, world, owner, owner_id=owner.id)
    at = page_as(PAGE, other)
    at.query_params["concern"] = str(concern_id)
    at.run()
    assert "belongs to another executive" in at.error[0].value


def test_a_refusal_after_a_success_is_shown_with_the_typed_text_kept(
    page_as, world, manager, engine
):
    """After one saved action, a refused written response stays chosen, says it was not saved
    above the chooser and under its fields, and keeps what was typed."""
    concern_id = open_concern(engine, world, manager)
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    chooser = f"concern_action_{concern_id}"
    note = f"cf_{concern_id}_note_0"
    at.text_area(key=f"{note}_text").input("Called the ward")
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()
    assert html_texts(at, "success")[0] == "Note added."
    at.segmented_control(key=chooser).set_value("response").run()
    response = f"cf_{concern_id}_response_0"
    at.text_input(key=f"{response}_person").input("Dana Reyes, Patient Relations")
    at.text_area(key=f"{response}_steps").input("Reviewed the chart; spoke to the nurse")
    at.button(key=f"FormSubmitter:{response}-Record written response sent").click().run()
    assert not at.exception
    assert at.segmented_control(key=chooser).value == "response"
    errors = [e.value for e in at.error]
    assert errors[0].startswith("Written response: not saved.")
    assert "Enter the result." in errors and "Enter the date the process was completed." in errors
    assert at.text_input(key=f"{response}_person").value == "Dana Reyes, Patient Relations"
    assert at.text_area(key=f"{response}_steps").value == "Reviewed the chart; spoke to the nurse"
    # Reopening an open concern is not offered at all; resolving without text is refused visibly.
    assert "Reopen" not in at.segmented_control(key=chooser).options
    assert "Resolve" in at.segmented_control(key=chooser).options
    at.segmented_control(key=chooser).set_value("resolve").run()
    at.button(key=f"FormSubmitter:cf_{concern_id}_resolve_0-Resolve").click().run()
    assert at.error[0].value.startswith("Resolve: not saved.")


def test_a_closed_concern_offers_only_a_note_and_reopening(page_as, world, manager, engine):
    concern_id = open_concern(engine, world, manager)
    for action, kwargs in (
        (c.resolve, {"resolution": "Apologised", "resolved_at": dt.datetime.now(dt.UTC)}),
        (c.close, {"closed_at": dt.datetime.now(dt.UTC)}),
    ):
        with Session(engine) as s, s.begin():
            action(
                session=s,
                staff=manager,
                concern_id=concern_id,
                seen_version=version_of(engine, concern_id),
                **kwargs,
            )
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    chooser = at.segmented_control(key=f"concern_action_{concern_id}")
    assert chooser.options == ["Add note", "Reopen"]
    chooser.set_value("reopen").run()
    at.button(key=f"FormSubmitter:cf_{concern_id}_reopen_0-Reopen").click().run()
    assert at.error[0].value.startswith("Reopen: not saved.")
    at.text_input(key=f"cf_{concern_id}_reopen_0_reason").input("Patient called again")
    at.button(key=f"FormSubmitter:cf_{concern_id}_reopen_0-Reopen").click().run()
    assert html_texts(at, "success")[0] == "Reopened."
    with Session(engine) as s:
        assert s.get(Concern, concern_id).status == "in_progress"


def test_each_action_is_drawn_in_the_run_that_follows_it_with_no_second_run(
    page_as, world, manager, engine, reruns
):
    """A refusal, a success and a status change: the action runs in its button's callback, so
    the one run that follows draws the outcome (Streamlit calls no st.rerun)."""
    concern_id = open_concern(engine, world, manager)
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    note = f"cf_{concern_id}_note_0"
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()  # refused: no text
    assert any("Add note: not saved" in e.value for e in at.error)
    at.text_area(key=f"{note}_text").input("Called the ward")
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()
    assert html_texts(at, "success")[0] == "Note added."
    assert at.text_area(key=f"cf_{concern_id}_note_1_text").value == ""
    assert any("Called the ward" in t for t in html_texts(at))  # the timeline, same run
    at.segmented_control(key=f"concern_action_{concern_id}").set_value("resolve").run()
    resolve = f"cf_{concern_id}_resolve_0"
    at.text_area(key=f"{resolve}_text").input("Apologised")
    at.button(key=f"FormSubmitter:{resolve}-Resolve").click().run()
    assert html_texts(at, "success")[0] == "Resolved."
    # The chooser offers what a resolved concern allows, in that same run.
    chooser = at.segmented_control(key=f"concern_action_{concern_id}")
    assert chooser.value == c.actions_allowed("resolved")[0]
    assert "Resolve" not in chooser.options
    assert reruns == []
    with Session(engine) as s:
        assert s.get(Concern, concern_id).status == "resolved"


def test_an_action_after_the_session_ended_elsewhere_does_nothing(page_as, world, manager, engine):
    """Actions run in callbacks, before app.py's sign-in check: they check the session."""
    from db.users import end_session

    concern_id = open_concern(engine, world, manager)
    at = page_as(PAGE, manager)
    at.query_params["concern"] = str(concern_id)
    at.run()
    note = f"cf_{concern_id}_note_0"
    at.text_area(key=f"{note}_text").input("Called the ward")
    with Session(engine) as s, s.begin():  # "Sign out everywhere" from another browser
        end_session(
            session=s,
            session_id=at.session_state["session_id"],
            user_id=manager.id,
            username=manager.username,
        )
    at.button(key=f"FormSubmitter:{note}-Add note").click().run()
    with Session(engine) as s:
        kinds = [e.kind for e in s.scalars(select(ConcernEvent))]
    assert "note" not in kinds
    assert "staff" not in at.session_state

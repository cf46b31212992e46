"""Admin › Surveys: the survey instruments and their questions (scale and labels, top-box rule,
direction, NPS flag, service-recovery threshold); a question with answers keeps its scale."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from components.admin_forms import FieldSlots, flash
from components.safe import escape_markdown
from components.session import get_engine
from db.admin_surveys import (
    AdminInstrument,
    AdminQuestion,
    QuestionFields,
    add_instrument,
    add_question,
    instruments_for_admin,
    set_instrument_active,
    update_instrument,
    update_question,
)
from db.users import StaffMember
from db.validation import InvalidInput

NEW = 0  # the "add a survey" choice of the picker
FORM_VERSION = "admin_survey_form_version"


def surveys_section(actor: StaffMember) -> None:
    """The Surveys section."""
    with Session(get_engine()) as session:
        found = instruments_for_admin(session=session)
    by_id = {i.id: i for i in found}
    chosen = st.selectbox(
        "Survey",
        [*by_id, NEW],
        format_func=lambda i: (
            "+ Add a survey"
            if i == NEW
            else by_id[i].name + ("" if by_id[i].active else " (inactive)")
        ),
        key="admin_survey_pick",
    )
    if chosen == NEW:
        _new_instrument(actor)
        return
    instrument = by_id[chosen]
    st.caption(
        f"{instrument.responses:,} responses. A question with answers keeps its scale and code; "
        "add a new question to ask on another scale. Changing a top-box rule recounts the "
        "scores of past weeks."
    )
    _questions_table(instrument.questions)
    left, right = st.columns(2, gap="large")
    with left:
        _instrument_form(actor, instrument)
    with right:
        if instrument.questions:
            st.subheader("Change a question")
            by_question = {q.id: q for q in instrument.questions}
            picked = st.selectbox(
                "Question",
                list(by_question),
                format_func=lambda q: by_question[q].fields.code,
                key=f"admin_survey_question_{instrument.id}",
            )
            _question_form(actor, instrument, by_question[picked])
    st.subheader("Add a question")
    _question_form(actor, instrument, None)


def _questions_table(questions: tuple[AdminQuestion, ...]) -> None:
    if not questions:
        st.info("No questions yet: add the first one below.")
        return
    st.dataframe(
        {
            "Code": [q.fields.code for q in questions],
            "Question": [q.fields.wording for q in questions],
            "Scale": [f"{q.fields.scale_min}–{q.fields.scale_max}" for q in questions],
            "Labels": [q.fields.scale_labels for q in questions],
            "Top box from": [q.fields.top_box_min for q in questions],
            "Higher is better": [q.fields.higher_is_better for q in questions],
            "NPS": [q.fields.is_likelihood_to_recommend for q in questions],
            "Recovery at or below": [
                "—" if q.fields.recovery_max is None else str(q.fields.recovery_max)
                for q in questions
            ],
            "Answers": [q.answers for q in questions],
        },
        hide_index=True,
        width="stretch",
    )


def _new_instrument(actor: StaffMember) -> None:
    st.subheader("Add a survey")
    slots = FieldSlots()
    with st.form(f"admin_survey_add_{_version()}"):
        name = st.text_input("Name")
        slots.under("name")
        description = st.text_area("Description (what it asks, and its top box)")
        slots.under("description")
        added = st.form_submit_button("Add survey", type="primary")
    if added:
        _save(
            slots,
            lambda s: add_instrument(session=s, actor=actor, name=name, description=description),
            "Survey added: now add its questions.",
        )


def _instrument_form(actor: StaffMember, instrument: AdminInstrument) -> None:
    st.subheader("The survey")
    slots = FieldSlots()
    with st.form(f"admin_survey_edit_{instrument.id}"):
        name = st.text_input("Name", value=instrument.name)
        slots.under("name")
        description = st.text_area("Description", value=instrument.description)
        slots.under("description")
        saved = st.form_submit_button("Save survey")
    if saved:
        _save(
            slots,
            lambda s: update_instrument(
                session=s,
                actor=actor,
                instrument_id=instrument.id,
                name=name,
                description=description,
            ),
            "Saved.",
        )
    label = "Deactivate survey" if instrument.active else "Reactivate survey"
    if st.button(label, key=f"admin_survey_toggle_{instrument.id}"):
        _save(
            FieldSlots(),
            lambda s: set_instrument_active(
                session=s, actor=actor, instrument_id=instrument.id, active=not instrument.active
            ),
            f"{label.split()[0]}d {escape_markdown(instrument.name)}.",
        )
    if instrument.active:
        st.caption(
            "A deactivated survey leaves the Satisfaction page and imports; its responses stay."
        )


def _question_form(
    actor: StaffMember, instrument: AdminInstrument, question: AdminQuestion | None
) -> None:
    """The question's fields; `question` None: a new question for `instrument`."""
    f = question.fields if question else QuestionFields("", "", 1, 5, "", 5)
    fixed = bool(question and question.answers)
    key = f"admin_survey_q_{instrument.id}_{question.id if question else f'new_{_version()}'}"
    if fixed:
        st.caption(f"{question.answers:,} answers: the code and the scale stay as they are.")
    slots = FieldSlots()
    with st.form(key):
        code = st.text_input("Code", value=f.code, disabled=fixed, help="e.g. NURSE_COMM")
        slots.under("code")
        wording = st.text_area("Question", value=f.wording, height=80)
        slots.under("wording")
        lo_col, hi_col = st.columns(2)
        scale_min = lo_col.number_input("Lowest answer", value=f.scale_min, step=1, disabled=fixed)
        with lo_col:
            slots.under("scale_min")
        scale_max = hi_col.number_input("Highest answer", value=f.scale_max, step=1, disabled=fixed)
        with hi_col:
            slots.under("scale_max")
        labels = st.text_input("Scale labels", value=f.scale_labels, help="e.g. Never..Always")
        slots.under("scale_labels")
        top_col, rec_col = st.columns(2)
        top_box = top_col.number_input("Top box: answers from", value=f.top_box_min, step=1)
        with top_col:
            slots.under("top_box_min")
        recovery = rec_col.number_input(
            "Service recovery at or below (empty: never)",
            value=f.recovery_max,
            step=1,
            help="A response this low with a comment opens a concern.",
        )
        with rec_col:
            slots.under("recovery_max")
        higher = st.checkbox("Higher answers are better", value=f.higher_is_better)
        nps = st.checkbox(
            "Likelihood to recommend (gives NPS; 0–10 scale)",
            value=f.is_likelihood_to_recommend,
        )
        slots.under("is_likelihood_to_recommend")
        submitted = st.form_submit_button(
            "Save question" if question else "Add question", type="primary"
        )
    if not submitted:
        return
    fields = QuestionFields(
        code=f.code if fixed else code,
        wording=wording,
        scale_min=int(f.scale_min if fixed else scale_min),
        scale_max=int(f.scale_max if fixed else scale_max),
        scale_labels=labels,
        top_box_min=int(top_box),
        higher_is_better=higher,
        is_likelihood_to_recommend=nps,
        recovery_max=None if recovery is None else int(recovery),
    )
    if question is None:
        _save(
            slots,
            lambda s: add_question(
                session=s, actor=actor, instrument_id=instrument.id, fields=fields
            ),
            "Question added.",
        )
    else:
        _save(
            slots,
            lambda s: update_question(
                session=s, actor=actor, question_id=question.id, fields=fields
            ),
            "Question saved.",
        )


def _version() -> int:
    return st.session_state.get(FORM_VERSION, 0)


def _save(slots: FieldSlots, action, message: str) -> None:
    try:
        with Session(get_engine()) as session, session.begin():
            action(session)
    except InvalidInput as refused:
        slots.show(refused)
        return
    st.session_state[FORM_VERSION] = _version() + 1  # an empty "add" form after a save
    flash(message)
    st.rerun()

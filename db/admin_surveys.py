"""Survey instruments as the administrator edits them: the instrument (name, description,
active) and its questions (wording, scale and labels, top-box rule, direction, NPS flag,
service-recovery threshold).

Answers already given were given on a question's scale, so once a question has answers its
scale (and its code, which saved import profiles map file columns to) cannot change: add a new
question instead. The database refuses a scale change too (migration 0012). An instrument with
responses can still get new questions and be deactivated. Every change writes an admin-change
audit row with the changed fields before and after (db.admin).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.admin import record_admin_change, require_admin
from db.models import SurveyAnswer, SurveyInstrument, SurveyQuestion, SurveyResponse
from db.users import StaffMember
from db.validation import InvalidInput, text_problem

NAME_MIN, NAME_MAX = 2, 120
DESCRIPTION_MAX = 500
WORDING_MAX = 500
LABELS_MAX = 200
CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
LOWEST, HIGHEST = 0, 100  # answers are small whole numbers
NPS_SCALE = (0, 10)


@dataclass(frozen=True)
class QuestionFields:
    """A question as typed in the admin form."""

    code: str
    wording: str
    scale_min: int
    scale_max: int
    scale_labels: str
    top_box_min: int
    higher_is_better: bool = True
    is_likelihood_to_recommend: bool = False
    recovery_max: int | None = None


@dataclass(frozen=True)
class AdminQuestion:
    id: int
    position: int
    fields: QuestionFields
    answers: int  # how many answers it has: its scale and code are fixed when > 0


@dataclass(frozen=True)
class AdminInstrument:
    id: int
    name: str
    description: str
    active: bool
    responses: int
    questions: tuple[AdminQuestion, ...]


def instruments_for_admin(*, session: Session) -> list[AdminInstrument]:
    """Every instrument, active or not, with its questions in order and how used each is."""
    responses = dict(
        session.execute(
            select(SurveyResponse.instrument_id, func.count()).group_by(
                SurveyResponse.instrument_id
            )
        ).all()
    )
    answers = dict(
        session.execute(
            select(SurveyAnswer.question_id, func.count()).group_by(SurveyAnswer.question_id)
        ).all()
    )
    questions: dict[int, list[AdminQuestion]] = {}
    for q in session.scalars(
        select(SurveyQuestion).order_by(SurveyQuestion.instrument_id, SurveyQuestion.position)
    ):
        questions.setdefault(q.instrument_id, []).append(
            AdminQuestion(q.id, q.position, _fields(q), answers.get(q.id, 0))
        )
    return [
        AdminInstrument(
            i.id,
            i.name,
            i.description,
            i.active,
            responses.get(i.id, 0),
            tuple(questions.get(i.id, ())),
        )
        for i in session.scalars(select(SurveyInstrument).order_by(SurveyInstrument.name))
    ]


def _fields(q: SurveyQuestion) -> QuestionFields:
    return QuestionFields(
        code=q.code,
        wording=q.wording,
        scale_min=q.scale_min,
        scale_max=q.scale_max,
        scale_labels=q.scale_labels,
        top_box_min=q.top_box_min,
        higher_is_better=q.higher_is_better,
        is_likelihood_to_recommend=q.is_likelihood_to_recommend,
        recovery_max=q.recovery_max,
    )


def question_problems(
    fields: QuestionFields,
    *,
    other_codes: set[str],
    answered_as: QuestionFields | None = None,
) -> dict[str, str]:
    """Field -> what to fix; empty when the question can be saved. `other_codes` are the codes
    of the instrument's other questions; `answered_as` is the question as stored when it
    already has answers (its scale and code are then fixed)."""
    errors: dict[str, str] = {}
    code = fields.code.strip()
    if not CODE.fullmatch(code):
        errors["code"] = (
            "1 to 40 capital letters, digits or _, starting with a letter (e.g. NURSE_COMM)."
        )
    elif code in other_codes:
        errors["code"] = f"The survey already has a question {code}."
    wording = fields.wording.strip()
    if problem := text_problem(fields.wording, WORDING_MAX):
        errors["wording"] = problem
    elif len(wording) < 3:
        errors["wording"] = "Write the question as the patient reads it."
    if problem := text_problem(fields.scale_labels, LABELS_MAX):
        errors["scale_labels"] = problem
    lo, hi = fields.scale_min, fields.scale_max
    if not LOWEST <= lo <= HIGHEST:
        errors["scale_min"] = f"Between {LOWEST} and {HIGHEST}."
    if not LOWEST <= hi <= HIGHEST:
        errors["scale_max"] = f"Between {LOWEST} and {HIGHEST}."
    elif hi <= lo:
        errors["scale_max"] = "The highest answer must be above the lowest."
    if answered_as is not None:
        if (lo, hi) != (answered_as.scale_min, answered_as.scale_max):
            errors["scale_max"] = (
                f"This question has answers on the scale {answered_as.scale_min}–"
                f"{answered_as.scale_max}: its scale cannot change. Add a new question instead."
            )
        if code != answered_as.code:
            errors["code"] = (
                "This question has answers: its code cannot change (import profiles map file "
                "columns to it)."
            )
    if "scale_min" in errors or "scale_max" in errors:
        return errors  # the answers below are checked against a scale that makes sense
    if not lo <= fields.top_box_min <= hi:
        errors["top_box_min"] = f"An answer on the scale, {lo} to {hi}."
    if fields.recovery_max is not None and not lo <= fields.recovery_max <= hi:
        errors["recovery_max"] = f"An answer on the scale, {lo} to {hi}, or none."
    if fields.is_likelihood_to_recommend and (lo, hi) != NPS_SCALE:
        errors["is_likelihood_to_recommend"] = (
            "NPS needs the 0–10 'how likely are you to recommend' scale."
        )
    return errors


def _check_name(session: Session, name: str, own_id: int | None) -> str:
    clean = " ".join(name.split())
    if problem := text_problem(name, NAME_MAX):
        raise InvalidInput({"name": problem})
    if not NAME_MIN <= len(clean) <= NAME_MAX:
        raise InvalidInput({"name": f"Use {NAME_MIN} to {NAME_MAX} characters."})
    clash = session.scalar(
        select(SurveyInstrument.id).where(
            func.lower(SurveyInstrument.name) == clean.lower(),
            SurveyInstrument.id != (own_id or 0),
        )
    )
    if clash is not None:
        raise InvalidInput({"name": f"{clean!r} already exists."})
    return clean


def _check_description(description: str) -> str:
    if problem := text_problem(description, DESCRIPTION_MAX):
        raise InvalidInput({"description": problem})
    return description.strip()


def _instrument_fields(i: SurveyInstrument) -> dict:
    return {"name": i.name, "description": i.description, "active": i.active}


def add_instrument(*, session: Session, actor: StaffMember, name: str, description: str) -> int:
    """A new active survey instrument without questions yet."""
    require_admin(actor)
    errors = {}
    try:
        clean = _check_name(session, name, None)
    except InvalidInput as refused:
        errors |= refused.errors
    try:
        about = _check_description(description)
    except InvalidInput as refused:
        errors |= refused.errors
    if errors:
        raise InvalidInput(errors)
    instrument = SurveyInstrument(name=clean, description=about, active=True)
    session.add(instrument)
    session.flush()
    record_admin_change(
        session=session,
        actor=actor,
        entity="survey_instrument",
        entity_id=instrument.id,
        change="add survey",
        before={},
        after=_instrument_fields(instrument),
    )
    return instrument.id


def _instrument(session: Session, instrument_id: int) -> SurveyInstrument:
    found = session.get(SurveyInstrument, instrument_id, with_for_update=True)
    if found is None:
        raise InvalidInput({"name": "That survey no longer exists."})
    return found


def update_instrument(
    *, session: Session, actor: StaffMember, instrument_id: int, name: str, description: str
) -> bool:
    """Rename or re-describe a survey; False if nothing changed."""
    require_admin(actor)
    instrument = _instrument(session, instrument_id)
    before = _instrument_fields(instrument)
    errors = {}
    try:
        instrument.name = _check_name(session, name, instrument_id)
    except InvalidInput as refused:
        errors |= refused.errors
    try:
        instrument.description = _check_description(description)
    except InvalidInput as refused:
        errors |= refused.errors
    if errors:
        raise InvalidInput(errors)
    return record_admin_change(
        session=session,
        actor=actor,
        entity="survey_instrument",
        entity_id=instrument_id,
        change="edit survey",
        before=before,
        after=_instrument_fields(instrument),
    )


def set_instrument_active(
    *, session: Session, actor: StaffMember, instrument_id: int, active: bool
) -> bool:
    """Deactivate a survey (it leaves the Satisfaction page and the import, its responses stay)
    or reactivate it."""
    require_admin(actor)
    instrument = _instrument(session, instrument_id)
    before = _instrument_fields(instrument)
    instrument.active = active
    return record_admin_change(
        session=session,
        actor=actor,
        entity="survey_instrument",
        entity_id=instrument_id,
        change="reactivate survey" if active else "deactivate survey",
        before=before,
        after=_instrument_fields(instrument),
    )


def _codes(session: Session, instrument_id: int, except_id: int | None) -> set[str]:
    return set(
        session.scalars(
            select(SurveyQuestion.code).where(
                SurveyQuestion.instrument_id == instrument_id,
                SurveyQuestion.id != (except_id or 0),
            )
        )
    )


def _clean(fields: QuestionFields) -> QuestionFields:
    return replace(
        fields,
        code=fields.code.strip(),
        wording=fields.wording.strip(),
        scale_labels=fields.scale_labels.strip(),
    )


def add_question(
    *, session: Session, actor: StaffMember, instrument_id: int, fields: QuestionFields
) -> int:
    """A new question, last in the survey (also for a survey that already has responses)."""
    require_admin(actor)
    _instrument(session, instrument_id)
    if errors := question_problems(fields, other_codes=_codes(session, instrument_id, None)):
        raise InvalidInput(errors)
    clean = _clean(fields)
    position = (
        session.scalar(
            select(func.max(SurveyQuestion.position)).where(
                SurveyQuestion.instrument_id == instrument_id
            )
        )
        or 0
    ) + 1
    question = SurveyQuestion(instrument_id=instrument_id, position=position, **asdict(clean))
    session.add(question)
    session.flush()
    record_admin_change(
        session=session,
        actor=actor,
        entity="survey_question",
        entity_id=question.id,
        change="add survey question",
        before={},
        after={"instrument_id": instrument_id, "position": position, **asdict(clean)},
    )
    return question.id


def update_question(
    *, session: Session, actor: StaffMember, question_id: int, fields: QuestionFields
) -> bool:
    """Change a question; its scale and code only while it has no answers. False if nothing
    changed. The summaries follow a changed top-box rule or NPS flag by themselves."""
    require_admin(actor)
    question = session.get(SurveyQuestion, question_id, with_for_update=True)
    if question is None:
        raise InvalidInput({"code": "That question no longer exists."})
    before = _fields(question)
    answered = session.scalar(select(exists().where(SurveyAnswer.question_id == question_id)))
    errors = question_problems(
        fields,
        other_codes=_codes(session, question.instrument_id, question_id),
        answered_as=before if answered else None,
    )
    if errors:
        raise InvalidInput(errors)
    clean = _clean(fields)
    for name, value in asdict(clean).items():
        setattr(question, name, value)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Answers arrived between the check and the save: the database refused the new scale.
        raise InvalidInput(
            {"scale_max": "This question has just been answered: its scale cannot change."}
        ) from None
    return record_admin_change(
        session=session,
        actor=actor,
        entity="survey_question",
        entity_id=question_id,
        change="edit survey question",
        before=asdict(before),
        after=asdict(clean),
    )

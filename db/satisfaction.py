"""Satisfaction scores: the instruments, weekly series, department comparison, recent comments,
and entering one survey response by hand (with its service-recovery concern).

Every figure is aggregated in PostgreSQL from the survey summaries that database triggers keep
current (survey_answer_day and its ISO-week rollup survey_answer_week), through the same
`db.kpi` helpers the dashboard uses; a period's mean, top-box rate and NPS are `kpi.mean_score`,
`kpi.top_box_rate` and `kpi.net_promoter_score` themselves. One function per measure.

Scores here are internal and unadjusted: official HCAHPS scores are adjusted for patient mix,
these are not (`UNADJUSTED`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, cast, func, select, text
from sqlalchemy.orm import Session

from db import kpi
from db.audit import record_audit
from db.intake import ConcernDraft, InteractionDraft, log_interaction, log_interactions
from db.models import (
    Department,
    Interaction,
    Patient,
    SurveyAnswer,
    SurveyAnswerDay,
    SurveyAnswerWeek,
    SurveyInstrument,
    SurveyQuestion,
    SurveyResponse,
)
from db.periods import Period
from db.permissions import Permission, require
from db.spc import iso_week_label, wilson_interval
from db.users import StaffMember
from db.validation import InvalidInput

UNADJUSTED = "unadjusted (not HCAHPS-adjusted for patient mix)"
MIN_RELIABLE_N = 30  # below this a department's rate is shown but never ranked
MAX_COMMENT = 4000
# Comment text vendors send when there is no comment.
NO_COMMENT_MARKERS = frozenset({"", "null", "none", "n/a", "na", "#name?", "#n/a", "#value!", "-"})

MEAN, TOP_BOX, NPS = "mean", "top_box", "nps"
MEASURES = {MEAN: "Mean score", TOP_BOX: "Top-box %", NPS: "Net Promoter Score"}


# --- instruments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """A question as seeded: scale, labels, top-box rule, direction, NPS flag, recovery rule."""

    code: str
    wording: str
    scale_min: int
    scale_max: int
    scale_labels: str
    top_box_min: int
    is_likelihood_to_recommend: bool = False
    recovery_max: int | None = None
    higher_is_better: bool = True


_NEVER_ALWAYS = "Never..Always"
_DEFINITELY = "Definitely no..Definitely yes"
STANDARD_INSTRUMENTS: tuple[tuple[str, str, tuple[QuestionSpec, ...]], ...] = (
    (
        "Post-contact CSAT",
        "Asked after a contact with Patient Relations. Top box: 5 (very satisfied).",
        (
            QuestionSpec(
                "CSAT",
                "How satisfied were you with how we handled your contact?",
                1,
                5,
                "Very dissatisfied..Very satisfied",
                5,
                recovery_max=2,
            ),
        ),
    ),
    (
        "Net Promoter Score",
        "The 0-10 likelihood-to-recommend question: the only source of NPS.",
        (
            QuestionSpec(
                "LIKELY_TO_RECOMMEND",
                "How likely are you to recommend this hospital to a friend or family member?",
                0,
                10,
                "0 Not at all likely..10 Extremely likely",
                9,
                is_likelihood_to_recommend=True,
                recovery_max=6,
            ),
        ),
    ),
    (
        "Inpatient experience (HCAHPS-style)",
        "Internal survey modelled on HCAHPS questions. Scores are unadjusted for patient mix.",
        (
            QuestionSpec(
                "NURSE_COMMUNICATION",
                "During this hospital stay, how often did nurses explain things in a way you "
                "could understand?",
                1,
                4,
                _NEVER_ALWAYS,
                4,
            ),
            QuestionSpec(
                "DOCTOR_COMMUNICATION",
                "During this hospital stay, how often did doctors explain things in a way you "
                "could understand?",
                1,
                4,
                _NEVER_ALWAYS,
                4,
            ),
            QuestionSpec(
                "RESPONSIVENESS",
                "After you pressed the call button, how often did you get help as soon as you "
                "wanted it?",
                1,
                4,
                _NEVER_ALWAYS,
                4,
            ),
            QuestionSpec(
                "CLEANLINESS",
                "During this hospital stay, how often were your room and bathroom kept clean?",
                1,
                4,
                _NEVER_ALWAYS,
                4,
            ),
            QuestionSpec(
                "QUIETNESS",
                "During this hospital stay, how often was the area around your room quiet at "
                "night?",
                1,
                4,
                _NEVER_ALWAYS,
                4,
            ),
            QuestionSpec(
                "OVERALL_RATING",
                "Using any number from 0 to 10, where 0 is the worst hospital possible and 10 "
                "is the best hospital possible, what number would you use to rate this hospital?",
                0,
                10,
                "0 Worst..10 Best",
                9,
                recovery_max=6,
            ),
            QuestionSpec(
                "WOULD_RECOMMEND",
                "Would you recommend this hospital to your friends and family?",
                1,
                4,
                _DEFINITELY,
                4,
            ),
        ),
    ),
)


def seed_standard_instruments(*, session: Session) -> int:
    """Add the three standard instruments that are missing (matched by name); returns how many
    were added. An instrument that exists is left as it is (admins may have edited it)."""
    added = 0
    existing = set(session.scalars(select(SurveyInstrument.name)))
    for name, description, questions in STANDARD_INSTRUMENTS:
        if name in existing:
            continue
        instrument = SurveyInstrument(name=name, description=description)
        session.add(instrument)
        session.flush()
        for position, q in enumerate(questions, start=1):
            session.add(
                SurveyQuestion(
                    instrument_id=instrument.id,
                    position=position,
                    code=q.code,
                    wording=q.wording,
                    scale_min=q.scale_min,
                    scale_max=q.scale_max,
                    scale_labels=q.scale_labels,
                    top_box_min=q.top_box_min,
                    is_likelihood_to_recommend=q.is_likelihood_to_recommend,
                    recovery_max=q.recovery_max,
                    higher_is_better=q.higher_is_better,
                )
            )
        added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class Question:
    """A question as the page and the import read it."""

    id: int
    instrument_id: int
    code: str
    wording: str
    scale_min: int
    scale_max: int
    scale_labels: str
    top_box_min: int
    is_likelihood_to_recommend: bool
    recovery_max: int | None
    higher_is_better: bool

    @property
    def top_box_text(self) -> str:
        """ "4" or "9-10": the answers that count as top box."""
        if self.top_box_min == self.scale_max:
            return str(self.scale_max)
        return f"{self.top_box_min}–{self.scale_max}"


@dataclass(frozen=True)
class Instrument:
    id: int
    name: str
    description: str
    questions: tuple[Question, ...]

    def question(self, question_id: int | None) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def instruments(*, session: Session) -> list[Instrument]:
    """Active instruments with their questions in order."""
    found = session.execute(
        select(SurveyInstrument)
        .where(SurveyInstrument.active.is_(True))
        .order_by(SurveyInstrument.name)
    ).scalars()
    questions: dict[int, list[Question]] = {}
    for q in session.scalars(
        select(SurveyQuestion).order_by(SurveyQuestion.instrument_id, SurveyQuestion.position)
    ):
        questions.setdefault(q.instrument_id, []).append(
            Question(
                q.id,
                q.instrument_id,
                q.code,
                q.wording,
                q.scale_min,
                q.scale_max,
                q.scale_labels,
                q.top_box_min,
                q.is_likelihood_to_recommend,
                q.recovery_max,
                q.higher_is_better,
            )
        )
    return [Instrument(i.id, i.name, i.description, tuple(questions.get(i.id, ()))) for i in found]


# --- weekly series -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekScore:
    """One ISO week of a measure: `n` answers behind it; `value` None when n is 0 ("—").

    `successes` is the top-box count for a top-box series (so the page can draw a Wilson
    interval and a Laney chart); None for means and NPS."""

    week_start: dt.date
    n: int
    value: float | None
    successes: int | None = None

    @property
    def label(self) -> str:
        return iso_week_label(self.week_start)

    @property
    def interval(self) -> tuple[float, float] | None:
        """95 % Wilson interval of a top-box week; None for other measures or n = 0."""
        if self.successes is None:
            return None
        return wilson_interval(self.successes, self.n)


def _question_filter(session: Session, question_id: int | None, instrument_id: int | None):
    return kpi._questions(session, question_id, instrument_id)


def _weekly_sums(session, trend, department_id, questions, numerator):
    """(Monday, answers, numerator) per ISO week of `trend`, every week present (0 when none)."""
    s = kpi.rollup(
        SurveyAnswerDay, SurveyAnswerWeek, [trend], kpi.in_department(department_id), questions
    )
    # ISO weeks start on Monday, which is what date_trunc('week', ...) gives.
    week = cast(func.date_trunc("week", s.day), Date).label("week")
    rows = session.execute(
        select(week, func.sum(s.answers), func.sum(numerator(s)))
        .where(and_(s.day >= trend.first_day, s.day < trend.end_day))
        .group_by(week)
    ).all()
    found = {r[0]: (int(r[1] or 0), r[2]) for r in rows}
    first = trend.first_day - dt.timedelta(days=trend.first_day.weekday())
    weeks = []
    monday = first
    while monday < trend.end_day:
        weeks.append((monday, *found.get(monday, (0, None))))
        monday += dt.timedelta(days=7)
    return weeks


def weekly_mean_score(
    *,
    session: Session,
    trend: Period,
    department_id: int | None = None,
    question_id: int | None = None,
    instrument_id: int | None = None,
) -> list[WeekScore]:
    """Mean answer per ISO week (one question, or every question of an instrument)."""
    return [
        WeekScore(monday, n, float(total) / n if n else None)
        for monday, n, total in _weekly_sums(
            session,
            trend,
            department_id,
            _question_filter(session, question_id, instrument_id),
            lambda s: s.total,
        )
    ]


def weekly_top_box_rate(
    *,
    session: Session,
    trend: Period,
    department_id: int | None = None,
    question_id: int | None = None,
    instrument_id: int | None = None,
) -> list[WeekScore]:
    """Share of answers meeting their question's top-box rule, per ISO week."""
    return [
        WeekScore(monday, n, int(top or 0) / n if n else None, int(top or 0))
        for monday, n, top in _weekly_sums(
            session,
            trend,
            department_id,
            _question_filter(session, question_id, instrument_id),
            lambda s: s.top_box,
        )
    ]


def weekly_net_promoter_score(
    *,
    session: Session,
    trend: Period,
    department_id: int | None = None,
    question_id: int | None = None,
) -> list[WeekScore]:
    """NPS in points per ISO week, from likelihood-to-recommend questions only (all of them,
    or `question_id` if it is one; any other question gives weeks with n = 0)."""
    ltr = select(SurveyQuestion.id).where(SurveyQuestion.is_likelihood_to_recommend.is_(True))
    if question_id is not None:
        ltr = ltr.where(SurveyQuestion.id == question_id)
    return [
        WeekScore(monday, n, 100.0 * float(net) / n if n else None)
        for monday, n, net in _weekly_sums(
            session,
            trend,
            department_id,
            lambda t: t.question_id.in_(ltr),
            lambda s: s.promoters - s.detractors,
        )
    ]


# --- the period's figures and departments ----------------------------------------------------


@dataclass(frozen=True)
class PeriodScores:
    """The tiles: each a kpi.KpiResult (value, n, previous value, previous n)."""

    mean: kpi.KpiResult
    top_box: kpi.KpiResult
    nps: kpi.KpiResult | None  # None unless the question is the likelihood-to-recommend one


def period_scores(
    *,
    session: Session,
    period: Period,
    previous: Period,
    department_id: int | None,
    question: Question | None,
    instrument_id: int,
) -> PeriodScores:
    """Mean, top-box rate and (for the likelihood-to-recommend question) NPS of the period, from
    the KPI layer the dashboard uses."""
    which = {"question_id": question.id} if question else {"instrument_id": instrument_id}
    common = {
        "session": session,
        "period": period,
        "previous": previous,
        "department_id": department_id,
    }
    nps = None
    if question is not None and question.is_likelihood_to_recommend:
        nps = kpi.net_promoter_score(**common, question_id=question.id)
    return PeriodScores(kpi.mean_score(**common, **which), kpi.top_box_rate(**common, **which), nps)


@dataclass(frozen=True)
class DepartmentScore:
    """A department's answers in the period: n, top-box count, mean."""

    department_id: int
    name: str
    n: int
    top_box: int
    mean: float | None

    @property
    def top_box_rate(self) -> float | None:
        return self.top_box / self.n if self.n else None

    @property
    def reliable(self) -> bool:
        """Enough answers to compare (n >= 30); fewer are shown greyed and never ranked."""
        return self.n >= MIN_RELIABLE_N

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.top_box, self.n)


def scores_by_department(
    *,
    session: Session,
    period: Period,
    question_id: int | None = None,
    instrument_id: int | None = None,
) -> list[DepartmentScore]:
    """Each department with answers in the period: n, top box and mean, in one GROUP BY."""
    s = kpi.rollup(
        SurveyAnswerDay,
        SurveyAnswerWeek,
        [period],
        _question_filter(session, question_id, instrument_id),
    )
    totals = (
        select(
            s.department_id,
            func.sum(s.answers).label("n"),
            func.sum(s.top_box).label("top"),
            func.sum(s.total).label("total"),
        )
        .where(and_(s.day >= period.first_day, s.day < period.end_day))
        .group_by(s.department_id)
        .subquery()
    )
    rows = session.execute(
        select(Department.id, Department.name, totals.c.n, totals.c.top, totals.c.total)
        .join(totals, totals.c.department_id == Department.id)
        .where(totals.c.n > 0)
        .order_by(Department.name)
    ).all()
    return [
        DepartmentScore(r.id, r.name, int(r.n), int(r.top), float(r.total) / int(r.n)) for r in rows
    ]


# --- comments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyComment:
    responded_on: dt.date
    department: str
    comment: str
    lowest_answer: float | None
    response_id: int


def recent_comments(
    *,
    session: Session,
    period: Period,
    instrument_id: int,
    department_id: int | None = None,
    search: str = "",
    limit: int = 50,
) -> list[SurveyComment]:
    """Newest comments of the period, optionally containing `search` (case-insensitive)."""
    from db.validation import escape_like

    query = (
        select(
            SurveyResponse.responded_on,
            Department.name,
            SurveyResponse.comment,
            select(func.min(SurveyAnswer.value))
            .where(SurveyAnswer.response_id == SurveyResponse.id)
            .scalar_subquery(),
            SurveyResponse.id,
        )
        .join(Department, Department.id == SurveyResponse.department_id)
        .where(
            SurveyResponse.instrument_id == instrument_id,
            SurveyResponse.responded_on >= period.first_day,
            SurveyResponse.responded_on < period.end_day,
            SurveyResponse.comment.is_not(None),
        )
        .order_by(SurveyResponse.responded_on.desc(), SurveyResponse.id.desc())
        .limit(limit)
    )
    if department_id is not None:
        query = query.where(SurveyResponse.department_id == department_id)
    if search.strip():
        query = query.where(
            SurveyResponse.comment.ilike(f"%{escape_like(search.strip())}%", escape="\\")
        )
    return [
        SurveyComment(r[0], r[1], r[2], None if r[3] is None else float(r[3]), r[4])
        for r in session.execute(query)
    ]


def clean_comment(raw: str | None) -> str | None:
    """A comment as stored: trimmed, None when empty or vendor junk ("NULL", "#NAME?")."""
    if raw is None:
        return None
    comment = raw.replace("\x00", "").strip()
    if comment.lower() in NO_COMMENT_MARKERS:
        return None
    return comment


# --- entering a response and service recovery -------------------------------------------------


@dataclass(frozen=True)
class ResponseEntry:
    """One survey response typed in by a manager."""

    instrument_id: int | None
    department_id: int | None
    responded_on: dt.date | None
    answers: dict[int, float | None]  # question id -> answer (None: not answered)
    comment: str = ""
    patient_id: int | None = None
    interaction_id: int | None = None
    external_id: str = ""


def needs_recovery(question: Question, answer: float | None, comment: str | None) -> bool:
    """A low answer (at or below the question's recovery threshold) that came with a comment."""
    return (
        comment is not None
        and answer is not None
        and question.recovery_max is not None
        and answer <= question.recovery_max
    )


def entry_problems(entry: ResponseEntry, questions: Sequence[Question], today: dt.date) -> dict:
    """Field -> what to fix (empty when the entry can be saved)."""
    errors: dict[str, str] = {}
    if entry.instrument_id is None:
        errors["instrument_id"] = "Choose the survey."
    if entry.department_id is None:
        errors["department_id"] = "Choose the department the response is about."
    if entry.responded_on is None:
        errors["responded_on"] = "Give the date of the response."
    elif entry.responded_on > today:
        errors["responded_on"] = "The response cannot be dated in the future."
    elif entry.responded_on < dt.date(2000, 1, 1):
        errors["responded_on"] = "Dates before 2000 are not accepted."
    answered = 0
    for q in questions:
        value = entry.answers.get(q.id)
        if value is None:
            continue
        answered += 1
        if value != int(value) or not q.scale_min <= value <= q.scale_max:
            errors[f"answer.{q.id}"] = f"A whole number from {q.scale_min} to {q.scale_max}."
    if not answered and not any(k.startswith("answer.") for k in errors):
        errors["answers"] = "Give at least one answer."
    if len(entry.comment) > MAX_COMMENT:
        errors["comment"] = f"At most {MAX_COMMENT} characters ({len(entry.comment)} typed)."
    if len(entry.external_id) > 200:
        errors["external_id"] = "At most 200 characters."
    return errors


@dataclass(frozen=True)
class RecoveryNeeded:
    """A response whose low answer with a comment calls for a service-recovery concern."""

    response_id: int
    department_id: int
    patient_id: int | None
    question: Question
    answer: float
    comment: str


def _recovery_draft(need: RecoveryNeeded, now: dt.datetime) -> InteractionDraft:
    """The contact that opens the follow-up concern for one response (the one wording and
    classification of every service-recovery concern)."""
    summary = (
        f"Service recovery: {need.question.code} answered {need.answer:g} "
        f"(threshold {need.question.recovery_max}) on survey response {need.response_id}. "
        f"Comment: {need.comment}"
    )[:4000]
    return InteractionDraft(
        # The submission id is derived from the response: re-running the same recovery
        # returns the first result instead of opening a second concern.
        client_submission_id=uuid.uuid5(uuid.NAMESPACE_URL, f"survey-response:{need.response_id}"),
        occurred_at=now,
        channel="survey-comment",
        direction="inbound",
        summary=summary,
        outcome="concern-opened",
        patient_id=need.patient_id,
        department_id=need.department_id,
        concern=ConcernDraft(
            type="complaint",
            severity="medium",
            override_reason=(
                "Opened automatically for service recovery from a low survey score; "
                "reclassify as a grievance if the comment meets the CMS definition."
            ),
        ),
        source_survey_response_id=need.response_id,
    )


def open_service_recovery(
    *,
    session: Session,
    staff: StaffMember,
    response_id: int,
    department_id: int,
    patient_id: int | None,
    question: Question,
    answer: float,
    comment: str,
    tz: ZoneInfo,
    now: dt.datetime,
) -> int:
    """Open the follow-up concern for a low score with a comment, through the app's one
    concern-opening path (db.intake.log_interaction), linked to the response. Returns the
    concern id. Runs in the caller's transaction; the unique index on the concern's source
    response refuses a second concern for the same response."""
    need = RecoveryNeeded(response_id, department_id, patient_id, question, answer, comment)
    logged = log_interaction(
        session=session, staff=staff, tz=tz, now=now, draft=_recovery_draft(need, now)
    )
    return logged.concern_id


def open_service_recoveries(
    *,
    session: Session,
    staff: StaffMember,
    needed: Sequence[RecoveryNeeded],
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[int]:
    """open_service_recovery for many responses at once (an import), through the batch form
    of the concern-opening path (db.intake.log_interactions): the same concerns, due times and
    audit rows. Returns the concern ids in order; runs in the caller's transaction."""
    logged = log_interactions(
        session=session,
        staff=staff,
        drafts=[_recovery_draft(need, now) for need in needed],
        tz=tz,
        now=now,
    )
    return [item.concern_id for item in logged]


def save_response(
    *,
    session: Session,
    staff: StaffMember,
    entry: ResponseEntry,
    tz: ZoneInfo,
    now: dt.datetime,
) -> tuple[int, list[int]]:
    """Save one response typed by hand with its answers, and open a service-recovery concern
    for each low answer with a comment (at most one per response: the lowest). Returns
    (response id, concern ids). Raises InvalidInput (field -> message) or PermissionError."""
    require(staff, Permission.ENTERS_SURVEYS)
    by_id = {i.id: i for i in instruments(session=session)}
    instrument = by_id.get(entry.instrument_id)
    questions = instrument.questions if instrument else ()
    today = now.astimezone(tz).date()
    errors = entry_problems(entry, questions, today)
    if entry.instrument_id is not None and instrument is None:
        errors["instrument_id"] = "That survey is not active."
    if entry.department_id is not None and not session.scalar(
        select(Department.active).where(Department.id == entry.department_id)
    ):
        errors["department_id"] = "That department is not active."
    if entry.interaction_id is not None and not session.get(Interaction, entry.interaction_id):
        errors["interaction_id"] = "No interaction with this number."
    if entry.patient_id is not None and not session.get(Patient, entry.patient_id):
        errors["patient_id"] = "No such patient."
    external_id = entry.external_id.strip() or None
    if external_id and session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.external_id == external_id)
    ):
        errors["external_id"] = "A response with this survey id is already recorded."
    if errors:
        raise InvalidInput(errors)
    comment = clean_comment(entry.comment)
    response = SurveyResponse(
        instrument_id=instrument.id,
        department_id=entry.department_id,
        responded_on=entry.responded_on,
        patient_id=entry.patient_id,
        interaction_id=entry.interaction_id,
        comment=comment,
        external_id=external_id,
        entered_by=staff.id,
    )
    session.add(response)
    session.flush()
    for q in questions:
        value = entry.answers.get(q.id)
        if value is not None:
            session.add(SurveyAnswer(response_id=response.id, question_id=q.id, value=value))
    session.flush()
    record_audit(
        session=session,
        action="create",
        username=staff.username,
        user_id=staff.id,
        entity="survey_response",
        entity_id=response.id,
        detail={"instrument_id": instrument.id, "patient_id": entry.patient_id},
    )
    concerns = []
    low = lowest_recovery_answer(questions, entry.answers, comment)
    if low is not None:
        question, answer = low
        concerns.append(
            open_service_recovery(
                session=session,
                staff=staff,
                response_id=response.id,
                department_id=entry.department_id,
                patient_id=entry.patient_id,
                question=question,
                answer=answer,
                comment=comment,
                tz=tz,
                now=now,
            )
        )
    return response.id, concerns


def lowest_recovery_answer(
    questions: Sequence[Question], answers: dict[int, float | None], comment: str | None
) -> tuple[Question, float] | None:
    """The answer furthest below its recovery threshold, when the response needs recovery."""
    worst = None
    for q in questions:
        value = answers.get(q.id)
        if needs_recovery(q, value, comment):
            margin = value - q.recovery_max
            if worst is None or margin < worst[0]:
                worst = (margin, q, value)
    return None if worst is None else (worst[1], worst[2])


def patient_by_mrn(*, session: Session, mrn: str) -> int | None:
    """The patient with exactly this MRN, for linking a response typed by hand."""
    return session.scalar(select(Patient.id).where(Patient.mrn == mrn.strip()))


def service_recovery_concern(*, session: Session, response_id: int) -> int | None:
    """The concern a response opened for service recovery, if any."""
    return session.scalar(
        text("SELECT id FROM concern WHERE source_survey_response_id = :r"), {"r": response_id}
    )

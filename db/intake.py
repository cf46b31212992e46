"""Logging a contact: the interaction, and the concern it opens or adds to, in one transaction.

A double submit or a resubmit after an error saves once: the form carries a client submission
id, and a second save with the same id returns what the first one saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from db.audit import record_audit
from db.concerns import may_act
from db.grievance import COMPLAINT_TYPES, ComplaintFacts, GrievanceProposal, propose_grievance
from db.models import (
    CHANNELS,
    CONCERN_TYPES,
    DIRECTIONS,
    OPEN_STATUSES,
    OUTCOMES,
    SEVERITIES,
    AppUser,
    Category,
    Concern,
    ConcernEvent,
    ConcernIssue,
    Department,
    Interaction,
    Patient,
)
from db.patients import NewPatient, create_patient, get_patient, patient_problems
from db.permissions import Permission, allows, require
from db.sla import (
    GrievanceClock,
    concern_due_at,
    grievance_acknowledgement_due_at,
    grievance_clock,
    sla_targets,
)
from db.users import StaffMember
from db.validation import MAX_LONG_TEXT, MAX_SHORT_TEXT, InvalidInput, text_problem

OPENS_CONCERN = "concern-opened"
ADDS_TO_CONCERN = "added-to-concern"
AUTO_TYPE = "auto"  # let the CMS rules choose complaint or grievance
MAX_DURATION = 600


@dataclass(frozen=True)
class ConcernDraft:
    """What opening a concern needs beyond the interaction itself."""

    type: str = AUTO_TYPE  # AUTO_TYPE, or one of CONCERN_TYPES
    severity: str = "medium"
    owner_id: int | None = None
    resolved_by_staff_present: bool = False
    abuse_or_neglect: bool = False
    after_discharge: bool = False
    written_response_requested: bool = False
    billing_only: bool = False
    premature_discharge: bool = False
    override_reason: str = ""


@dataclass(frozen=True)
class InteractionDraft:
    """One contact as typed at the desk."""

    client_submission_id: uuid.UUID
    occurred_at: dt.datetime
    channel: str
    direction: str
    summary: str
    outcome: str
    patient_id: int | None = None
    new_patient: NewPatient | None = None
    department_id: int | None = None
    category_id: int | None = None
    duration_minutes: int | None = None
    concern: ConcernDraft = field(default_factory=ConcernDraft)
    add_to_concern_id: int | None = None
    # Set when a low survey score with a comment opens a service-recovery concern.
    source_survey_response_id: int | None = None


@dataclass(frozen=True)
class LoggedInteraction:
    interaction_id: int
    concern_id: int | None
    concern_type: str | None
    patient_id: int | None
    grievance_rule: str | None
    already_saved: bool = False  # True: this submission had been saved before


def draft_problems(draft: InteractionDraft, now: dt.datetime) -> dict[str, str]:
    """Field -> what to fix; empty when the draft can be saved."""
    errors: dict[str, str] = {}
    if draft.channel not in CHANNELS:
        errors["channel"] = "Choose how the patient contacted us."
    if draft.direction not in DIRECTIONS:
        errors["direction"] = "Choose inbound or outbound."
    if draft.outcome not in OUTCOMES:
        errors["outcome"] = "Choose the outcome."
    summary = draft.summary.strip()
    if problem := text_problem(draft.summary, MAX_LONG_TEXT):
        errors["summary"] = problem
    elif not summary:
        errors["summary"] = "Write what the contact was about."
    if problem := text_problem(draft.concern.override_reason, MAX_SHORT_TEXT):
        errors["concern.override_reason"] = problem
    if draft.duration_minutes is not None and not 0 <= draft.duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = f"Between 0 and {MAX_DURATION} minutes."
    if draft.occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = "The contact cannot be in the future."
    elif draft.occurred_at < now - dt.timedelta(days=365):
        errors["occurred_at"] = "More than a year ago: check the date."
    if draft.new_patient is not None:
        errors.update(
            {f"new_patient.{k}": v for k, v in patient_problems(draft.new_patient).items()}
        )
    if draft.outcome == OPENS_CONCERN:
        concern = draft.concern
        if concern.type not in (AUTO_TYPE, *CONCERN_TYPES):
            errors["concern.type"] = "Choose the type of concern."
        if concern.severity not in SEVERITIES:
            errors["concern.severity"] = "Choose a severity."
        # A survey comment's issues are coded by the person who reads it.
        coded_later = draft.source_survey_response_id is not None
        if draft.category_id is None and concern.type != "compliment" and not coded_later:
            errors["category_id"] = "Choose a category: the concern's first issue is coded by it."
        if draft.department_id is None:
            errors["department_id"] = "Choose the department the concern is about."
    if draft.outcome == ADDS_TO_CONCERN:
        if draft.add_to_concern_id is None:
            errors["add_to_concern_id"] = "Choose the open concern this contact adds to."
        if draft.patient_id is None:
            errors["add_to_concern_id"] = (
                "Pick the patient first: only their concerns can be added to."
            )
    return errors


def _already_saved(session: Session, submission: uuid.UUID) -> LoggedInteraction | None:
    return _already_saved_many(session, [submission]).get(submission)


def _already_saved_many(
    session: Session, submissions: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LoggedInteraction]:
    """What earlier saves of these submissions stored, by submission id."""
    rows = session.execute(
        select(
            Interaction.client_submission_id,
            Interaction.id,
            Interaction.concern_id,
            Interaction.outcome,
            Interaction.patient_id,
            Concern.type,
            Concern.grievance_rule,
        )
        .outerjoin(Concern, Concern.id == Interaction.concern_id)
        .where(Interaction.client_submission_id.in_(list(submissions)))
    ).all()
    return {
        submission: LoggedInteraction(
            interaction_id=interaction_id,
            concern_id=concern_id,
            concern_type=concern_type if outcome == OPENS_CONCERN else None,
            patient_id=patient_id,
            grievance_rule=rule,
            already_saved=True,
        )
        for submission, interaction_id, concern_id, outcome, patient_id, concern_type, rule in rows
    }


class AlreadySaved(Exception):  # noqa: N818 - it is news, not a failure
    """Another request saved this submission first; `result` is what it saved."""

    def __init__(self, result: LoggedInteraction):
        super().__init__("already saved")
        self.result = result


def grievance_proposal(
    *, session: Session, draft: InteractionDraft, medicare: bool
) -> GrievanceProposal:
    """What the CMS rules say about the complaint in `draft` (for the form and for saving)."""
    category_name = (
        session.scalar(select(Category.name).where(Category.id == draft.category_id))
        if draft.category_id
        else None
    )
    return propose_grievance(
        complaint_facts(
            draft.concern, channel=draft.channel, medicare=medicare, category_name=category_name
        )
    )


def complaint_facts(
    concern: ConcernDraft, *, channel: str, medicare: bool = False, category_name: str | None = None
) -> ComplaintFacts:
    """The facts the CMS rules look at, from a concern being opened: the form proposes a type
    from them while they are typed, and saving decides with them."""
    return ComplaintFacts(
        channel=channel,
        resolved_by_staff_present=concern.resolved_by_staff_present,
        abuse_or_neglect=concern.abuse_or_neglect,
        after_discharge=concern.after_discharge,
        written_response_requested=concern.written_response_requested,
        billing_only=concern.billing_only,
        premature_discharge=concern.premature_discharge,
        medicare_beneficiary=medicare,
        category_name=category_name,
    )


def log_interaction(
    *,
    session: Session,
    staff: StaffMember,
    draft: InteractionDraft,
    tz: ZoneInfo,
    now: dt.datetime | None = None,
) -> LoggedInteraction:
    """Save one contact, and the concern it opens or adds to, with its audit row.

    Runs inside the caller's transaction. Raises InvalidInput (field -> message) for anything the
    user must fix, PermissionError for a role that may not log contacts, and AlreadySaved when a
    concurrent request saved the same submission first. A repeat of a submission that was saved
    earlier returns the first result with already_saved=True.
    """
    require(staff, Permission.LOGS_INTERACTIONS)
    now = now or dt.datetime.now(dt.UTC)
    earlier = _already_saved(session, draft.client_submission_id)
    if earlier is not None:
        return earlier
    errors = draft_problems(draft, now)
    errors.update(_reference_problems(session, staff, draft))
    if errors:
        raise InvalidInput(errors)

    patient_id = draft.patient_id
    if draft.new_patient is not None:
        try:
            patient_id = create_patient(session=session, new=draft.new_patient)
        except InvalidInput as error:
            # A double submit that created this patient first is not the user's mistake.
            earlier = _already_saved(session, draft.client_submission_id)
            if earlier is not None:
                raise AlreadySaved(earlier) from None
            raise InvalidInput({f"new_patient.{k}": v for k, v in error.errors.items()}) from None
    patient = get_patient(session=session, patient_id=patient_id) if patient_id else None

    interaction_id = session.scalar(text("SELECT nextval('interaction_id_seq')"))
    concern_id = None
    if draft.outcome == OPENS_CONCERN:
        concern_id = session.scalar(text("SELECT nextval('concern_id_seq')"))
    elif draft.outcome == ADDS_TO_CONCERN:
        concern_id = draft.add_to_concern_id

    # ON CONFLICT: if a concurrent request with the same submission id committed first, this
    # insert waits for it and then inserts nothing.
    inserted = session.scalar(
        pg_insert(Interaction)
        .values(_interaction_row(staff, draft, interaction_id, concern_id, patient_id))
        .on_conflict_do_nothing(index_elements=[Interaction.client_submission_id])
        .returning(Interaction.id)
    )
    if inserted is None:
        raise AlreadySaved(_already_saved(session, draft.client_submission_id))

    concern_type, rule = _after_interaction(
        session,
        staff,
        draft,
        (interaction_id, concern_id, patient_id),
        patient,
        tz,
        SlaRules.read(session),
    )
    session.flush()
    return LoggedInteraction(
        interaction_id=interaction_id,
        concern_id=concern_id,
        concern_type=concern_type,
        patient_id=patient_id,
        grievance_rule=rule,
    )


def _interaction_row(
    staff: StaffMember,
    draft: InteractionDraft,
    interaction_id: int,
    concern_id: int | None,
    patient_id: int | None,
) -> dict:
    return {
        "id": interaction_id,
        "occurred_at": draft.occurred_at,
        "channel": draft.channel,
        "direction": draft.direction,
        "patient_id": patient_id,
        "department_id": draft.department_id,
        "category_id": draft.category_id,
        "summary": draft.summary.strip(),
        "duration_minutes": draft.duration_minutes,
        "outcome": draft.outcome,
        "concern_id": concern_id,
        "logged_by": staff.id,
        "client_submission_id": draft.client_submission_id,
    }


@dataclass(frozen=True)
class SlaRules:
    """The due-time rules in force, read once per save (or once for a whole batch)."""

    targets: dict[tuple[str, str], int | None]
    clock: GrievanceClock

    @classmethod
    def read(cls, session: Session) -> SlaRules:
        return cls(targets=sla_targets(session=session), clock=grievance_clock(session=session))


def _after_interaction(
    session: Session,
    staff: StaffMember,
    draft: InteractionDraft,
    ids: tuple[int, int | None, int | None],
    patient,
    tz: ZoneInfo,
    rules: SlaRules,
) -> tuple[str | None, str | None]:
    """Everything a saved interaction brings with it: the concern it opens (or the follow-up
    event on the concern it adds to) and its audit row. `ids` are the interaction's, its
    concern's and its patient's. Returns (concern type, grievance rule)."""
    interaction_id, concern_id, patient_id = ids
    concern_type, rule = None, None
    if draft.outcome == OPENS_CONCERN:
        concern_type, rule = _open_concern(
            session, staff, draft, concern_id, interaction_id, patient, tz, rules
        )
    elif draft.outcome == ADDS_TO_CONCERN:
        session.add(
            ConcernEvent(
                concern_id=concern_id,
                actor_id=staff.id,
                kind="follow_up",
                detail=draft.summary.strip(),
                data={"interaction_id": interaction_id, "channel": draft.channel},
            )
        )
    record_audit(
        session=session,
        action="create",
        username=staff.username,
        user_id=staff.id,
        entity="interaction",
        entity_id=interaction_id,
        detail={
            "outcome": draft.outcome,
            "concern_id": concern_id,
            "patient_id": patient_id,
            "new_patient": draft.new_patient is not None,
        },
    )
    return concern_type, rule


BATCH_ROWS = 2_000  # interactions per INSERT: 13 values each, under PostgreSQL's 65,535


def log_interactions(
    *,
    session: Session,
    staff: StaffMember,
    drafts: Sequence[InteractionDraft],
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[LoggedInteraction]:
    """Save many contacts at once (a survey import's service-recovery concerns) by the rules
    of log_interaction: the same checks, concern types, due times, events and audit rows, read
    and written in a few statements instead of a dozen per contact.

    Runs inside the caller's transaction; returns one result per draft, in order. Submissions
    saved before come back with already_saved=True. Raises InvalidInput with fields named
    "<draft index>.<field>" (nothing is saved then), PermissionError, and AlreadySaved when a
    concurrent request saved one of the submissions first. A contact that creates a patient
    is saved with log_interaction."""
    require(staff, Permission.LOGS_INTERACTIONS)
    if any(d.new_patient is not None for d in drafts):
        raise ValueError("A contact that creates a patient is saved with log_interaction.")
    earlier = _already_saved_many(session, [d.client_submission_id for d in drafts])
    todo = [(i, d) for i, d in enumerate(drafts) if d.client_submission_id not in earlier]
    errors: dict[str, str] = {}
    checked: dict[tuple, dict[str, str]] = {}
    for i, draft in todo:
        problems = draft_problems(draft, now)
        # The database checks depend on these fields only: each combination is checked once.
        key = (
            draft.outcome,
            draft.department_id,
            draft.category_id,
            draft.concern.owner_id,
            draft.add_to_concern_id,
            draft.patient_id,
        )
        if key not in checked:
            checked[key] = _reference_problems(session, staff, draft)
        problems.update(checked[key])
        errors.update({f"{i}.{field}": message for field, message in problems.items()})
    if errors:
        raise InvalidInput(errors)

    patients = {
        patient_id: get_patient(session=session, patient_id=patient_id)
        for patient_id in {d.patient_id for _i, d in todo if d.patient_id}
    }
    interaction_ids = _next_ids(session, "interaction_id_seq", len(todo))
    new_concern_ids = iter(
        _next_ids(session, "concern_id_seq", sum(d.outcome == OPENS_CONCERN for _i, d in todo))
    )
    concern_ids = [
        next(new_concern_ids)
        if d.outcome == OPENS_CONCERN
        else d.add_to_concern_id
        if d.outcome == ADDS_TO_CONCERN
        else None
        for _i, d in todo
    ]
    rows = [
        _interaction_row(staff, d, interaction_id, concern_id, d.patient_id)
        for (_i, d), interaction_id, concern_id in zip(
            todo, interaction_ids, concern_ids, strict=True
        )
    ]
    for start in range(0, len(rows), BATCH_ROWS):
        part = rows[start : start + BATCH_ROWS]
        inserted = set(
            session.scalars(
                pg_insert(Interaction)
                .values(part)
                .on_conflict_do_nothing(index_elements=[Interaction.client_submission_id])
                .returning(Interaction.client_submission_id)
            )
        )
        lost = next((r for r in part if r["client_submission_id"] not in inserted), None)
        if lost is not None:
            raise AlreadySaved(_already_saved(session, lost["client_submission_id"]))

    rules = SlaRules.read(session)
    results = dict(earlier)
    for (_i, draft), interaction_id, concern_id in zip(
        todo, interaction_ids, concern_ids, strict=True
    ):
        patient = patients.get(draft.patient_id)
        concern_type, rule = _after_interaction(
            session,
            staff,
            draft,
            (interaction_id, concern_id, draft.patient_id),
            patient,
            tz,
            rules,
        )
        results[draft.client_submission_id] = LoggedInteraction(
            interaction_id=interaction_id,
            concern_id=concern_id,
            concern_type=concern_type,
            patient_id=draft.patient_id,
            grievance_rule=rule,
        )
    session.flush()
    return [results[d.client_submission_id] for d in drafts]


def _next_ids(session: Session, sequence: str, count: int) -> list[int]:
    if count == 0:
        return []
    return list(
        session.scalars(
            text(f"SELECT nextval('{sequence}') FROM generate_series(1, :n)"), {"n": count}
        )
    )


def _reference_problems(
    session: Session, staff: StaffMember, draft: InteractionDraft
) -> dict[str, str]:
    """Checks that need the database: the things picked exist and may be used."""
    errors: dict[str, str] = {}
    if draft.department_id is not None and not session.scalar(
        select(Department.active).where(Department.id == draft.department_id)
    ):
        errors["department_id"] = "That department is not active."
    if draft.category_id is not None and not session.scalar(
        select(Category.active).where(Category.id == draft.category_id)
    ):
        errors["category_id"] = "That category is not active."
    if draft.outcome == OPENS_CONCERN and draft.concern.owner_id is not None:
        owner = session.execute(
            select(AppUser.active, AppUser.roles).where(AppUser.id == draft.concern.owner_id)
        ).first()
        if owner is None or not owner.active or not allows(owner.roles, Permission.WORKS_CONCERNS):
            errors["concern.owner_id"] = "The owner must be an active executive or manager."
    if draft.outcome == ADDS_TO_CONCERN and draft.add_to_concern_id is not None:
        concern = session.execute(
            select(Concern.patient_id, Concern.status, Concern.owner_id).where(
                Concern.id == draft.add_to_concern_id
            )
        ).first()
        if concern is None or concern.status not in OPEN_STATUSES:
            errors["add_to_concern_id"] = "That concern is no longer open."
        elif concern.patient_id != draft.patient_id:
            errors["add_to_concern_id"] = "That concern belongs to another patient."
        elif not may_act(staff, concern.owner_id):
            # The same rule as every concern action: adding a contact writes to the concern.
            errors["add_to_concern_id"] = (
                "That concern belongs to another executive: ask them or a manager to add to it."
            )
    return errors


def _open_concern(
    session: Session,
    staff: StaffMember,
    draft: InteractionDraft,
    concern_id: int,
    interaction_id: int,
    patient,
    tz: ZoneInfo,
    rules: SlaRules,
) -> tuple[str, str | None]:
    c = draft.concern
    concern_type, severity, rule = c.type, c.severity, None
    abuse_flag, qio_flag, override = c.abuse_or_neglect, False, None
    if concern_type in (AUTO_TYPE, *COMPLAINT_TYPES):
        proposal = grievance_proposal(
            session=session, draft=draft, medicare=bool(patient and patient.medicare_beneficiary)
        )
        rule, qio_flag = proposal.rule, proposal.qio_referral
        proposed = "grievance" if proposal.is_grievance else "complaint"
        if concern_type == AUTO_TYPE:
            concern_type = proposed
        elif concern_type != proposed:
            if not c.override_reason.strip():
                raise InvalidInput(
                    {
                        "concern.override_reason": (
                            f"The CMS rules make this a {proposed} ({proposal.rule}): "
                            f"give a reason to record it as a {concern_type}."
                        )
                    }
                )
            override = c.override_reason.strip()
        if proposal.critical:
            severity = "critical"
    opened_at = draft.occurred_at
    clock = rules.clock
    due_at = concern_due_at(
        opened_at=opened_at,
        concern_type=concern_type,
        severity=severity,
        targets=rules.targets,
        tz=tz,
        clock=clock,
    )
    session.add(
        Concern(
            id=concern_id,
            type=concern_type,
            severity=severity,
            status="new",
            summary=draft.summary.strip(),
            category_id=draft.category_id,
            department_id=draft.department_id,
            owner_id=c.owner_id,
            patient_id=patient.id if patient else None,
            opened_by_interaction_id=interaction_id,
            source_survey_response_id=draft.source_survey_response_id,
            created_by=staff.id,
            grievance_rule=rule,
            grievance_override_reason=override,
            abuse_neglect_flag=abuse_flag,
            qio_referral_flag=qio_flag,
            opened_at=opened_at,
            written_response_days=clock.written_response_days,
            due_at=due_at,
            acknowledgement_due_at=(
                grievance_acknowledgement_due_at(opened_at, tz, clock)
                if concern_type == "grievance"
                else None
            ),
        )
    )
    if draft.category_id is not None:
        session.add(
            ConcernIssue(
                concern_id=concern_id,
                position=1,
                category_id=draft.category_id,
                hcat_severity=3 if severity == "critical" else 2 if severity == "high" else 1,
                description=None,
            )
        )
    session.add(
        ConcernEvent(
            concern_id=concern_id,
            actor_id=staff.id,
            kind="created",
            detail=f"{concern_type.capitalize()} opened from a {draft.channel} contact",
            data={
                "interaction_id": interaction_id,
                "grievance_rule": rule,
                "override_reason": override,
                "severity": severity,
                "due_at": due_at.isoformat() if due_at else None,
            },
        )
    )
    if c.owner_id is not None:
        session.add(
            ConcernEvent(
                concern_id=concern_id,
                actor_id=staff.id,
                kind="assigned",
                detail="Owner set when the concern was opened",
                data={"owner_id": c.owner_id},
            )
        )
    return concern_type, rule


@dataclass(frozen=True)
class RecentInteraction:
    id: int
    occurred_at: dt.datetime
    channel: str
    outcome: str
    concern_id: int | None
    patient: str  # "Family, Given" or "Anonymous"
    summary: str


def my_recent_interactions(
    *, session: Session, staff_id: int, since: dt.datetime, limit: int = 50
) -> list[RecentInteraction]:
    """What this staff member logged that happened since `since` (their day), newest first."""
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.occurred_at,
            Interaction.channel,
            Interaction.outcome,
            Interaction.concern_id,
            Patient.family_name,
            Patient.given_name,
            Interaction.summary,
        )
        .outerjoin(Patient, Patient.id == Interaction.patient_id)
        # (logged_by, occurred_at DESC) index: a busy executive's two years stay unread.
        .where(Interaction.logged_by == staff_id, Interaction.occurred_at >= since)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    ).all()
    return [
        RecentInteraction(
            id=r[0],
            occurred_at=r[1],
            channel=r[2],
            outcome=r[3],
            concern_id=r[4],
            patient=f"{r[5]}, {r[6]}" if r[5] else "Anonymous",
            summary=r[7],
        )
        for r in rows
    ]

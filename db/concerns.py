"""Working concerns to resolution: the worklist, one concern's detail, and every action on it.

Every action takes the version of the concern the user saw. The row is locked, the version
compared, and the change written with its timeline event and audit row in one transaction, so
of two people acting on the same view exactly one succeeds; the other gets ConcernChanged with
the concern as it is now. Permission is checked here, in the write path: an executive may act on
concerns they own or that nobody owns; a manager on all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.audit import record_audit
from db.models import (
    CHANNELS,
    CLOSED_STATUSES,
    DIRECTIONS,
    HARM_LEVELS,
    OPEN_STATUSES,
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
from db.permissions import Permission, allows, require
from db.sla import as_opened, concern_due_at, grievance_clock, sla_targets
from db.users import StaffMember
from db.validation import (
    MAX_LONG_TEXT,
    MAX_SEARCH_TEXT,
    MAX_SHORT_TEXT,
    InvalidInput,
    check_texts,
    escape_like,
)

WORKLIST_LIMIT = 200

# The status state machine. Resolving is allowed from any open status; closing only after
# resolving; reopening (with a reason) returns a resolved or closed concern to in_progress.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_progress", "escalated", "awaiting_patient", "resolved"}),
    "in_progress": frozenset({"escalated", "awaiting_patient", "resolved"}),
    "escalated": frozenset({"in_progress", "awaiting_patient", "resolved"}),
    "awaiting_patient": frozenset({"in_progress", "escalated", "resolved"}),
    "resolved": frozenset({"closed", "in_progress"}),
    "closed": frozenset({"in_progress"}),
}


# What the detail page offers on a concern in each status. The status changes among them are the
# state machine's (TRANSITIONS); the others record work on a concern that is still open, except
# that a note, a follow-up contact and the written response may follow the resolution too.
OPEN_ACTIONS = (
    "note",
    "assign",
    "status",
    "escalate",
    "follow_up",
    "ack",
    "response",
    "still",
    "issue",
    "severity",
    "resolve",
)
ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    "resolved": ("note", "follow_up", "response", "close", "reopen"),
    "closed": ("note", "reopen"),
}
WORKING_STATUSES = ("in_progress", "awaiting_patient")


def working_statuses_from(status: str) -> tuple[str, ...]:
    """The working statuses a concern in `status` may be moved to by "change status" (a resolved
    or closed concern goes back to work by reopening, which needs a reason)."""
    if status in CLOSED_STATUSES:
        return ()
    return tuple(s for s in WORKING_STATUSES if s in TRANSITIONS.get(status, ()))


def actions_allowed(status: str) -> tuple[str, ...]:
    """The actions a concern in `status` offers, in the order the page lists them."""
    actions = ACTIONS_BY_STATUS.get(status, OPEN_ACTIONS)
    if not working_statuses_from(status):
        actions = tuple(a for a in actions if a != "status")
    return actions


class ConcernChanged(Exception):  # noqa: N818 - named for what the user is told
    """Someone else changed the concern since the user's view; `current` is how it is now."""

    def __init__(self, current: ConcernDetail):
        super().__init__(f"concern #{current.id} changed (now version {current.version})")
        self.current = current


class TransitionRefused(ValueError):
    """A status change the state machine does not allow."""


# ---------------------------------------------------------------- worklist


@dataclass(frozen=True)
class WorklistFilters:
    statuses: tuple[str, ...] = ()  # empty: every open status
    types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    department_id: int | None = None
    owner_id: int | None = None
    unassigned_only: bool = False
    overdue_only: bool = False
    text: str = ""


@dataclass(frozen=True)
class WorklistRow:
    id: int
    type: str
    severity: str
    status: str
    summary: str
    category: str | None
    department: str | None
    owner: str | None
    owner_id: int | None
    given_name: str | None
    family_name: str | None
    mrn: str | None
    opened_at: dt.datetime
    due_at: dt.datetime | None

    def overdue(self, now: dt.datetime) -> bool:
        return self.due_at is not None and self.due_at < now


def open_concerns(
    *,
    session: Session,
    staff: StaffMember,
    filters: WorklistFilters,
    now: dt.datetime,
    limit: int = WORKLIST_LIMIT,
) -> list[WorklistRow]:
    """The worklist: open concerns matching `filters`, soonest due first (no clock last).

    Executives see their own and unassigned concerns; managers see all. A text search adds an
    audit row to `session` (the caller commits).
    """
    require(staff, Permission.WORKS_CONCERNS)
    owner = aliased(AppUser)
    statuses = [s for s in filters.statuses if s in OPEN_STATUSES] or list(OPEN_STATUSES)
    conditions = [Concern.status.in_(statuses)]
    if not allows(staff, Permission.WORKS_EVERY_CONCERN):
        conditions.append(or_(Concern.owner_id == staff.id, Concern.owner_id.is_(None)))
    if filters.types:
        conditions.append(Concern.type.in_(filters.types))
    if filters.severities:
        conditions.append(Concern.severity.in_(filters.severities))
    if filters.department_id is not None:
        conditions.append(Concern.department_id == filters.department_id)
    if filters.unassigned_only:
        conditions.append(Concern.owner_id.is_(None))
    elif filters.owner_id is not None:
        conditions.append(Concern.owner_id == filters.owner_id)
    if filters.overdue_only:
        conditions.append(Concern.due_at < now)
    check_texts({"text": (filters.text, MAX_SEARCH_TEXT)})
    if filters.text.strip():
        conditions.append(Concern.summary.ilike(f"%{escape_like(filters.text.strip())}%"))
    rows = session.execute(
        select(
            Concern.id,
            Concern.type,
            Concern.severity,
            Concern.status,
            Concern.summary,
            Category.name,
            Department.name,
            owner.display_name,
            Concern.owner_id,
            Patient.given_name,
            Patient.family_name,
            Patient.mrn,
            Concern.opened_at,
            Concern.due_at,
        )
        .outerjoin(Category, Category.id == Concern.category_id)
        .outerjoin(Department, Department.id == Concern.department_id)
        .outerjoin(owner, owner.id == Concern.owner_id)
        .outerjoin(Patient, Patient.id == Concern.patient_id)
        .where(and_(*conditions))
        .order_by(Concern.due_at.asc().nulls_last(), Concern.id)
        .limit(limit)
    ).all()
    if filters.text.strip():
        # A search of what patients said is a PHI search: audited (what was searched stays out
        # of the audit row, which is read more widely than the concerns).
        record_audit(
            session=session,
            action="search-concern",
            username=staff.username,
            user_id=staff.id,
            entity="concern",
            detail={"results": len(rows), "length": len(filters.text.strip())},
        )
    return [WorklistRow(*row) for row in rows]


# ---------------------------------------------------------------- detail


@dataclass(frozen=True)
class IssueRow:
    id: int
    position: int
    category_id: int
    category: str
    hcat_severity: int
    harm_level: str | None
    description: str | None


@dataclass(frozen=True)
class EventRow:
    occurred_at: dt.datetime
    kind: str
    actor: str
    detail: str


@dataclass(frozen=True)
class ConcernDetail:
    id: int
    version: int
    type: str
    severity: str
    status: str
    summary: str
    category: str | None
    department_id: int | None
    department: str | None
    owner_id: int | None
    owner: str | None
    patient_id: int | None
    patient_given_name: str | None
    patient_family_name: str | None
    patient_mrn: str | None
    patient_phone: str | None
    opened_at: dt.datetime
    due_at: dt.datetime | None
    acknowledgement_due_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    written_response_at: dt.datetime | None
    response_contact_person: str | None
    response_steps_taken: str | None
    response_result: str | None
    response_completed_on: dt.date | None
    still_working_notice_at: dt.datetime | None
    still_working_new_date: dt.date | None
    resolved_at: dt.datetime | None
    resolution: str | None
    closed_at: dt.datetime | None
    grievance_rule: str | None
    grievance_override_reason: str | None
    qio_referral_flag: bool
    abuse_neglect_flag: bool
    issues: tuple[IssueRow, ...]
    events: tuple[EventRow, ...]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# Fields a person compares when told "someone else changed this concern".
COMPARED_FIELDS = (
    "status",
    "severity",
    "owner",
    "department",
    "due_at",
    "acknowledged_at",
    "written_response_at",
    "still_working_new_date",
    "resolution",
)


def changed_fields(before: ConcernDetail, after: ConcernDetail) -> list[tuple[str, Any, Any]]:
    """(field, what the user saw, what it is now) for each field that differs."""
    changes = [
        (name, getattr(before, name), getattr(after, name))
        for name in COMPARED_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]
    if len(after.events) > len(before.events):
        new = after.events[: len(after.events) - len(before.events)]
        changes.append(("timeline", "", "; ".join(f"{e.kind} by {e.actor}" for e in new)))
    return changes


def _read_detail(session: Session, concern_id: int) -> ConcernDetail | None:
    owner = aliased(AppUser)
    row = session.execute(
        select(
            Concern,
            Category.name,
            Department.name,
            owner.display_name,
            Patient.given_name,
            Patient.family_name,
            Patient.mrn,
            Patient.phone,
        )
        .outerjoin(Category, Category.id == Concern.category_id)
        .outerjoin(Department, Department.id == Concern.department_id)
        .outerjoin(owner, owner.id == Concern.owner_id)
        .outerjoin(Patient, Patient.id == Concern.patient_id)
        .where(Concern.id == concern_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None
    c, category, department, owner_name, given, family, mrn, phone = row
    issues = tuple(
        IssueRow(*r)
        for r in session.execute(
            select(
                ConcernIssue.id,
                ConcernIssue.position,
                ConcernIssue.category_id,
                Category.name,
                ConcernIssue.hcat_severity,
                ConcernIssue.harm_level,
                ConcernIssue.description,
            )
            .join(Category, Category.id == ConcernIssue.category_id)
            .where(ConcernIssue.concern_id == concern_id)
            .order_by(ConcernIssue.position)
        ).all()
    )
    events = tuple(
        EventRow(*r)
        for r in session.execute(
            select(
                ConcernEvent.occurred_at,
                ConcernEvent.kind,
                AppUser.display_name,
                ConcernEvent.detail,
            )
            .join(AppUser, AppUser.id == ConcernEvent.actor_id)
            .where(ConcernEvent.concern_id == concern_id)
            .order_by(ConcernEvent.occurred_at.desc(), ConcernEvent.id.desc())
        ).all()
    )
    return ConcernDetail(
        id=c.id,
        version=c.version,
        type=c.type,
        severity=c.severity,
        status=c.status,
        summary=c.summary,
        category=category,
        department_id=c.department_id,
        department=department,
        owner_id=c.owner_id,
        owner=owner_name,
        patient_id=c.patient_id,
        patient_given_name=given,
        patient_family_name=family,
        patient_mrn=mrn,
        patient_phone=phone,
        opened_at=c.opened_at,
        due_at=c.due_at,
        acknowledgement_due_at=c.acknowledgement_due_at,
        acknowledged_at=c.acknowledged_at,
        written_response_at=c.written_response_at,
        response_contact_person=c.response_contact_person,
        response_steps_taken=c.response_steps_taken,
        response_result=c.response_result,
        response_completed_on=c.response_completed_on,
        still_working_notice_at=c.still_working_notice_at,
        still_working_new_date=c.still_working_new_date,
        resolved_at=c.resolved_at,
        resolution=c.resolution,
        closed_at=c.closed_at,
        grievance_rule=c.grievance_rule,
        grievance_override_reason=c.grievance_override_reason,
        qio_referral_flag=c.qio_referral_flag,
        abuse_neglect_flag=c.abuse_neglect_flag,
        issues=issues,
        events=events,
    )


def may_act(staff: StaffMember, owner_id: int | None) -> bool:
    """Managers act on every concern; executives on their own and unassigned ones."""
    if allows(staff, Permission.WORKS_EVERY_CONCERN):
        return True
    return allows(staff, Permission.WORKS_CONCERNS) and owner_id in (None, staff.id)


def concern_detail(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    shows_patient: bool,
    opening: bool = True,
) -> ConcernDetail | None:
    """One concern with its issues and timeline; when this is an opening (not a rerun of a page
    that has it open already), writes the view-concern audit row (and view-patient when the
    patient's identity is on screen)."""
    require(staff, Permission.WORKS_CONCERNS)
    detail = _read_detail(session, concern_id)
    if detail is None:
        return None
    if not may_act(staff, detail.owner_id):
        raise PermissionError("This concern belongs to another executive.")
    if not opening:
        return detail
    record_audit(
        session=session,
        action="view-concern",
        username=staff.username,
        user_id=staff.id,
        entity="concern",
        entity_id=concern_id,
    )
    if shows_patient and detail.patient_id is not None:
        record_audit(
            session=session,
            action="view-patient",
            username=staff.username,
            user_id=staff.id,
            entity="patient",
            entity_id=detail.patient_id,
            detail={"via": "concern", "concern_id": concern_id},
        )
    return detail


# ---------------------------------------------------------------- actions


def _locked(session: Session, staff: StaffMember, concern_id: int, seen_version: int) -> Concern:
    """The concern row locked for this transaction, if the user may act and saw this version."""
    require(staff, Permission.WORKS_CONCERNS)
    concern = session.get(Concern, concern_id, with_for_update=True, populate_existing=True)
    if concern is None:
        raise LookupError(f"No concern #{concern_id}.")
    if not may_act(staff, concern.owner_id):
        raise PermissionError("This concern belongs to another executive.")
    if concern.version != seen_version:
        raise ConcernChanged(_read_detail(session, concern_id))
    return concern


def _record(
    session: Session,
    staff: StaffMember,
    concern: Concern,
    kind: str,
    detail: str,
    data: dict | None = None,
) -> None:
    concern.updated_at = func.now()
    session.add(
        ConcernEvent(
            concern_id=concern.id, actor_id=staff.id, kind=kind, detail=detail, data=data or {}
        )
    )
    record_audit(
        session=session,
        action="update",
        username=staff.username,
        user_id=staff.id,
        entity="concern",
        entity_id=concern.id,
        detail={"action": kind, **(data or {})},
    )
    session.flush()  # the version check happens here: UPDATE ... WHERE version = seen


def _required_text(value: str, field: str, what: str, limit: int = MAX_LONG_TEXT) -> str:
    check_texts({field: (value, limit)})
    text = (value or "").strip()
    if not text:
        raise InvalidInput({field: f"Enter {what}."})
    return text


def _move(concern: Concern, to: str) -> str:
    before = concern.status
    if to not in TRANSITIONS[before]:
        raise TransitionRefused(
            f"A {before.replace('_', ' ')} concern cannot become {to.replace('_', ' ')}."
        )
    concern.status = to
    return before


def _start_work(concern: Concern) -> dict:
    """Work on a new concern (an owner, a contact, a letter) puts it in progress; the event
    records the change."""
    if concern.status != "new":
        return {}
    return {"status_from": _move(concern, "in_progress"), "status_to": "in_progress"}


def change_status(
    *, session: Session, staff: StaffMember, concern_id: int, seen_version: int, status: str
) -> None:
    """Move between the working statuses (in progress, awaiting patient) by the state machine.
    Escalating, resolving, closing and reopening have their own actions (they need more)."""
    if status not in ("in_progress", "awaiting_patient"):
        raise TransitionRefused("Use escalate, resolve, close or reopen for that change.")
    concern = _locked(session, staff, concern_id, seen_version)
    before = _move(concern, status)
    _record(
        session,
        staff,
        concern,
        "status_changed",
        f"{before} → {status}",
        {"from": before, "to": status},
    )


def assign(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    owner_id: int | None,
) -> None:
    """Give the concern an owner (or none). Executives may only take it themselves."""
    concern = _locked(session, staff, concern_id, seen_version)
    if not allows(staff, Permission.WORKS_EVERY_CONCERN) and owner_id not in (staff.id, None):
        raise PermissionError("Executives can take a concern themselves; managers assign it.")
    if owner_id is not None:
        owner = session.execute(
            select(AppUser.display_name, AppUser.roles, AppUser.active).where(
                AppUser.id == owner_id
            )
        ).first()
        if owner is None or not owner.active or not allows(owner.roles, Permission.WORKS_CONCERNS):
            raise InvalidInput({"owner_id": "The owner must be an active executive or manager."})
        name = owner.display_name
    else:
        name = "nobody"
    previous = concern.owner_id
    concern.owner_id = owner_id
    started = _start_work(concern) if owner_id is not None else {}
    _record(
        session,
        staff,
        concern,
        "assigned",
        f"Assigned to {name}",
        {"from": previous, "to": owner_id, **started},
    )


def escalate(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    department_id: int,
    reason: str,
) -> None:
    """Route the concern to a department for action, with the reason."""
    reason = _required_text(reason, "reason", "why it is escalated", MAX_SHORT_TEXT)
    concern = _locked(session, staff, concern_id, seen_version)
    name = session.scalar(
        select(Department.name).where(Department.id == department_id, Department.active)
    )
    if name is None:
        raise InvalidInput({"department_id": "Choose an active department."})
    if concern.status != "escalated":
        _move(concern, "escalated")
    previous = concern.department_id
    concern.department_id = department_id
    _record(
        session,
        staff,
        concern,
        "escalated",
        f"Escalated to {name}: {reason}",
        {"from_department": previous, "to_department": department_id},
    )


def add_note(
    *, session: Session, staff: StaffMember, concern_id: int, seen_version: int, note: str
) -> None:
    note = _required_text(note, "note", "the note")
    concern = _locked(session, staff, concern_id, seen_version)
    _record(session, staff, concern, "note", note)


def record_follow_up(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    channel: str,
    direction: str,
    summary: str,
    occurred_at: dt.datetime,
    duration_minutes: int | None = None,
) -> int:
    """A follow-up contact with the patient: an interaction on the concern and its event."""
    summary = _required_text(summary, "summary", "what was said")
    errors = {}
    if channel not in CHANNELS:
        errors["channel"] = "Choose the channel."
    if direction not in DIRECTIONS:
        errors["direction"] = "Choose inbound or outbound."
    if duration_minutes is not None and not 0 <= duration_minutes <= 600:
        errors["duration_minutes"] = "Between 0 and 600 minutes."
    if errors:
        raise InvalidInput(errors)
    concern = _locked(session, staff, concern_id, seen_version)
    interaction = Interaction(
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        patient_id=concern.patient_id,
        department_id=concern.department_id,
        category_id=concern.category_id,
        summary=summary,
        duration_minutes=duration_minutes,
        outcome="added-to-concern",
        concern_id=concern.id,
        logged_by=staff.id,
        client_submission_id=uuid.uuid4(),
    )
    session.add(interaction)
    session.flush()
    started = _start_work(concern)
    _record(
        session,
        staff,
        concern,
        "follow_up",
        summary,
        {"interaction_id": interaction.id, "channel": channel, "direction": direction, **started},
    )
    return interaction.id


def record_acknowledgement(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    acknowledged_at: dt.datetime,
) -> None:
    concern = _locked(session, staff, concern_id, seen_version)
    if acknowledged_at < concern.opened_at:
        raise InvalidInput({"acknowledged_at": "The acknowledgement cannot precede the concern."})
    concern.acknowledged_at = acknowledged_at
    _record(
        session,
        staff,
        concern,
        "acknowledged",
        "Acknowledgement sent to the patient",
        {"acknowledged_at": acknowledged_at.isoformat(), **_start_work(concern)},
    )


def record_written_response(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    contact_person: str,
    steps_taken: str,
    result: str,
    completed_on: dt.date | None,
    sent_at: dt.datetime,
) -> None:
    """The written response CMS requires: contact person, steps taken, result, completion date.
    Refused while any of the four is missing."""
    check_texts(
        {
            "contact_person": (contact_person, MAX_SHORT_TEXT),
            "steps_taken": (steps_taken, MAX_LONG_TEXT),
            "result": (result, MAX_LONG_TEXT),
        }
    )
    errors = {}
    for field, value, what in (
        ("contact_person", contact_person, "the contact person named in the letter"),
        ("steps_taken", steps_taken, "the steps taken to investigate"),
        ("result", result, "the result"),
    ):
        if not (value or "").strip():
            errors[field] = f"Enter {what}."
    if completed_on is None:
        errors["completed_on"] = "Enter the date the process was completed."
    if errors:
        raise InvalidInput(errors)
    concern = _locked(session, staff, concern_id, seen_version)
    concern.written_response_at = sent_at
    concern.response_contact_person = contact_person.strip()
    concern.response_steps_taken = steps_taken.strip()
    concern.response_result = result.strip()
    concern.response_completed_on = completed_on
    _record(
        session,
        staff,
        concern,
        "written_response",
        f"Written response sent; contact: {contact_person.strip()}",
        {"completed_on": completed_on.isoformat(), **_start_work(concern)},
    )


def record_still_working(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    new_date: dt.date | None,
    note: str = "",
    today: dt.date,
) -> None:
    """The "still working on it" notice, with the new date the patient was given."""
    check_texts({"note": (note, MAX_SHORT_TEXT)})
    if new_date is None or new_date <= today:
        raise InvalidInput({"new_date": "Give the patient a new date after today."})
    concern = _locked(session, staff, concern_id, seen_version)
    concern.still_working_notice_at = func.now()
    concern.still_working_new_date = new_date
    _record(
        session,
        staff,
        concern,
        "still_working",
        f"Still-working notice sent; new date {new_date.isoformat()}. {note.strip()}".strip(),
        {"new_date": new_date.isoformat(), **_start_work(concern)},
    )


def save_issue(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    category_id: int | None,
    hcat_severity: int,
    harm_level: str | None,
    description: str = "",
    issue_id: int | None = None,
) -> None:
    """Add an issue, or edit one (issue_id). The concern's category follows its first issue."""
    check_texts({"description": (description, MAX_SHORT_TEXT)})
    errors = {}
    if category_id is None:
        errors["category_id"] = "Choose the issue's category."
    if hcat_severity not in (1, 2, 3):
        errors["hcat_severity"] = "HCAT severity is 1 (low), 2 (medium) or 3 (high)."
    if harm_level is not None and harm_level not in HARM_LEVELS:
        errors["harm_level"] = "Choose a harm level."
    if errors:
        raise InvalidInput(errors)
    concern = _locked(session, staff, concern_id, seen_version)
    if issue_id is None:
        position = (
            session.scalar(
                select(func.coalesce(func.max(ConcernIssue.position), 0)).where(
                    ConcernIssue.concern_id == concern.id
                )
            )
            + 1
        )
        issue = ConcernIssue(concern_id=concern.id, position=position)
        session.add(issue)
    else:
        issue = session.get(ConcernIssue, issue_id)
        if issue is None or issue.concern_id != concern.id:
            raise InvalidInput({"issue_id": "That issue is not on this concern."})
    issue.category_id = category_id
    issue.hcat_severity = hcat_severity
    issue.harm_level = harm_level
    issue.description = description.strip() or None
    if issue.position == 1:
        concern.category_id = category_id
    _record(
        session,
        staff,
        concern,
        "issue_changed",
        f"Issue {issue.position} {'added' if issue_id is None else 'edited'}",
        {
            "position": issue.position,
            "category_id": category_id,
            "hcat_severity": hcat_severity,
            "harm_level": harm_level,
        },
    )


def change_severity(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    severity: str,
    tz: ZoneInfo,
) -> None:
    """Change the severity; the due time is recomputed from the opening time by the SLA rules.
    The old severity and due time stay in the event."""
    if severity not in SEVERITIES:
        raise InvalidInput({"severity": "Choose a severity."})
    concern = _locked(session, staff, concern_id, seen_version)
    targets = sla_targets(session=session)  # read before changing the row: one version step
    # The written-response days in force when it was opened, not today's rule.
    clock = as_opened(grievance_clock(session=session), concern.written_response_days)
    before = {
        "severity": concern.severity,
        "due_at": concern.due_at.isoformat() if concern.due_at else None,
    }
    concern.severity = severity
    concern.due_at = concern_due_at(
        opened_at=concern.opened_at,
        concern_type=concern.type,
        severity=severity,
        targets=targets,
        tz=tz,
        clock=clock,
    )
    after = {"severity": severity, "due_at": concern.due_at.isoformat() if concern.due_at else None}
    _record(
        session,
        staff,
        concern,
        "severity_changed",
        f"Severity {before['severity']} → {severity}",
        {"from": before, "to": after},
    )


def resolve(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    resolution: str,
    resolved_at: dt.datetime,
) -> None:
    resolution = _required_text(resolution, "resolution", "how the concern was resolved")
    concern = _locked(session, staff, concern_id, seen_version)
    _move(concern, "resolved")
    concern.resolved_at = max(resolved_at, concern.opened_at)
    concern.resolution = resolution
    _record(session, staff, concern, "resolved", resolution)


def close(
    *,
    session: Session,
    staff: StaffMember,
    concern_id: int,
    seen_version: int,
    closed_at: dt.datetime,
) -> None:
    concern = _locked(session, staff, concern_id, seen_version)
    _move(concern, "closed")
    concern.closed_at = closed_at
    _record(session, staff, concern, "closed", "Closed")


def reopen(
    *, session: Session, staff: StaffMember, concern_id: int, seen_version: int, reason: str
) -> None:
    """Back to in progress; the resolution is cleared (it stays in the timeline)."""
    reason = _required_text(reason, "reason", "why the concern is reopened", MAX_SHORT_TEXT)
    concern = _locked(session, staff, concern_id, seen_version)
    if concern.status not in CLOSED_STATUSES:
        raise TransitionRefused("Only a resolved or closed concern can be reopened.")
    before = _move(concern, "in_progress")
    previous_resolution = concern.resolution
    concern.resolved_at = None
    concern.closed_at = None
    concern.resolution = None
    _record(
        session,
        staff,
        concern,
        "reopened",
        reason,
        {"from": before, "previous_resolution": previous_resolution},
    )

"""Patients: find one as you type (MRN, name or phone digits), add one, read their history.

Lookups are prefix searches served by btree indexes with text_pattern_ops (core PostgreSQL: the
embedded server has no pg_trgm), so they stay fast at half a million patients.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, literal_column, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.audit import record_audit
from db.models import (
    OPEN_STATUSES,
    Concern,
    Interaction,
    Patient,
    SurveyInstrument,
    SurveyResponse,
)
from db.validation import (
    MAX_SEARCH_TEXT,
    NUL_MESSAGE,
    InvalidInput,
    check_texts,
    escape_like,
)

REPEAT_CONTACTS = 3  # this many contacts ...
REPEAT_WINDOW = dt.timedelta(days=30)  # ... within this window mark a repeat contact
RECENT_CONTACT_WINDOW = dt.timedelta(days=7)  # warned about before logging again
MRN_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,19}$")
PHONE_PATTERN = re.compile(r"^[0-9 +().-]{7,25}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PatientMatch:
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    phone: str | None
    medicare_beneficiary: bool

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @property
    def label(self) -> str:
        """How a search result reads: enough to pick the right patient."""
        dob = self.date_of_birth.isoformat() if self.date_of_birth else "DOB unknown"
        return f"{self.display_name} · {self.mrn} · born {dob}"


def search_kind(query: str) -> str:
    """'phone', 'mrn' or 'name': what a typed query looks like (for the audit trail too)."""
    q = query.strip()
    digits = re.sub(r"[\s()+.-]", "", q)
    if digits.isdigit() and len(digits) >= 3:
        return "phone"
    if any(ch.isdigit() for ch in q) and re.fullmatch(r"[A-Za-z0-9-]+", q):
        return "mrn"
    return "name"


def search_patients(*, session: Session, query: str, limit: int = 10) -> list[PatientMatch]:
    """Patients whose MRN, name or phone digits start with what was typed, best first.

    "smi" finds Smith and Smita; "smith jo" or "smith, jo" finds John Smith; "555 01" finds phone
    numbers starting 55501; "MRN00" finds MRNs starting so. Fewer than two characters: nothing.
    A single word lists family-name matches before given-name matches.
    """
    check_texts({"query": (query, MAX_SEARCH_TEXT)})
    q = query.strip()
    if len(q) < 2:
        return []
    kind = search_kind(q)
    family, given = func.lower(Patient.family_name), func.lower(Patient.given_name)
    if kind == "phone":
        digits = escape_like(re.sub(r"\D", "", q)) + "%"
        return _matches(
            session,
            or_(Patient.phone_digits.like(digits), Patient.mrn.like(digits)),
            [family, given],
            limit,
        )
    if kind == "mrn":
        return _matches(
            session, Patient.mrn.like(escape_like(q.upper()) + "%"), [_BYTE_ORDER_MRN], limit
        )
    tokens = [t for t in re.split(r"[\s,]+", q.lower()) if t]
    if len(tokens) == 1:
        # Family-name matches first, then given-name matches: two index-ordered scans that stop
        # at `limit`, where one OR query would sort every match of a common prefix.
        prefix = escape_like(tokens[0]) + "%"
        found = _matches(session, family.like(prefix), [_BYTE_ORDER_FAMILY_GIVEN], limit)
        if len(found) < limit:
            seen = {m.id for m in found}
            more = _matches(session, given.like(prefix), [_BYTE_ORDER_GIVEN], limit)
            found += [m for m in more if m.id not in seen][: limit - len(found)]
        return found
    first, second = (escape_like(t) + "%" for t in tokens[:2])
    return _matches(
        session,
        or_(
            and_(family.like(first), given.like(second)),
            and_(given.like(first), family.like(second)),
        ),
        [family, given],
        limit,
    )


# ORDER BY in the byte order of the text_pattern_ops indexes, so the index that finds the prefix
# also delivers the rows in order and the scan stops after `limit` rows.
_BYTE_ORDER_FAMILY_GIVEN = literal_column(
    "lower(patient.family_name) USING ~<~, lower(patient.given_name) USING ~<~"
)
_BYTE_ORDER_GIVEN = literal_column("lower(patient.given_name) USING ~<~")
_BYTE_ORDER_MRN = literal_column("patient.mrn USING ~<~")


# The columns of a PatientMatch, in its field order.
_MATCH_COLUMNS = (
    Patient.id,
    Patient.mrn,
    Patient.given_name,
    Patient.family_name,
    Patient.date_of_birth,
    Patient.phone,
    Patient.medicare_beneficiary,
)


def _matches(session: Session, condition, order, limit: int) -> list[PatientMatch]:
    rows = session.execute(
        select(*_MATCH_COLUMNS).where(condition).order_by(*order).limit(limit)
    ).all()
    return [PatientMatch(*row) for row in rows]


def get_patient(*, session: Session, patient_id: int) -> PatientMatch | None:
    row = session.execute(select(*_MATCH_COLUMNS).where(Patient.id == patient_id)).first()
    return PatientMatch(*row) if row else None


@dataclass(frozen=True)
class NewPatient:
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    phone: str | None = None
    email: str | None = None
    preferred_language: str = "English"
    medicare_beneficiary: bool = False


def patient_problems(new: NewPatient, today: dt.date | None = None) -> dict[str, str]:
    """Field -> what to fix, for a new patient typed at the desk (empty when it can be saved)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    for name in ("mrn", "given_name", "family_name", "phone", "email", "preferred_language"):
        value = getattr(new, name, None)
        if "\x00" in (value or ""):
            errors[name] = NUL_MESSAGE
    if errors:
        return errors
    if not MRN_PATTERN.match(new.mrn.strip().upper()):
        errors["mrn"] = "MRN: 3 to 20 letters, digits or dashes."
    if not new.given_name.strip():
        errors["given_name"] = "Enter the given name."
    elif len(new.given_name.strip()) > 100:
        errors["given_name"] = "At most 100 characters."
    if not new.family_name.strip():
        errors["family_name"] = "Enter the family name."
    elif len(new.family_name.strip()) > 100:
        errors["family_name"] = "At most 100 characters."
    if new.date_of_birth and not dt.date(1900, 1, 1) <= new.date_of_birth <= today:
        errors["date_of_birth"] = "Date of birth must be between 1900 and today."
    if new.phone and not PHONE_PATTERN.match(new.phone.strip()):
        errors["phone"] = "Phone: 7 to 25 digits, spaces, +, (, ), - or dots."
    if new.email and not EMAIL_PATTERN.match(new.email.strip()):
        errors["email"] = "Email looks incomplete (name@example.org)."
    return errors


def create_patient(*, session: Session, new: NewPatient) -> int:
    """Insert a patient; InvalidInput with field messages on bad input or a taken MRN."""
    errors = patient_problems(new)
    if errors:
        raise InvalidInput(errors)
    patient = Patient(
        mrn=new.mrn.strip().upper(),
        given_name=new.given_name.strip(),
        family_name=new.family_name.strip(),
        date_of_birth=new.date_of_birth,
        phone=(new.phone or "").strip() or None,
        email=(new.email or "").strip() or None,
        preferred_language=new.preferred_language.strip() or "English",
        medicare_beneficiary=new.medicare_beneficiary,
    )
    try:
        with session.begin_nested():
            session.add(patient)
            session.flush()
    except IntegrityError as error:
        if "uq_patient_mrn" in str(error.orig):
            raise InvalidInput(
                {"mrn": "A patient with this MRN already exists: search for it."}
            ) from None
        raise
    return patient.id


@dataclass(frozen=True)
class OpenConcernSummary:
    id: int
    type: str
    severity: str
    status: str
    summary: str
    due_at: dt.datetime | None
    owner_id: int | None = None


def open_concerns_of(*, session: Session, patient_id: int) -> list[OpenConcernSummary]:
    """This patient's concerns that are still being worked, oldest due first."""
    rows = session.execute(
        select(
            Concern.id,
            Concern.type,
            Concern.severity,
            Concern.status,
            Concern.summary,
            Concern.due_at,
            Concern.owner_id,
        )
        .where(Concern.patient_id == patient_id, Concern.status.in_(OPEN_STATUSES))
        .order_by(Concern.due_at.nulls_last(), Concern.id)
    ).all()
    return [OpenConcernSummary(*row) for row in rows]


def contacts_since(*, session: Session, patient_id: int, since: dt.datetime) -> int:
    """How many interactions with this patient happened at or after `since`."""
    return session.scalar(
        select(func.count())
        .select_from(Interaction)
        .where(Interaction.patient_id == patient_id, Interaction.occurred_at >= since)
    )


def is_repeat_contact(*, session: Session, patient_id: int, now: dt.datetime) -> bool:
    """3 or more contacts in the last 30 days: a repeat complainant to watch."""
    return contacts_since(session=session, patient_id=patient_id, since=now - REPEAT_WINDOW) >= (
        REPEAT_CONTACTS
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # interaction, concern, survey
    reference: int
    what: str  # channel / concern type / instrument
    status: str  # outcome / concern status / ""
    text: str  # summary or comment (PHI: narrative)


def patient_timeline(*, session: Session, patient_id: int, limit: int = 200) -> list[TimelineEntry]:
    """Everything we know of one patient, newest first: contacts, concerns, survey responses."""
    interactions = select(
        Interaction.occurred_at.label("at"),
        literal("interaction").label("kind"),
        Interaction.id.label("reference"),
        Interaction.channel.label("what"),
        Interaction.outcome.label("status"),
        Interaction.summary.label("text"),
    ).where(Interaction.patient_id == patient_id)
    concerns = select(
        Concern.opened_at,
        literal("concern"),
        Concern.id,
        Concern.type,
        Concern.status,
        Concern.summary,
    ).where(Concern.patient_id == patient_id)
    surveys = (
        select(
            func.cast(SurveyResponse.responded_on, Concern.opened_at.type),
            literal("survey"),
            SurveyResponse.id,
            SurveyInstrument.name,
            literal(""),
            func.coalesce(SurveyResponse.comment, ""),
        )
        .join(SurveyInstrument, SurveyInstrument.id == SurveyResponse.instrument_id)
        .where(SurveyResponse.patient_id == patient_id)
    )
    combined = union_all(interactions, concerns, surveys).subquery()
    rows = session.execute(
        select(combined).order_by(combined.c.at.desc(), combined.c.reference.desc()).limit(limit)
    ).all()
    return [TimelineEntry(*row) for row in rows]


@dataclass(frozen=True)
class PatientRecord:
    """One patient's identifying details, for the Patients page (PHI)."""

    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    phone: str | None
    email: str | None
    preferred_language: str
    medicare_beneficiary: bool


def open_patient_record(
    *, session: Session, patient_id: int, staff_id: int, username: str, opening: bool = True
) -> PatientRecord | None:
    """Read a patient's record and, when this is an opening (not a rerun of a page that has it
    open already), write the view-patient audit row in the same transaction."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        return None
    if opening:
        record_audit(
            session=session,
            action="view-patient",
            username=username,
            user_id=staff_id,
            entity="patient",
            entity_id=patient_id,
        )
    return PatientRecord(
        id=patient.id,
        mrn=patient.mrn,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        phone=patient.phone,
        email=patient.email,
        preferred_language=patient.preferred_language,
        medicare_beneficiary=patient.medicare_beneficiary,
    )

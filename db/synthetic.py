"""Synthetic hospital data for the demo and for benchmarks at the reference size (SPEC section 5).

`generate(engine, size="demo" | "reference", seed=N)` fills an empty, migrated database with a
realistic hospital: departments, patients, a handful of Patient Relations staff, two years (or
six months) of interactions with weekly, daily and seasonal rhythm, the concerns they opened with
their issues and timelines, survey responses with answers, and monthly encounter volumes.

Every random draw comes from one seeded numpy Generator (plus a seeded Faker for the name pools),
so the same seed and the same `now` give identical rows. Rows are written with PostgreSQL COPY in
one transaction, with ids assigned here (concern and interaction refer to each other). As
pg_restore does, the foreign keys and plain indexes of the loaded tables are set aside during the
load and put back from their catalogue definitions before commit: re-adding a foreign key checks
every row in one join instead of one lookup per row. CHECKs, unique keys and triggers (the
survey-answer scale check, the dashboard summaries) run on every row as for any other write.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import psycopg2
from faker import Faker
from sqlalchemy import Engine

from db.settings import get_settings
from db.users import hash_password

_NULL = np.int64(-(2**62))  # "no value" in int64 timestamp arrays
_DAY = 86_400
_HOUR = 3_600


@dataclass(frozen=True)
class Size:
    """How much to generate."""

    days: int
    departments: int
    patients: int
    interactions: int
    concerns: int
    survey_responses: int


SIZES = {
    # Small enough to load in about a second on first start, big enough for every chart.
    "demo": Size(
        days=182,
        departments=12,
        patients=800,
        interactions=3_000,
        concerns=650,
        survey_responses=900,
    ),
    # SPEC section 5: the data set every performance target is measured on.
    "reference": Size(
        days=730,
        departments=40,
        patients=500_000,
        interactions=1_000_000,
        concerns=200_000,
        survey_responses=300_000,
    ),
}

# ---------------------------------------------------------------------------------------------
# The hospital
# ---------------------------------------------------------------------------------------------

# (name, kind, contact volume weight, monthly encounters at the reference size). The first 12
# are the demo hospital. Kinds: emergency, inpatient, outpatient, support.
DEPARTMENTS: tuple[tuple[str, str, float, int], ...] = (
    ("Emergency Department", "emergency", 10.0, 95_000),
    ("Cardiology", "inpatient", 4.0, 22_000),
    ("Oncology", "inpatient", 4.0, 24_000),
    ("Maternity", "inpatient", 3.5, 9_000),
    ("Radiology", "outpatient", 3.0, 110_000),
    ("Billing Office", "support", 7.0, 0),
    ("Outpatient Clinics", "outpatient", 6.0, 130_000),
    ("Medical-Surgical Unit", "inpatient", 5.0, 18_000),
    ("Intensive Care Unit", "inpatient", 2.5, 4_000),
    ("Orthopedics", "inpatient", 3.0, 16_000),
    ("Pediatrics", "inpatient", 2.5, 14_000),
    ("Patient Access and Registration", "support", 3.5, 0),
    ("Neurology", "inpatient", 2.0, 12_000),
    ("Surgical Services", "inpatient", 3.0, 20_000),
    ("Behavioral Health", "inpatient", 2.5, 8_000),
    ("Neonatal Intensive Care Unit", "inpatient", 1.0, 1_500),
    ("Laboratory Services", "outpatient", 2.0, 150_000),
    ("Pharmacy", "outpatient", 2.5, 60_000),
    ("Physical Therapy and Rehabilitation", "outpatient", 1.5, 30_000),
    ("Gastroenterology", "outpatient", 1.5, 14_000),
    ("Nephrology and Dialysis", "outpatient", 1.2, 9_000),
    ("Pulmonology", "outpatient", 1.0, 10_000),
    ("Endocrinology", "outpatient", 0.8, 9_000),
    ("Dermatology", "outpatient", 0.8, 11_000),
    ("Ophthalmology", "outpatient", 0.8, 12_000),
    ("Otolaryngology (ENT)", "outpatient", 0.7, 8_000),
    ("Women's Health", "outpatient", 1.2, 15_000),
    ("Primary Care", "outpatient", 3.0, 70_000),
    ("Urgent Care", "emergency", 3.0, 40_000),
    ("Ambulatory Surgery Center", "outpatient", 1.2, 7_000),
    ("Infusion Center", "outpatient", 1.0, 8_000),
    ("Sleep Center", "outpatient", 0.5, 2_500),
    ("Wound Care Center", "outpatient", 0.5, 3_000),
    ("Food and Nutrition Services", "support", 1.5, 0),
    ("Environmental Services", "support", 1.2, 0),
    ("Security and Parking", "support", 2.0, 0),
    ("Health Information Management", "support", 1.2, 0),
    ("Case Management and Social Work", "support", 1.5, 0),
    ("Telehealth Services", "outpatient", 1.0, 25_000),
    ("Geriatrics", "inpatient", 1.5, 6_000),
)

# Category keys, in the order of the HCAT taxonomy the first migration seeds.
CATEGORY_KEYS = (
    "quality",
    "safety",
    "environment",
    "process",
    "listening",
    "communication",
    "respect",
)
_CATEGORY_NAMES = {
    "Quality of care": "quality",
    "Safety": "safety",
    "Environment": "environment",
    "Institutional processes": "process",
    "Listening": "listening",
    "Communication": "communication",
    "Respect and patient rights": "respect",
}
_CATEGORY_DOMAINS = {
    "quality": "clinical",
    "safety": "clinical",
    "environment": "management",
    "process": "management",
    "listening": "relationships",
    "communication": "relationships",
    "respect": "relationships",
}
# What people contact Patient Relations about, by kind of department (weights per category key).
_CATEGORY_MIX = {
    "emergency": (22, 7, 8, 30, 9, 18, 6),
    "inpatient": (24, 8, 14, 16, 9, 21, 8),
    "outpatient": (16, 4, 7, 40, 7, 20, 6),
    "support": (4, 2, 18, 52, 5, 14, 5),
}
_CATEGORY_MIX_BY_NAME = {
    "Billing Office": (1, 0.5, 1, 80, 4, 11, 2.5),
    "Food and Nutrition Services": (3, 3, 70, 6, 3, 8, 7),
    "Environmental Services": (3, 5, 70, 5, 3, 7, 7),
    "Security and Parking": (2, 10, 40, 25, 4, 8, 11),
    "Health Information Management": (2, 1, 1, 45, 4, 17, 30),
}

# Patient Relations staff behind the historical records. Nobody can sign in as them: they share
# the hash of a random password that is thrown away.
STAFF: tuple[tuple[str, str, str], ...] = (
    ("mgonzalez", "Maria Gonzalez", "executive"),
    ("jcarter", "James Carter", "executive"),
    ("abello", "Aisha Bello", "executive"),
    ("kobrien", "Kevin O'Brien", "executive"),
    ("ltran", "Linh Tran", "executive"),
    ("rgoldberg", "Rachel Goldberg", "executive"),
    ("mjohnson", "Marcus Johnson", "executive"),
    ("srossi", "Sofia Rossi", "executive"),
    ("abrooks", "Angela Brooks", "manager"),
    ("dkim", "David Kim", "manager"),
    ("frahman", "Fatima Rahman", "manager"),
)

CHANNEL_MIX = {
    "phone": 0.56,
    "email": 0.15,
    "walk-in": 0.12,
    "portal": 0.09,
    "letter": 0.05,
    "social": 0.03,
}
# People who write in are more often complaining than people who call.
_CONCERN_LIKELIHOOD = {
    "phone": 1.0,
    "email": 1.3,
    "walk-in": 1.1,
    "portal": 1.2,
    "letter": 2.5,
    "social": 1.3,
}
_WRITTEN = ("email", "letter", "portal")

LANGUAGES = {
    "English": 0.82,
    "Spanish": 0.10,
    "Chinese": 0.02,
    "Haitian Creole": 0.015,
    "Russian": 0.01,
    "Vietnamese": 0.01,
    "Portuguese": 0.01,
    "Arabic": 0.008,
    "Korean": 0.007,
    "American Sign Language": 0.003,
}
_AREA_CODES = ("212", "718", "917", "646", "347", "516", "914", "201", "973", "845", "631")

# Monday first. Calls peak on Monday and drop at the weekend.
_WEEKDAY_FACTOR = np.array([1.30, 1.15, 1.10, 1.05, 0.95, 0.45, 0.40])
# Local hour of day: staffed channels follow the switchboard, online ones spread into evenings.
_HOURS_STAFFED = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1, 3, 8, 11, 11, 10, 8, 9, 10, 9, 7, 5, 3, 2, 1.5, 1, 0.6, 0.3]
)
_HOURS_ONLINE = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.6, 1.5, 3, 5, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 6, 6, 5, 3.5, 2]
)
_HOURS_WEEKEND = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 6, 5, 5, 4, 3, 3, 2.5, 2, 1.5, 0.8]
)

# ---------------------------------------------------------------------------------------------
# Words: templated sentences by category, so summaries read like a Patient Relations log.
# ---------------------------------------------------------------------------------------------

ISSUES = {
    "quality": (
        "a delay in receiving pain medication after surgery",
        "a missed diagnosis at a previous visit",
        "a wound dressing that was not changed as ordered",
        "test results that were not reviewed by the physician for a week",
        "discharge instructions that did not match the treatment received",
        "symptoms that were dismissed the day before an admission",
        "an IV site that became infected",
        "a long delay before being seen by a physician",
        "a follow-up appointment ordered at discharge that was never scheduled",
        "poor pain control overnight",
    ),
    "safety": (
        "a fall in the bathroom while waiting for assistance",
        "receiving the wrong dose of a medication",
        "a bed alarm that was not switched on",
        "a medication given despite a documented allergy",
        "a door to the unit left unsecured at night",
        "a pressure injury that developed during the stay",
        "staff not cleaning their hands before care",
        "a missed medication dose",
    ),
    "environment": (
        "a bathroom that was not cleaned for two days",
        "constant noise at night near the nurses' station",
        "cold food served at every meal",
        "a call light that did not work",
        "no parking available for an early appointment",
        "a room that was too cold to sleep in",
        "a unit that seemed short-staffed on the night shift",
        "a meal that did not match the ordered diet",
        "a waiting area without enough seating",
    ),
    "process": (
        "a wait of more than three hours past the appointment time",
        "an unexpected bill for a service covered by insurance",
        "an appointment cancelled without notice",
        "difficulty getting through on the scheduling line",
        "a discharge delayed most of the day waiting for paperwork",
        "a referral that was never sent to the specialist",
        "being billed twice for the same visit",
        "a prior authorization that delayed treatment",
        "a prescription that was not sent to the pharmacy",
        "a long wait for an inpatient bed",
    ),
    "listening": (
        "concerns raised with the nurse that were not passed on",
        "not being listened to about a change in symptoms",
        "the family's questions being dismissed",
        "a request for a second opinion that was ignored",
        "a physician who did not take time to hear concerns",
        "pain that staff did not believe",
    ),
    "communication": (
        "not being told about a change in the care plan",
        "conflicting information from different staff",
        "no update during a long delay",
        "test results that were never explained",
        "a rude response from front desk staff",
        "no interpreter being offered during the visit",
        "discharge instructions that were hard to understand",
        "calls to the unit that were not returned",
    ),
    "respect": (
        "privacy not being respected during an examination",
        "being discussed in front of other patients",
        "consent that was not explained before a procedure",
        "feeling disrespected because of age",
        "health information shared with a relative without permission",
        "not being allowed a support person",
        "being treated dismissively at the front desk",
    ),
}
PRAISE = (
    "excellent care from the nursing team",
    "a kind and patient nurse on the night shift",
    "a physician who explained everything clearly",
    "a spotless room and friendly housekeeping staff",
    "a smooth and quick discharge",
    "the front desk team going out of their way to help",
    "compassionate care in the last days of a parent's life",
    "a therapist who made recovery feel possible",
)
IDEAS = (
    "adding evening appointment slots",
    "text message reminders for appointments",
    "more seating in the waiting area",
    "clearer signs from the parking garage to the clinics",
    "a quiet room for families on the unit",
    "an online way to pay for parking",
)
QUESTIONS = (
    "how to request a copy of medical records",
    "how the financial assistance program works",
    "how to reach the unit after discharge",
    "what the visiting policy is for children",
    "how to get an itemised bill",
)
REPORTERS = (
    "Patient reports",
    "Patient's daughter reports",
    "Patient's son reports",
    "Spouse reports",
    "Caller reports",
    "Family member reports",
    "Parent reports",
)
FIRST_CONTACT_TAILS = (
    "Apologised and explained the process; caller satisfied.",
    "Contacted the unit, which put it right during the call.",
    "Passed to the charge nurse, who resolved it the same day.",
    "Gave the direct number for the department; no further action requested.",
    "Shift supervisor resolved it while the patient was still here.",
    "Explained the next steps and gave a reference number; caller content with that.",
)
CONCERN_TAILS = (
    "Patient asks for a review and a call back.",
    "Family requests a written response.",
    "Caller wants the department manager to follow up.",
    "Opened for investigation with the department.",
    "Patient would like an apology and an explanation.",
    "Asks that this does not happen to other patients.",
)
INFORMATION_ASKERS = ("Patient", "Caller", "Family member", "Visitor")
INFORMATION = (
    "asked about visiting hours.",
    "asked for a copy of medical records; referred to Health Information Management.",
    "asked how to pay a bill online.",
    "asked how to reach the patient advocate after hours.",
    "asked for help finding a primary care physician.",
    "asked about parking validation.",
    "asked for an interpreter at an upcoming appointment.",
    "asked how to file a complaint; process explained.",
    "asked about the status of a prior authorization; referred to the clinic.",
    "asked where to send a letter of thanks.",
    "asked for an itemised bill.",
    "asked about the lost property procedure.",
)
INFORMATION_TAILS = ("Information given.", "Referred to the right department.", "")
FOLLOW_UP_INBOUND = (
    "Patient called for an update on the open concern.",
    "Family member called to add details to the open concern.",
    "Patient emailed further information about the concern.",
    "Caller asked when to expect a response.",
)
FOLLOW_UP_OUTBOUND = (
    "Called the patient with an update on the review.",
    "Left a voicemail asking the patient to call back.",
    "Called the family to explain the next steps.",
    "Emailed the patient a summary of the findings so far.",
    "Called the patient to confirm the resolution was acceptable.",
)
RESOLUTIONS_GENERAL = (
    "Reviewed with the department manager; apology given and the explanation accepted.",
    "Staff involved received coaching; patient informed by phone.",
    "Process reviewed and changed; patient thanked for raising it.",
    "Not substantiated after review of the record; explained to the patient, who accepted.",
)
RESOLUTIONS = {
    "quality": (
        "Clinical review by the medical director; care plan discussed with the patient and family.",
        "Physician met the family to explain the treatment; follow-up appointment arranged.",
    ),
    "safety": (
        "Incident reported and reviewed by Quality and Safety; unit practice reinforced.",
        "Medication event reviewed with pharmacy; double-check process reinforced with staff.",
    ),
    "environment": (
        "Environmental Services deep-cleaned the room; housekeeping rounds increased on the unit.",
        "Facilities repaired the equipment; patient moved to another room in the meantime.",
    ),
    "process": (
        "Bill corrected and the balance adjusted; revised statement sent to the patient.",
        "Appointment rescheduled with priority; scheduling team reminded of the notice policy.",
        "Referral re-sent and confirmed received by the specialist's office.",
    ),
    "listening": (
        "Nurse manager met the patient and family and agreed a daily update call.",
        "Care team meeting held with the family; their concerns added to the care plan.",
    ),
    "communication": (
        "Unit manager called the family and agreed a single point of contact.",
        "Interpreter booked for all future visits; staff reminded of the language access policy.",
    ),
    "respect": (
        "Privacy practices reviewed with the staff involved; formal apology sent.",
        "Privacy Officer reviewed the disclosure; patient informed of the outcome in writing.",
    ),
}
RESOLUTIONS_BY_TYPE = {
    "compliment": (
        "Compliment passed on to the staff named and their manager.",
        "Shared with the unit at the morning huddle; staff member thanked.",
        "Forwarded to the department for the staff recognition program.",
    ),
    "inquiry": (
        "Information provided to the patient by phone.",
        "Answered in writing with the requested details.",
    ),
    "suggestion": (
        "Suggestion forwarded to the department leadership for consideration.",
        "Reviewed by the patient experience committee; patient thanked.",
    ),
}
STEPS_TAKEN = (
    "Reviewed the medical record and interviewed the staff involved.",
    "Met with the department manager and reviewed the relevant policy.",
    "Reviewed the billing account and the insurance correspondence.",
    "Reviewed call logs and spoke with the staff on duty.",
    "Clinical review by the department's medical director.",
)
RESULTS = (
    "Substantiated. Staff coaching completed and the process changed.",
    "Partly substantiated. Apology given and practice reinforced with the team.",
    "Not substantiated after review; findings explained to the patient.",
    "Substantiated. Account corrected and the charge removed.",
)
NOTES = (
    "Left a voicemail for the patient.",
    "Spoke with the unit manager; statement requested from the staff involved.",
    "Requested a medical record review from Quality.",
    "Department lead acknowledged and is reviewing.",
    "Patient called back; updated on progress.",
    "Reviewed call recordings with the supervisor.",
    "Waiting for the billing team's account review.",
    "Discussed at the weekly Patient Relations huddle.",
)
# Survey comments: (text, category key) for the critical ones, which can open a concern.
NEGATIVE_COMMENTS: tuple[tuple[str, str], ...] = (
    ("Waited over an hour past my appointment time and nobody explained why.", "process"),
    ("It was too noisy at night to sleep.", "environment"),
    ("Nobody answered the call button for a long time.", "quality"),
    ("The bill I received does not match what I was told.", "process"),
    ("Staff at the front desk were rude.", "communication"),
    ("My room was not cleaned during my stay.", "environment"),
    ("I was sent home without clear instructions.", "communication"),
    ("Pain medication was always late.", "quality"),
    ("The nurse would not listen when I said something was wrong.", "listening"),
    ("I did not feel my privacy was respected.", "respect"),
)
POSITIVE_COMMENTS = (
    "The nurses were wonderful and kept us informed.",
    "Everyone was kind and professional.",
    "The doctor took time to explain everything.",
    "Clean room and quick service.",
    "Thank you to the night staff for their care.",
    "Very smooth check-in and a short wait.",
)
NEUTRAL_COMMENTS = (
    "Parking could be easier.",
    "Food was fine but could be warmer.",
    "Good care overall, but the wait was long.",
    "Signs to the clinic were confusing.",
)
GRIEVANCE_RULES_VERBAL = (
    ("not resolved at the time by staff present", 0.45),
    ("complaint after discharge", 0.30),
    ("written response requested", 0.20),
    ("Medicare beneficiary billing complaint about rights", 0.05),
)
WRITTEN_RULE = "written complaint"
ABUSE_RULE = "abuse or neglect allegation"
OVERRIDE_REASONS = (
    "Billing question only; does not dispute care.",
    "Request for information, not a complaint about care.",
)

# ---------------------------------------------------------------------------------------------
# Surveys
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    code: str
    wording: str
    scale_min: int
    scale_max: int
    scale_labels: str
    top_box_min: int
    # Probability of each answer from scale_min to scale_max for an average department.
    base: tuple[float, ...]
    is_likelihood_to_recommend: bool = False
    recovery_max: int | None = None


_ALWAYS = "Never..Always"
_RATING = (0.005, 0.003, 0.004, 0.008, 0.01, 0.025, 0.03, 0.07, 0.15, 0.2, 0.495)
_CSAT = "Very dissatisfied..Very satisfied"
INSTRUMENTS: tuple[tuple[str, str, str, tuple[Question, ...]], ...] = (
    (
        "Inpatient experience (HCAHPS-style)",
        "inpatient",
        "Internal survey modelled on HCAHPS questions. Scores are unadjusted for patient mix.",
        (
            Question(
                "NURSE_COURTESY",
                "During this hospital stay, how often did nurses treat you with courtesy and "
                "respect?",
                1,
                4,
                _ALWAYS,
                4,
                (0.02, 0.04, 0.12, 0.82),
            ),
            Question(
                "NURSE_LISTEN",
                "During this hospital stay, how often did nurses listen carefully to you?",
                1,
                4,
                _ALWAYS,
                4,
                (0.02, 0.06, 0.18, 0.74),
            ),
            Question(
                "DOCTOR_EXPLAIN",
                "During this hospital stay, how often did doctors explain things in a way you "
                "could understand?",
                1,
                4,
                _ALWAYS,
                4,
                (0.03, 0.06, 0.17, 0.74),
            ),
            Question(
                "CALL_BUTTON",
                "After you pressed the call button, how often did you get help as soon as you "
                "wanted it?",
                1,
                4,
                _ALWAYS,
                4,
                (0.04, 0.12, 0.24, 0.60),
            ),
            Question(
                "QUIET_AT_NIGHT",
                "During this hospital stay, how often was the area around your room quiet at "
                "night?",
                1,
                4,
                _ALWAYS,
                4,
                (0.06, 0.13, 0.25, 0.56),
            ),
            Question(
                "CLEAN_ROOM",
                "During this hospital stay, how often were your room and bathroom kept clean?",
                1,
                4,
                _ALWAYS,
                4,
                (0.04, 0.08, 0.19, 0.69),
            ),
            Question(
                "OVERALL_RATING",
                "Using any number from 0 to 10, where 0 is the worst hospital possible and 10 is "
                "the best hospital possible, what number would you use to rate this hospital "
                "during your stay?",
                0,
                10,
                "0 Worst..10 Best",
                9,
                _RATING,
                recovery_max=6,
            ),
            Question(
                "LIKELY_TO_RECOMMEND",
                "How likely is it that you would recommend this hospital to a friend or family "
                "member?",
                0,
                10,
                "0 Not at all likely..10 Extremely likely",
                9,
                (0.01, 0.004, 0.005, 0.007, 0.009, 0.02, 0.025, 0.06, 0.13, 0.19, 0.54),
                is_likelihood_to_recommend=True,
            ),
        ),
    ),
    (
        "Outpatient CSAT",
        "outpatient",
        "Short satisfaction survey after clinic, emergency and imaging visits.",
        (
            Question(
                "OVERALL_SATISFACTION",
                "Overall, how satisfied were you with your visit today?",
                1,
                5,
                _CSAT,
                5,
                (0.03, 0.04, 0.09, 0.26, 0.58),
                recovery_max=2,
            ),
            Question(
                "WAIT_TIME",
                "How satisfied were you with the time you waited to be seen?",
                1,
                5,
                _CSAT,
                5,
                (0.06, 0.08, 0.16, 0.28, 0.42),
                recovery_max=2,
            ),
            Question(
                "STAFF_COURTESY",
                "How satisfied were you with the courtesy of our staff?",
                1,
                5,
                _CSAT,
                5,
                (0.02, 0.03, 0.07, 0.23, 0.65),
                recovery_max=2,
            ),
            Question(
                "PROVIDER_EXPLAINED",
                "How satisfied were you with how well your provider explained your care?",
                1,
                5,
                _CSAT,
                5,
                (0.02, 0.03, 0.08, 0.25, 0.62),
                recovery_max=2,
            ),
        ),
    ),
)
_INSTRUMENT_BY_KIND = {"inpatient": 0, "emergency": 1, "outpatient": 1}
_SURVEYED_SUPPORT = {"Patient Access and Registration"}


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def generate(
    engine: Engine,
    *,
    size: str,
    seed: int,
    progress: Callable[[str], Any] = print,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated database with a synthetic hospital; returns rows per table.

    `size` is "demo" or "reference" (SPEC section 5). The same `seed` and `now` give the same
    rows. Categories and SLA targets are read from the database, not created. Raises ValueError
    when the database already holds hospital data.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        builder = _Hospital(
            cursor=cursor,
            spec=SIZES[size],
            seed=seed,
            now=now,
            tz=get_settings().facility_tz,
            progress=progress,
        )
        counts = builder.build()
        step = time.perf_counter()
        raw.commit()
        progress(f"Committed in {time.perf_counter() - step:.1f} s")
        # Fresh statistics, so the first queries on the new data get good plans.
        step = time.perf_counter()
        cursor.execute("ANALYZE")
        raw.commit()
        progress(f"ANALYZE in {time.perf_counter() - step:.1f} s")
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    total = sum(counts.values())
    progress(
        f"Generated {total:,} rows ({size}, seed {seed}) in {time.perf_counter() - started:.1f} s"
    )
    return counts


# ---------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------


class _Hospital:
    """Draws every table in dependency order and COPYs it in, in one transaction."""

    def __init__(self, *, cursor, spec: Size, seed: int, now: dt.datetime, tz: ZoneInfo, progress):
        self.cur = cursor
        self.spec = spec
        self.rng = np.random.default_rng(seed)
        self.faker = Faker("en_US")
        self.faker.seed_instance(seed)
        self.tz = tz
        self.progress = progress
        self.now = np.int64(int(now.timestamp()))
        today_local = now.astimezone(tz).date()
        self.today = np.datetime64(today_local, "D")
        self.first_day = self.today - np.timedelta64(spec.days - 1, "D")
        self.start = _from_local(self.first_day.astype("datetime64[s]")[None], tz)[0]
        self.counts: dict[str, int] = {}

    # -- orchestration ---------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.cur.execute("SET LOCAL TimeZone = 'UTC'")
        self.cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        self.cur.execute("SET LOCAL synchronous_commit = off")
        self._refuse_unless_empty()
        self._read_reference_data()
        restore = self._set_aside_keys_and_indexes()
        self._departments()
        self._staff()
        self._patients()
        self._surveys()
        self._plan_contacts_and_concerns()
        events = self._plan_events()
        self._copy_concerns()
        self._copy_interactions()
        self._issues()
        self._copy("concern_event", events, time.perf_counter())
        self._encounter_volumes()
        self._restore_keys_and_indexes(restore)
        for table in (
            "department",
            "patient",
            "survey_instrument",
            "survey_question",
            "survey_response",
            "concern",
            "interaction",
            "concern_issue",
            "concern_event",
        ):
            self.cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        return self.counts

    def _set_aside_keys_and_indexes(self) -> list[str]:
        """Drop the foreign keys and plain indexes of the tables about to be loaded, and return
        the statements that put them back exactly as they were (what pg_restore does).

        Checking a foreign key row by row costs more than the COPY itself at the reference
        size; re-adding it checks every row in one join, and an index built once is quicker
        than one grown row by row. Primary keys, unique constraints, CHECKs and triggers stay.
        All of it happens in this transaction, so a failure leaves the schema untouched. Where
        the database user may not alter the tables, everything stays in place and the load is
        simply slower.
        """
        self.cur.execute("SAVEPOINT set_aside")
        try:
            self.cur.execute(
                """
                SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
                       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass,
                              conname, pg_get_constraintdef(oid))
                FROM pg_constraint
                WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[])
                ORDER BY conrelid::regclass::text, conname
                """,
                {"tables": list(LOADED_TABLES)},
            )
            keys = self.cur.fetchall()
            self.cur.execute(
                """
                SELECT format('DROP INDEX %%s', i.indexrelid::regclass),
                       pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY(%(tables)s::regclass[])
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                                  AND c.conrelid = i.indrelid)
                ORDER BY i.indexrelid::regclass::text
                """,
                {"tables": list(LOADED_TABLES)},
            )
            indexes = self.cur.fetchall()
            for drop, _create in (*keys, *indexes):
                self.cur.execute(drop)
        except psycopg2.Error as error:  # e.g. not the tables' owner: load with keys in place
            self.cur.execute("ROLLBACK TO SAVEPOINT set_aside")
            self.progress(f"Loading with keys and indexes in place ({error.__class__.__name__})")
            return []
        self.cur.execute("RELEASE SAVEPOINT set_aside")
        # Indexes first: some foreign-key checks use them.
        return [create for _drop, create in indexes] + [create for _drop, create in keys]

    def _restore_keys_and_indexes(self, statements: list[str]) -> None:
        if not statements:
            return
        t0 = time.perf_counter()
        for statement in statements:
            self.cur.execute(statement)
        self.progress(
            f"Indexes rebuilt and foreign keys checked ({len(statements)}) in "
            f"{time.perf_counter() - t0:.1f} s"
        )

    def _refuse_unless_empty(self) -> None:
        for table in ("department", "patient", "interaction", "concern", "survey_instrument"):
            self.cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if self.cur.fetchone()[0]:
                raise ValueError(
                    f"The database already holds data ({table} is not empty); synthetic data "
                    "is only generated into an empty database."
                )

    def _read_reference_data(self) -> None:
        self.cur.execute(
            "SELECT id, domain, name FROM category WHERE active ORDER BY sort_order, id"
        )
        rows = self.cur.fetchall()
        if not rows:
            raise ValueError("No active categories: run the migrations first.")
        by_name = {name: cid for cid, _domain, name in rows}
        by_domain: dict[str, int] = {}
        for cid, domain, _name in rows:
            by_domain.setdefault(domain, cid)
        ids = []
        for key in CATEGORY_KEYS:
            name = next(n for n, k in _CATEGORY_NAMES.items() if k == key)
            ids.append(by_name.get(name) or by_domain.get(_CATEGORY_DOMAINS[key]) or rows[0][0])
        self.category_ids = np.array(ids, dtype=np.int64)
        self.cur.execute("SELECT concern_type, severity, due_hours FROM sla_target")
        self.sla = {(t, s): h for t, s, h in self.cur.fetchall()}

    # -- departments and staff ---------------------------------------------------------------

    def _departments(self) -> None:
        t0 = time.perf_counter()
        chosen = DEPARTMENTS[: self.spec.departments]
        self.dept_names = [d[0] for d in chosen]
        self.dept_kind = [d[1] for d in chosen]
        self.dept_weight = np.array([d[2] for d in chosen])
        self.dept_weight /= self.dept_weight.sum()
        self.dept_encounters = np.array([d[3] for d in chosen], dtype=float)
        self.dept_ids = np.arange(1, len(chosen) + 1, dtype=np.int64)
        mix = np.array(
            [
                _CATEGORY_MIX_BY_NAME.get(name, _CATEGORY_MIX[kind])
                for name, kind in zip(self.dept_names, self.dept_kind, strict=True)
            ],
            dtype=float,
        )
        self.dept_category_p = mix / mix.sum(axis=1, keepdims=True)
        # How quickly each department answers Patient Relations: ratio on the SLA clock.
        self.dept_speed = self.rng.normal(0.0, 0.25, len(chosen))
        self._copy(
            "department",
            {
                "id": _ints(self.dept_ids),
                "name": list(self.dept_names),
                "active": ["t"] * len(chosen),
            },
            t0,
        )

    def _staff(self) -> None:
        t0 = time.perf_counter()
        password_hash = hash_password(secrets.token_urlsafe(32))
        home = [self.dept_ids[i % min(6, len(self.dept_ids))] for i in range(len(STAFF))]
        for (username, name, role), department in zip(STAFF, home, strict=True):
            self.cur.execute(
                "INSERT INTO app_user (username, display_name, email, password_hash, roles, "
                "home_department_id) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (username) DO NOTHING",
                (
                    username,
                    name,
                    f"{username}@hospital.example",
                    password_hash,
                    [role],
                    int(department),
                ),
            )
        self.cur.execute(
            "SELECT username, id FROM app_user WHERE username = ANY(%s)",
            ([s[0] for s in STAFF],),
        )
        ids = dict(self.cur.fetchall())
        self.staff_names = {ids[u]: n for u, n, _r in STAFF}
        self.executives = np.array([ids[u] for u, _n, r in STAFF if r == "executive"])
        self.managers = np.array([ids[u] for u, _n, r in STAFF if r == "manager"])
        self.all_staff = np.concatenate([self.executives, self.managers])
        # Some associates take far more calls than others.
        w = np.linspace(1.6, 0.7, len(self.executives))
        self.logger_p = np.concatenate([w, np.full(len(self.managers), 0.35)])
        self.logger_p /= self.logger_p.sum()
        self.counts["app_user"] = len(STAFF)
        self.progress(f"app_user: {len(STAFF)} staff rows in {time.perf_counter() - t0:.1f} s")

    # -- patients --------------------------------------------------------------------------

    def _patients(self) -> None:
        t0 = time.perf_counter()
        rng, n = self.rng, self.spec.patients
        pool = min(3_000, max(200, n // 2))
        female = [self.faker.first_name_female() for _ in range(pool)]
        male = [self.faker.first_name_male() for _ in range(pool)]
        family_pool = [self.faker.last_name() for _ in range(2 * pool)]
        for name in (*female, *male, *family_pool):
            _check_copy_safe(name)
        is_female = rng.random(n) < 0.52
        given_idx = rng.integers(0, pool, n)
        given = np.where(
            is_female,
            np.array(female, dtype=object)[given_idx],
            np.array(male, dtype=object)[given_idx],
        )
        family = np.array(family_pool, dtype=object)[rng.integers(0, 2 * pool, n)]
        # MRNs: unique 7-digit numbers in random order.
        mrn_numbers = 1_000_000 + np.cumsum(rng.integers(1, 17, n))
        rng.shuffle(mrn_numbers)
        mrn = ["MRN" + str(x) for x in mrn_numbers.tolist()]
        # Hospital patients skew old; about one in ten is a child.
        child = rng.random(n) < 0.10
        age_years = np.where(child, rng.uniform(0, 18, n), 18 + rng.beta(1.6, 1.5, n) * 82)
        dob = self.today - (age_years * 365.25).astype(np.int64).astype("timedelta64[D]")
        medicare = np.where(age_years >= 65, rng.random(n) < 0.93, rng.random(n) < 0.02)
        has_phone = rng.random(n) < 0.95
        area = np.array(_AREA_CODES)[rng.integers(0, len(_AREA_CODES), n)].tolist()
        exchange = rng.integers(201, 999, n).tolist()
        line = rng.integers(0, 10_000, n).tolist()
        dashed = (rng.random(n) < 0.15).tolist()
        phone = [
            (f"{a}-{e}-{ln:04d}" if d else f"({a}) {e}-{ln:04d}") if p else None
            for a, e, ln, d, p in zip(area, exchange, line, dashed, has_phone.tolist(), strict=True)
        ]
        has_email = (rng.random(n) < 0.45) & ~child
        suffix = rng.integers(1, 99, n).tolist()
        domain = np.array(["example.com", "example.org", "example.net"])[
            rng.integers(0, 3, n)
        ].tolist()
        given_l, family_l = given.tolist(), family.tolist()
        email = [
            f"{_email_part(g)}.{_email_part(f)}{s}@{d}" if e else None
            for g, f, s, d, e in zip(
                given_l, family_l, suffix, domain, has_email.tolist(), strict=True
            )
        ]
        languages = list(LANGUAGES)
        lang_p = np.array(list(LANGUAGES.values()))
        language = np.array(languages)[rng.choice(len(languages), n, p=lang_p / lang_p.sum())]
        created = self.start - rng.integers(0, 5 * 365 * _DAY, n)
        self.patient_ids = np.arange(1, n + 1, dtype=np.int64)
        self.patient_medicare = medicare
        self._copy(
            "patient",
            {
                "id": _ints(self.patient_ids),
                "mrn": mrn,
                "given_name": given_l,
                "family_name": family_l,
                "date_of_birth": _dates(dob),
                "phone": _texts(phone),
                "email": _texts(email),
                "preferred_language": language.tolist(),
                "medicare_beneficiary": _bools(medicare),
                "created_at": _times(created),
            },
            t0,
        )

    def _some_patients(self, n: int) -> np.ndarray:
        """Patient indexes with a long tail: a few people contact the hospital many times."""
        idx = (self.rng.random(n) ** 1.3 * self.spec.patients).astype(np.int64)
        return np.minimum(idx, self.spec.patients - 1)

    # -- surveys ---------------------------------------------------------------------------

    def _surveys(self) -> None:
        t0 = time.perf_counter()
        rng = self.rng
        q_rows = {
            k: []
            for k in (
                "id",
                "instrument_id",
                "code",
                "wording",
                "position",
                "scale_min",
                "scale_max",
                "scale_labels",
                "top_box_min",
                "is_likelihood_to_recommend",
                "recovery_max",
            )
        }
        qid = 0
        self.instrument_questions: list[list[tuple[int, Question]]] = []
        for i, (_name, _kind, _desc, questions) in enumerate(INSTRUMENTS, start=1):
            listed = []
            for pos, q in enumerate(questions, start=1):
                qid += 1
                listed.append((qid, q))
                for key, value in (
                    ("id", qid),
                    ("instrument_id", i),
                    ("code", q.code),
                    ("wording", q.wording),
                    ("position", pos),
                    ("scale_min", q.scale_min),
                    ("scale_max", q.scale_max),
                    ("scale_labels", q.scale_labels),
                    ("top_box_min", q.top_box_min),
                    ("is_likelihood_to_recommend", "t" if q.is_likelihood_to_recommend else "f"),
                    ("recovery_max", q.recovery_max),
                ):
                    q_rows[key].append(value)
            self.instrument_questions.append(listed)
        self._copy(
            "survey_instrument",
            {
                "id": [str(i) for i in range(1, len(INSTRUMENTS) + 1)],
                "name": [x[0] for x in INSTRUMENTS],
                "description": [x[2] for x in INSTRUMENTS],
                "active": ["t"] * len(INSTRUMENTS),
            },
            t0,
        )
        t0 = time.perf_counter()
        self._copy("survey_question", {k: _texts(v) for k, v in q_rows.items()}, t0)

        t0 = time.perf_counter()
        instrument_of_dept = np.array(
            [
                _INSTRUMENT_BY_KIND.get(kind, 1 if name in _SURVEYED_SUPPORT else -1)
                for name, kind in zip(self.dept_names, self.dept_kind, strict=True)
            ]
        )
        surveyed = np.flatnonzero(instrument_of_dept >= 0)
        p = self.dept_weight[surveyed] / self.dept_weight[surveyed].sum()
        n = self.spec.survey_responses
        dept = surveyed[rng.choice(len(surveyed), n, p=p)]
        instrument = instrument_of_dept[dept]
        days = self._days(n, seasonal=0.0)
        responded = self.first_day + days.astype("timedelta64[D]")
        month = _month_index(responded, self.first_day)
        months = int(month.max()) + 1
        # Scores: a department level, a slow random walk, a winter dip, and two real shifts
        # (one unit improves after an initiative, one declines) for control charts to find.
        n_dept = len(self.dept_ids)
        level = rng.normal(0.0, 0.22, n_dept)
        walk = np.cumsum(rng.normal(0.0, 0.035, (n_dept, months)), axis=1)
        month_of_year = (self.first_day.astype("datetime64[M]") + np.arange(months)).astype(
            int
        ) % 12
        winter = (
            -0.10
            * np.cos(2 * np.pi * month_of_year / 12) ** 2
            * ((month_of_year <= 2) | (month_of_year == 11))
        )
        shift = level[:, None] + walk + winter[None, :]
        if months >= 4 and len(surveyed) >= 2:
            up, down = rng.choice(surveyed, 2, replace=False)
            at = int(rng.integers(months // 3, 2 * months // 3 + 1))
            shift[up, at:] += 0.45
            shift[down, at:] -= 0.40
        latent = rng.standard_normal(n) + shift[dept, month]
        answer_cols: dict[str, list[np.ndarray]] = {"response": [], "question": [], "value": []}
        low = np.zeros(n, dtype=bool)
        worst = np.full(n, np.inf)
        for inst, listed in enumerate(self.instrument_questions):
            rows = np.flatnonzero(instrument == inst)
            for qid_, q in listed:
                cut = _cutpoints(q.base)
                z = 0.8 * latent[rows] + 0.6 * rng.standard_normal(len(rows))
                value = q.scale_min + np.searchsorted(cut, z)
                answered = rng.random(len(rows)) >= 0.03
                answer_cols["response"].append(rows[answered])
                answer_cols["question"].append(np.full(answered.sum(), qid_))
                answer_cols["value"].append(value[answered])
                rel = (value - q.scale_min) / (q.scale_max - q.scale_min)
                worst[rows] = np.minimum(worst[rows], np.where(answered, rel, np.inf))
                if q.recovery_max is not None:
                    low[rows] |= answered & (value <= q.recovery_max)
        comment_p = np.where(worst <= 0.5, 0.35, np.where(worst < 1.0, 0.15, 0.10))
        has_comment = rng.random(n) < comment_p
        negative = has_comment & (worst <= 0.5)
        positive = has_comment & (worst >= 0.99)
        neutral = has_comment & ~negative & ~positive
        comment = np.full(n, None, dtype=object)
        neg_idx = rng.integers(0, len(NEGATIVE_COMMENTS), n)
        comment[negative] = np.array([c for c, _ in NEGATIVE_COMMENTS], dtype=object)[
            neg_idx[negative]
        ]
        comment[positive] = np.array(POSITIVE_COMMENTS, dtype=object)[
            rng.integers(0, len(POSITIVE_COMMENTS), positive.sum())
        ]
        comment[neutral] = np.array(NEUTRAL_COMMENTS, dtype=object)[
            rng.integers(0, len(NEUTRAL_COMMENTS), neutral.sum())
        ]
        # Vendors deliver results days after the visit; a manager imports them in office hours.
        imported = rng.random(n) < 0.8
        lag_days = np.where(imported, rng.integers(3, 15, n), rng.integers(0, 4, n))
        created_local = (responded + lag_days.astype("timedelta64[D]")).astype("datetime64[s]") + (
            rng.integers(8 * _HOUR, 17 * _HOUR, n)
        ).astype("timedelta64[s]")
        created = _from_local(created_local, self.tz)
        day_start = _from_local(responded.astype("datetime64[s]"), self.tz)
        # Results not imported by now arrived today instead.
        late = created > self.now
        created[late] = day_start[late] + (
            rng.random(late.sum()) * np.maximum(self.now - day_start[late], 1)
        ).astype(np.int64)
        created = np.minimum(created, self.now)
        patient = np.where(rng.random(n) < 0.6, self._some_patients(n) + 1, 0)
        ids = np.arange(1, n + 1, dtype=np.int64)
        vendor = np.where(instrument == 0, "HC", "OP")
        external = [
            f"{v}-{i:09d}" if imp else None
            for v, i, imp in zip(
                vendor.tolist(), (ids * 7 + 1_000).tolist(), imported.tolist(), strict=True
            )
        ]
        entered_by = self.managers[rng.integers(0, len(self.managers), n)]
        self._copy(
            "survey_response",
            {
                "id": _ints(ids),
                "instrument_id": _ints(instrument + 1),
                "department_id": _ints(self.dept_ids[dept]),
                "responded_on": _dates(responded),
                "patient_id": _ints(patient, null=patient == 0),
                "comment": _texts(comment),
                "external_id": _texts(external),
                "entered_by": _ints(entered_by),
                "created_at": _times(created),
            },
            t0,
        )
        t0 = time.perf_counter()
        resp = np.concatenate(answer_cols["response"])
        order = np.lexsort((np.concatenate(answer_cols["question"]), resp))
        self._copy(
            "survey_answer",
            {
                "response_id": _ints(ids[resp][order]),
                "question_id": _ints(np.concatenate(answer_cols["question"])[order]),
                "value": _ints(np.concatenate(answer_cols["value"])[order]),
            },
            t0,
        )
        # Low score with a comment: a service-recovery concern (SPEC section 2.4).
        recovery = np.flatnonzero(low & negative)
        self.survey_concerns = {
            "response_id": ids[recovery],
            "opened_at": created[recovery],
            "dept": dept[recovery],
            "patient": patient[recovery],
            "comment": comment[recovery],
            "category": np.array([CATEGORY_KEYS.index(k) for _c, k in NEGATIVE_COMMENTS])[
                neg_idx[recovery]
            ],
            "instrument": instrument[recovery],
        }

    # -- interactions and concerns ---------------------------------------------------------

    def _plan_contacts_and_concerns(self) -> None:
        """Draw every contact and concern; ids follow time order, as in a live system."""
        rng, spec = self.rng, self.spec
        sc = self.survey_concerns
        n_survey = len(sc["response_id"])
        n_opened = max(0, spec.concerns - n_survey)
        n_added = int(round(spec.interactions * 0.08))
        n_primary = spec.interactions - n_added
        if n_opened > n_primary:
            raise ValueError("size asks for more concerns than interactions")

        # Primary contacts: when, how, where, about what, and who took them.
        channels = list(CHANNEL_MIX)
        channel = rng.choice(len(channels), n_primary, p=np.array(list(CHANNEL_MIX.values())))
        occurred = self._contact_times(channel, channels)
        dept = rng.choice(len(self.dept_ids), n_primary, p=self.dept_weight)
        category = _choose_rows(rng, self.dept_category_p[dept])
        social = channel == channels.index("social")
        anonymous = rng.random(n_primary) < np.where(social, 0.45, 0.08)
        patient = np.where(anonymous, 0, self._some_patients(n_primary) + 1)
        logged_by = self.all_staff[rng.choice(len(self.all_staff), n_primary, p=self.logger_p)]
        # Which contacts open a concern: written ones more often (Gumbel top-k, no replacement).
        weight = np.array([_CONCERN_LIKELIHOOD[c] for c in channels])[channel]
        keys = rng.exponential(size=n_primary) / weight
        opened_mask = np.zeros(n_primary, dtype=bool)
        if n_opened:
            opened_mask[np.argpartition(keys, n_opened - 1)[:n_opened]] = True
        # 0 resolved-first-contact, 1 concern-opened, 3 information-only (2 is added-to-concern).
        outcome = np.where(opened_mask, 1, np.where(rng.random(n_primary) < 0.62, 0, 3))
        outbound = (
            ~opened_mask
            & (rng.random(n_primary) < 0.06)
            & np.isin(channel, [channels.index("phone"), channels.index("email")])
        )
        summary, issue_idx = self._contact_summaries(category, outcome, opened_mask, outbound)

        # Concern types from the channel (CMS practice: written complaints are grievances).
        c_idx = np.flatnonzero(opened_mask)
        m = len(c_idx)
        written = np.isin(channel[c_idx], [channels.index(c) for c in _WRITTEN])
        c_type = np.where(
            written,
            _pick(
                rng,
                ["grievance", "compliment", "inquiry", "suggestion", "complaint"],
                [0.66, 0.12, 0.10, 0.06, 0.06],
                m,
            ),
            np.where(
                social[c_idx],
                _pick(
                    rng,
                    ["complaint", "compliment", "suggestion", "inquiry"],
                    [0.75, 0.15, 0.05, 0.05],
                    m,
                ),
                _pick(
                    rng,
                    ["complaint", "grievance", "compliment", "inquiry", "suggestion"],
                    [0.60, 0.12, 0.11, 0.11, 0.06],
                    m,
                ),
            ),
        )
        rule = np.full(m, None, dtype=object)
        override = np.full(m, None, dtype=object)
        rule[written & (c_type == "grievance")] = WRITTEN_RULE
        # A written billing question: the rule fired, staff overrode it with a reason.
        overridden = written & (c_type == "complaint")
        rule[overridden] = WRITTEN_RULE
        override[overridden] = np.array(OVERRIDE_REASONS, dtype=object)[
            rng.integers(0, len(OVERRIDE_REASONS), overridden.sum())
        ]
        verbal = ~written & (c_type == "grievance")
        rules, rule_p = zip(*GRIEVANCE_RULES_VERBAL, strict=True)
        rule[verbal] = _pick(rng, list(rules), list(rule_p), verbal.sum())

        # Survey-comment concerns (written, after the visit) join; all sorted by opened_at.
        s_type = np.where(rng.random(n_survey) < 0.3, "grievance", "complaint").astype(object)
        s_rule = np.where(s_type == "grievance", WRITTEN_RULE, None).astype(object)
        s_summary = np.array(["Survey comment: " + str(c) for c in sc["comment"]], dtype=object)
        con = {
            "opened_at": np.concatenate([occurred[c_idx], sc["opened_at"]]),
            "type": np.concatenate([c_type, s_type]).astype(object),
            "dept": np.concatenate([dept[c_idx], sc["dept"]]),
            "category": np.concatenate([category[c_idx], sc["category"]]),
            "patient": np.concatenate([patient[c_idx], sc["patient"]]),
            "rule": np.concatenate([rule, s_rule]),
            "override": np.concatenate([override, np.full(n_survey, None, dtype=object)]),
            "primary": np.concatenate([c_idx, np.full(n_survey, -1)]),
            "survey": np.concatenate([np.zeros(m, np.int64), sc["response_id"]]),
            "summary": np.concatenate([summary[c_idx], s_summary]),
            "issue": np.concatenate([issue_idx[c_idx], np.full(n_survey, -1)]),
            "comment": np.concatenate([np.full(m, None, dtype=object), sc["comment"]]),
            "created_by": np.concatenate(
                [logged_by[c_idx], self.managers[rng.integers(0, len(self.managers), n_survey)]]
            ),
        }
        order = np.argsort(con["opened_at"], kind="stable")
        con = {k: v[order] for k, v in con.items()}
        n_c = len(order)
        con["id"] = np.arange(1, n_c + 1, dtype=np.int64)
        from_contact = con["primary"] >= 0

        # Compliments, suggestions and inquiries read differently from complaints.
        for ctype, phrases, lead in (
            ("compliment", PRAISE, "wants to thank the team for"),
            ("suggestion", IDEAS, "suggests"),
            ("inquiry", QUESTIONS, "asks"),
        ):
            rows = np.flatnonzero(from_contact & (con["type"] == ctype))
            who = np.array(["Patient", "Family member", "Caller"], dtype=object)[
                rng.integers(0, 3, len(rows))
            ]
            what = np.array(phrases, dtype=object)[rng.integers(0, len(phrases), len(rows))]
            con["summary"][rows] = [f"{w} {lead} {p}." for w, p in zip(who, what, strict=True)]
            con["issue"][rows] = -1
            summary[con["primary"][rows]] = con["summary"][rows]

        self._concern_details(con)
        self._concern_owners(con)
        added = self._follow_up_contacts(con, n_added)

        # All interactions together, in time order, ids in that order.
        outcome_names = np.array(
            ["resolved-first-contact", "concern-opened", "added-to-concern", "information-only"],
            dtype=object,
        )
        primary_concern = np.zeros(n_primary, dtype=np.int64)
        primary_concern[con["primary"][from_contact]] = con["id"][from_contact]
        all_time = np.concatenate([occurred, added["occurred"]])
        inter = {
            "occurred": all_time,
            "channel": np.concatenate(
                [np.array(channels, dtype=object)[channel], added["channel"]]
            ),
            "direction": np.concatenate(
                [np.where(outbound, "outbound", "inbound").astype(object), added["direction"]]
            ),
            "patient": np.concatenate([patient, added["patient"]]),
            "dept": np.concatenate([dept, added["dept"]]),
            "category": np.concatenate([category, added["category"]]),
            "summary": np.concatenate([summary, added["summary"]]),
            "outcome": np.concatenate(
                [outcome_names[outcome], np.full(n_added, "added-to-concern", dtype=object)]
            ),
            "concern": np.concatenate([primary_concern, added["concern"]]),
            "logged_by": np.concatenate([logged_by, added["logged_by"]]),
        }
        i_order = np.argsort(all_time, kind="stable")
        inter = {k: v[i_order] for k, v in inter.items()}
        inter_id = np.empty(len(i_order), dtype=np.int64)
        inter_id[i_order] = np.arange(1, len(i_order) + 1)  # id of the k-th drawn contact
        con["opened_by"] = np.where(from_contact, inter_id[np.maximum(con["primary"], 0)], 0)
        self.con, self.inter, self.added = con, inter, added

    def _copy_interactions(self) -> None:
        t0 = time.perf_counter()
        inter, rng = self.inter, self.rng
        n = len(inter["occurred"])
        duration = self._durations(inter["channel"])
        # Logged when the contact ended, a few minutes later.
        created_at = inter["occurred"] + duration * 60 + rng.integers(30, 600, n)
        created_at = np.maximum(np.minimum(created_at, self.now), inter["occurred"])
        self._copy(
            "interaction",
            {
                "id": _ints(np.arange(1, n + 1)),
                "occurred_at": _times(inter["occurred"]),
                "channel": inter["channel"].tolist(),
                "direction": inter["direction"].tolist(),
                "patient_id": _ints(inter["patient"], null=inter["patient"] == 0),
                "department_id": _ints(self.dept_ids[inter["dept"]]),
                "category_id": _ints(self.category_ids[inter["category"]]),
                "summary": inter["summary"].tolist(),
                "duration_minutes": _ints(duration),
                "outcome": inter["outcome"].tolist(),
                "concern_id": _ints(inter["concern"], null=inter["concern"] == 0),
                "logged_by": _ints(inter["logged_by"]),
                "client_submission_id": _uuids(rng, n),
                "created_at": _times(created_at),
            },
            t0,
        )

    def _contact_times(self, channel: np.ndarray, channels: list[str]) -> np.ndarray:
        rng = self.rng
        n = len(channel)
        days = self._days(n, seasonal=0.12)
        day = self.first_day + days.astype("timedelta64[D]")
        weekday = (day.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-01: Thursday
        online = np.isin(channel, [channels.index(c) for c in ("email", "portal", "social")])
        hour = np.empty(n, dtype=np.int64)
        for mask, weights in (
            (weekday >= 5, _HOURS_WEEKEND),
            ((weekday < 5) & online, _HOURS_ONLINE),
            ((weekday < 5) & ~online, _HOURS_STAFFED),
        ):
            hour[mask] = rng.choice(24, mask.sum(), p=weights / weights.sum())
        local = day.astype("datetime64[s]") + (hour * _HOUR + rng.integers(0, _HOUR, n)).astype(
            "timedelta64[s]"
        )
        occurred = _from_local(local, self.tz)
        # Today's contacts cannot be later than now.
        late = occurred > self.now
        if late.any():
            today_start = _from_local(self.today.astype("datetime64[s]")[None], self.tz)[0]
            span = max(int(self.now - today_start), 1)
            occurred[late] = today_start + rng.integers(0, span, late.sum())
        return occurred

    def _days(self, n: int, *, seasonal: float) -> np.ndarray:
        """Day offsets from the first day, following the weekly, seasonal and growth pattern."""
        rng = self.rng
        days = np.arange(self.spec.days)
        date = self.first_day + days.astype("timedelta64[D]")
        weekday = (date.astype(np.int64) - 4) % 7
        day_of_year = (date - date.astype("datetime64[Y]")).astype(np.int64)
        weight = (
            _WEEKDAY_FACTOR[weekday]
            * (1 + seasonal * np.cos(2 * np.pi * (day_of_year - 20) / 365.25))
            * (1 + 0.06 * days / 365)
            * rng.gamma(60, 1 / 60, len(days))
        )
        # Today is only partly over.
        weight[-1] *= max(0.05, (int(self.now) % _DAY) / _DAY)
        return rng.choice(len(days), n, p=weight / weight.sum())

    def _contact_summaries(self, category, outcome, opened, outbound):
        rng = self.rng
        n = len(category)
        summary = np.empty(n, dtype=object)
        issue_idx = np.full(n, -1)
        info = outcome == 3
        asker = np.array(INFORMATION_ASKERS, dtype=object)[rng.integers(0, 4, info.sum())]
        what = np.array(INFORMATION, dtype=object)[rng.integers(0, len(INFORMATION), info.sum())]
        tail = np.array(INFORMATION_TAILS, dtype=object)[rng.integers(0, 3, info.sum())]
        summary[info] = [f"{a} {w} {t}".rstrip() for a, w, t in zip(asker, what, tail, strict=True)]
        for k, key in enumerate(CATEGORY_KEYS):
            issues = ISSUES[key]
            for tails, mask in (
                (FIRST_CONTACT_TAILS, (category == k) & (outcome == 0)),
                (CONCERN_TAILS, (category == k) & opened),
            ):
                m = int(mask.sum())
                if not m:
                    continue
                pool = np.array(
                    [f"{r} {i}. {t}" for r in REPORTERS for i in issues for t in tails],
                    dtype=object,
                )
                pick = rng.integers(0, len(pool), m)
                summary[mask] = pool[pick]
                issue_idx[mask] = (pick // len(tails)) % len(issues)
        out = np.flatnonzero(outbound)
        summary[out] = ["Returned call. " + s for s in summary[out]]
        return summary, issue_idx

    def _durations(self, channel: np.ndarray) -> np.ndarray:
        median = np.select(
            [channel == "phone", channel == "walk-in", channel == "letter", channel == "social"],
            [7.0, 14.0, 10.0, 4.0],
            default=6.0,
        )
        minutes = np.rint(median * self.rng.lognormal(0.0, 0.6, len(channel)))
        return np.clip(minutes, 1, 120).astype(np.int64)

    def _concern_details(self, con: dict[str, np.ndarray]) -> None:
        """Severity, clocks, resolution and grievance paperwork, consistent with `now`."""
        rng, tz, now = self.rng, self.tz, self.now
        n = len(con["id"])
        ctype = con["type"]
        severity = np.empty(n, dtype=object)
        for t, p in (
            ("complaint", [0.30, 0.45, 0.20, 0.05]),
            ("grievance", [0.10, 0.45, 0.35, 0.10]),
            ("compliment", [1.0, 0, 0, 0]),
            ("suggestion", [0.7, 0.3, 0, 0]),
            ("inquiry", [0.6, 0.4, 0, 0]),
        ):
            rows = ctype == t
            severity[rows] = _pick(rng, ["low", "medium", "high", "critical"], p, rows.sum())
        safety = con["category"] == CATEGORY_KEYS.index("safety")
        severity[safety & (severity == "low") & (ctype != "compliment")] = "medium"
        # Abuse or neglect allegations: critical grievances, flagged at once.
        abuse = (
            np.isin(
                con["category"], [CATEGORY_KEYS.index("safety"), CATEGORY_KEYS.index("respect")]
            )
            & np.isin(ctype, ["complaint", "grievance"])
            & (rng.random(n) < 0.03)
        )
        ctype[abuse] = "grievance"
        severity[abuse] = "critical"
        con["rule"][abuse] = ABUSE_RULE
        con["override"][abuse] = None
        con["abuse"] = abuse
        medicare = np.concatenate([[False], self.patient_medicare])[con["patient"]]
        con["qio"] = (
            medicare
            & (con["category"] == CATEGORY_KEYS.index("quality"))
            & np.isin(ctype, ["complaint", "grievance"])
        )
        con["severity"] = severity

        opened = con["opened_at"]
        hours = np.array(
            [
                self.sla.get((t, s)) if self.sla.get((t, s)) is not None else -1
                for t, s in zip(ctype.tolist(), severity.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        due = _due_at(opened, hours, ctype == "grievance", tz)
        grievance = ctype == "grievance"
        ack_due = np.full(n, _NULL)
        ack_due[grievance] = _next_business_day(opened[grievance], tz)
        con["due"], con["ack_due"] = due, ack_due

        # Resolution time as a share of the clock: lognormal, departments differ, and the team
        # gets a little quicker over the two years. Most finish on time; a slow minority runs
        # past the clock (about 15% late in all) and a few are stuck for months.
        has_clock = due != _NULL
        window = np.where(has_clock, due - opened, 2 * _DAY).astype(float)
        progress_in_period = (opened - self.start) / max(1, int(now - self.start))
        mu = (
            np.log(0.52)
            + self.dept_speed[con["dept"]]
            + 0.18 * (0.5 - progress_in_period)
            - 0.08 * grievance
        )
        ratio = np.exp(mu + 0.45 * rng.standard_normal(n))
        slow = rng.random(n) < 0.065
        ratio[slow] = 1 + np.exp(mu[slow] + 0.8 * rng.standard_normal(slow.sum()))
        stuck = rng.random(n) < 0.008
        ratio[stuck] = rng.uniform(3, 10, stuck.sum())
        resolve_at = opened + np.maximum(ratio * window, 15 * 60).astype(np.int64)
        resolve_at = _into_office_hours(resolve_at, tz, rng)
        resolve_at = np.maximum(resolve_at, opened + 15 * 60)
        resolved = resolve_at <= now
        close_at = resolve_at + (rng.lognormal(np.log(3 * _DAY), 0.7, n)).astype(np.int64)
        closed = resolved & (close_at <= now)
        status = np.empty(n, dtype=object)
        status[closed] = "closed"
        status[resolved & ~closed] = "resolved"
        open_ = ~resolved
        age = now - opened
        young = open_ & (age < _DAY)
        status[young] = _pick(rng, ["new", "in_progress"], [0.6, 0.4], young.sum())
        older = open_ & ~young
        status[older] = _pick(
            rng,
            ["new", "in_progress", "escalated", "awaiting_patient"],
            [0.06, 0.56, 0.18, 0.20],
            older.sum(),
        )
        # Praise, questions and ideas are not escalated and wait on nobody.
        simple = older & np.isin(ctype, ["compliment", "inquiry", "suggestion"])
        status[simple] = _pick(rng, ["new", "in_progress"], [0.2, 0.8], simple.sum())
        con["status"] = status
        con["resolved_at"] = np.where(resolved, resolve_at, _NULL)
        con["closed_at"] = np.where(closed, close_at, _NULL)
        con["resolution"] = np.where(resolved, self._resolutions(con), None)

        # Grievance paperwork: acknowledgement, written response, "still working" notices.
        end = np.where(resolved, resolve_at, now)
        ack_at = opened + rng.lognormal(np.log(5 * _HOUR), 0.9, n).astype(np.int64)
        ack_at = _into_office_hours(ack_at, tz, rng)
        ack_at = np.minimum(ack_at, end)
        acknowledged = grievance & (ack_at <= now) & (rng.random(n) < 0.97)
        con["ack_at"] = np.where(acknowledged, np.maximum(ack_at, opened), _NULL)
        responded = grievance & resolved & (rng.random(n) < 0.97)
        con["response_at"] = np.where(responded, resolve_at, _NULL)
        seven_days = _add_local_days(opened, 7, tz)
        notice_at = opened + rng.uniform(5.5, 7.0, n) * _DAY
        notice = (
            grievance
            & (end > seven_days)
            & (notice_at.astype(np.int64) <= end)
            & (rng.random(n) < 0.9)
        )
        con["notice_at"] = np.where(notice, notice_at.astype(np.int64), _NULL)
        new_date = _local_dates(seven_days, tz) + rng.integers(7, 15, n).astype("timedelta64[D]")
        con["notice_date"] = new_date
        con["notice"] = notice

    def _resolutions(self, con) -> np.ndarray:
        rng = self.rng
        n = len(con["id"])
        text = np.empty(n, dtype=object)
        for k, key in enumerate(CATEGORY_KEYS):
            pool = np.array(RESOLUTIONS_GENERAL + RESOLUTIONS[key], dtype=object)
            rows = con["category"] == k
            text[rows] = pool[rng.integers(0, len(pool), rows.sum())]
        for ctype, pool in RESOLUTIONS_BY_TYPE.items():
            rows = con["type"] == ctype
            text[rows] = np.array(pool, dtype=object)[rng.integers(0, len(pool), rows.sum())]
        return text

    def _concern_owners(self, con) -> None:
        rng = self.rng
        n = len(con["id"])
        choice = rng.random(n)
        other = self.executives[rng.integers(0, len(self.executives), n)]
        manager = self.managers[rng.integers(0, len(self.managers), n)]
        owner = np.where(choice < 0.7, con["created_by"], np.where(choice < 0.93, other, manager))
        # Survey concerns are created by a manager and handed to an associate.
        owner = np.where(con["primary"] < 0, np.where(choice < 0.8, other, manager), owner)
        unassigned = (con["status"] == "new") & (rng.random(n) < 0.5)
        con["owner"] = np.where(unassigned, 0, owner)

    def _follow_up_contacts(self, con, n_added: int) -> dict[str, np.ndarray]:
        rng, now = self.rng, self.now
        end = np.where(con["resolved_at"] != _NULL, con["resolved_at"], now)
        span = (end - con["opened_at"]).astype(float)
        eligible = (con["type"] != "compliment") & (span > _HOUR)
        weight = np.where(eligible, np.sqrt(np.maximum(span, 0)), 0.0)
        if n_added and weight.sum() == 0:
            weight = np.ones(len(span))
        pick = (
            rng.choice(len(span), n_added, p=weight / weight.sum())
            if n_added
            else np.array([], dtype=np.int64)
        )
        occurred = con["opened_at"][pick] + (
            rng.uniform(0.05, 1.0, n_added) * np.maximum(span[pick], 60)
        ).astype(np.int64)
        occurred = np.minimum(occurred, end[pick])
        outbound = rng.random(n_added) < 0.6
        channel = np.where(
            outbound,
            _pick(rng, ["phone", "email"], [0.8, 0.2], n_added),
            _pick(rng, ["phone", "email", "portal"], [0.7, 0.2, 0.1], n_added),
        ).astype(object)
        summary = np.where(
            outbound,
            np.array(FOLLOW_UP_OUTBOUND, dtype=object)[
                rng.integers(0, len(FOLLOW_UP_OUTBOUND), n_added)
            ],
            np.array(FOLLOW_UP_INBOUND, dtype=object)[
                rng.integers(0, len(FOLLOW_UP_INBOUND), n_added)
            ],
        )
        owner = con["owner"][pick]
        logged_by = np.where(
            outbound & (owner > 0),
            owner,
            self.all_staff[rng.choice(len(self.all_staff), n_added, p=self.logger_p)],
        )
        return {
            "pick": pick,
            "occurred": occurred,
            "channel": channel,
            "direction": np.where(outbound, "outbound", "inbound").astype(object),
            "patient": con["patient"][pick],
            "dept": con["dept"][pick],
            "category": con["category"][pick],
            "summary": summary,
            "concern": con["id"][pick],
            "logged_by": logged_by,
            "outbound": outbound,
        }

    def _copy_concerns(self) -> None:
        t0 = time.perf_counter()
        rng, con = self.rng, self.con
        n = len(con["id"])
        responded = con["response_at"] != _NULL
        contact = np.array(
            [
                f"{self.staff_names.get(int(o), 'Patient Relations')}, Patient Relations"
                for o in con["owner"].tolist()
            ],
            dtype=object,
        )
        steps = np.array(STEPS_TAKEN, dtype=object)[rng.integers(0, len(STEPS_TAKEN), n)]
        result = np.array(RESULTS, dtype=object)[rng.integers(0, len(RESULTS), n)]
        completed = _local_dates(np.where(responded, con["response_at"], con["opened_at"]), self.tz)
        self._copy(
            "concern",
            {
                "id": _ints(con["id"]),
                "type": con["type"].tolist(),
                "severity": con["severity"].tolist(),
                "status": con["status"].tolist(),
                "summary": con["summary"].tolist(),
                "category_id": _ints(self.category_ids[con["category"]]),
                "department_id": _ints(self.dept_ids[con["dept"]]),
                "owner_id": _ints(con["owner"], null=con["owner"] == 0),
                "patient_id": _ints(con["patient"], null=con["patient"] == 0),
                "opened_by_interaction_id": _ints(con["opened_by"], null=con["opened_by"] == 0),
                "source_survey_response_id": _ints(con["survey"], null=con["survey"] == 0),
                "created_by": _ints(con["created_by"]),
                "grievance_rule": _texts(con["rule"]),
                "grievance_override_reason": _texts(con["override"]),
                "abuse_neglect_flag": _bools(con["abuse"]),
                "qio_referral_flag": _bools(con["qio"]),
                "opened_at": _times(con["opened_at"]),
                "due_at": _times(con["due"]),
                "acknowledgement_due_at": _times(con["ack_due"]),
                "acknowledged_at": _times(con["ack_at"]),
                "written_response_at": _times(con["response_at"]),
                "response_contact_person": _texts(np.where(responded, contact, None)),
                "response_steps_taken": _texts(np.where(responded, steps, None)),
                "response_result": _texts(np.where(responded, result, None)),
                "response_completed_on": _dates(completed, null=~responded),
                "still_working_notice_at": _times(con["notice_at"]),
                "still_working_new_date": _dates(con["notice_date"], null=~con["notice"]),
                "resolved_at": _times(con["resolved_at"]),
                "resolution": _texts(con["resolution"]),
                "closed_at": _times(con["closed_at"]),
                "version": _ints(con["version"]),
                "updated_at": _times(con["updated_at"]),
            },
            t0,
        )

    # -- issues and events -----------------------------------------------------------------

    def _issues(self) -> None:
        t0 = time.perf_counter()
        rng, con = self.rng, self.con
        n = len(con["id"])
        count = rng.choice([1, 2, 3], n, p=[0.3, 0.4, 0.3])
        concern = np.repeat(np.arange(n), count)
        first = np.ones(len(concern), dtype=bool)
        first[1:] = concern[1:] != concern[:-1]
        position = np.arange(len(concern)) - np.repeat(np.cumsum(count) - count, count) + 1
        # Further issues: other categories, drawn from the department's usual mix.
        category = _choose_rows(rng, self.dept_category_p[con["dept"][concern]])
        category[first] = con["category"][concern[first]]
        for pos in (2, 3):
            rows = np.flatnonzero(position == pos)
            earlier = [con["category"][concern[rows]]]
            if pos == 3:
                earlier.append(category[rows - 1])
            for _ in range(7):
                clash = np.zeros(len(rows), dtype=bool)
                for e in earlier:
                    clash |= category[rows] == e
                if not clash.any():
                    break
                category[rows[clash]] = (
                    category[rows[clash]] + 1 + rng.integers(0, len(CATEGORY_KEYS) - 1, clash.sum())
                ) % len(CATEGORY_KEYS)
        sev_index = np.searchsorted(
            ["critical", "high", "low", "medium"], con["severity"][concern]
        )  # alphabetical order of the four severities
        hcat_p = np.array(
            [[0.02, 0.18, 0.80], [0.10, 0.45, 0.45], [0.75, 0.22, 0.03], [0.30, 0.55, 0.15]]
        )
        p = hcat_p[sev_index]
        p[~first] = (p[~first] + np.array([0.3, 0.1, 0.0])) / 1.4
        hcat = _choose_rows(rng, p) + 1
        clinical = np.isin(category, [0, 1])
        harm_names = np.array(["none", "minimal", "minor", "moderate", "major", "catastrophic"])
        harm_p = np.where(
            (hcat == 3)[:, None],
            np.array([0.20, 0.20, 0.25, 0.23, 0.10, 0.02]),
            np.array([0.50, 0.27, 0.16, 0.06, 0.01, 0.0]),
        )
        harm = np.where(clinical, harm_names[_choose_rows(rng, harm_p)], None).astype(object)
        description = np.empty(len(concern), dtype=object)
        for k, key in enumerate(CATEGORY_KEYS):
            pool = np.array([_capitalise(i) + "." for i in ISSUES[key]], dtype=object)
            rows = category == k
            description[rows] = pool[rng.integers(0, len(pool), rows.sum())]
        known = first & (con["issue"][concern] >= 0)
        for k, key in enumerate(CATEGORY_KEYS):
            rows = np.flatnonzero(known & (category == k))
            pool = np.array([_capitalise(i) + "." for i in ISSUES[key]], dtype=object)
            description[rows] = pool[con["issue"][concern[rows]]]
        from_survey = first & (con["comment"][concern] != None)  # noqa: E711
        description[from_survey] = con["comment"][concern[from_survey]]
        # Praise, ideas and questions carry no harm coding.
        not_harm = np.isin(con["type"][concern], ["compliment", "suggestion", "inquiry"])
        harm[not_harm] = None
        self._copy(
            "concern_issue",
            {
                "id": _ints(np.arange(1, len(concern) + 1)),
                "concern_id": _ints(con["id"][concern]),
                "position": _ints(position),
                "category_id": _ints(self.category_ids[category]),
                "hcat_severity": _ints(hcat),
                "harm_level": _texts(harm),
                "description": description.tolist(),
            },
            t0,
        )

    def _plan_events(self) -> dict[str, list[str]]:
        """Each concern's timeline, consistent with its status, clocks and paperwork.

        Also sets the concern's version and updated_at from the timeline. Returns COPY columns.
        """
        t0 = time.perf_counter()
        rng, con, now, tz = self.rng, self.con, self.now, self.tz
        n = len(con["id"])
        opened = con["opened_at"]
        resolved = con["resolved_at"] != _NULL
        end = np.maximum(np.where(resolved, con["resolved_at"], now), opened)
        span = (end - opened).astype(float)
        owner = con["owner"]
        actor = np.where(owner > 0, owner, con["created_by"])
        status = con["status"]
        parts: list[tuple[np.ndarray, ...]] = []  # (concern row, time, actor, kind, detail, data)

        def add(rows, when, who, kind, detail, data=None, *, clip=True):
            rows = np.asarray(rows, dtype=np.int64)
            if not len(rows):
                return
            when = np.asarray(when, dtype=np.int64)
            if clip:
                when = np.clip(when, opened[rows], end[rows])
            size = len(rows)
            parts.append(
                (
                    rows,
                    when,
                    np.broadcast_to(np.asarray(who), (size,)),
                    np.full(size, kind, dtype=object),
                    detail if isinstance(detail, np.ndarray) else np.full(size, detail, object),
                    data if data is not None else np.full(size, "{}", dtype=object),
                )
            )

        def between(rows, lo, hi):
            t = opened[rows] + (rng.uniform(lo, hi, len(rows)) * span[rows]).astype(np.int64)
            return _into_office_hours(t, tz, rng)

        def texts(values):
            return np.array(list(values), dtype=object)

        rows = np.arange(n)
        add(
            rows,
            opened,
            con["created_by"],
            "created",
            np.where(
                con["primary"] >= 0,
                "Opened from a patient contact.",
                "Opened from a survey comment for service recovery.",
            ).astype(object),
            texts(
                json.dumps({"type": t, "severity": s})
                for t, s in zip(con["type"].tolist(), con["severity"].tolist(), strict=True)
            ),
        )
        # Handed to someone other than the person who opened it.
        rows = np.flatnonzero((owner > 0) & (owner != con["created_by"]))
        lag = np.minimum(rng.lognormal(np.log(1.5 * _HOUR), 1.0, len(rows)), 0.1 * span[rows])
        add(
            rows,
            opened[rows] + lag.astype(np.int64),
            self.managers[rng.integers(0, len(self.managers), len(rows))],
            "assigned",
            texts(f"Assigned to {self.staff_names[o]}." for o in owner[rows].tolist()),
            texts(json.dumps({"owner_id": o}) for o in owner[rows].tolist()),
        )
        rows = np.flatnonzero(con["ack_at"] != _NULL)
        add(
            rows,
            con["ack_at"][rows],
            actor[rows],
            "acknowledged",
            "Acknowledgement letter sent to the patient.",
        )
        is_open = ~resolved
        worked = (status != "new") & (is_open | (rng.random(n) < 0.1))
        rows = np.flatnonzero(worked)
        add(
            rows,
            between(rows, 0.05, 0.3),
            actor[rows],
            "status_changed",
            "Status changed from new to in progress.",
            np.full(len(rows), '{"from": "new", "to": "in_progress"}', dtype=object),
        )
        escalated = (status == "escalated") | (resolved & worked & (rng.random(n) < 0.2))
        rows = np.flatnonzero(escalated)
        add(
            rows,
            between(rows, 0.3, 0.6),
            actor[rows],
            "escalated",
            texts(
                f"Escalated to {self.dept_names[d]} leadership." for d in con["dept"][rows].tolist()
            ),
            np.full(len(rows), '{"from": "in_progress", "to": "escalated"}', dtype=object),
        )
        waiting = (status == "awaiting_patient") | (resolved & worked & (rng.random(n) < 0.2))
        rows = np.flatnonzero(waiting)
        before = np.where(escalated[rows], "escalated", "in_progress").tolist()
        add(
            rows,
            between(rows, 0.6, 0.9),
            actor[rows],
            "status_changed",
            texts(
                f"Status changed from {b.replace('_', ' ')} to awaiting patient." for b in before
            ),
            texts(json.dumps({"from": b, "to": "awaiting_patient"}) for b in before),
        )
        notes = rng.poisson(np.where(con["type"] == "compliment", 0.02, 0.1))
        rows = np.repeat(np.arange(n), notes)
        add(
            rows,
            between(rows, 0.1, 0.95),
            actor[rows],
            "note",
            np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), len(rows))],
        )
        # Outbound follow-up contacts are recorded on the timeline; inbound ones show up as
        # linked interactions.
        a = self.added
        out = np.flatnonzero(a["outbound"])
        add(
            a["pick"][out],
            a["occurred"][out],
            a["logged_by"][out],
            "follow_up",
            texts("Follow-up: " + s for s in a["summary"][out]),
        )
        rows = np.flatnonzero(con["notice"])
        new_dates = np.datetime_as_string(con["notice_date"][rows]).tolist()
        add(
            rows,
            con["notice_at"][rows],
            actor[rows],
            "still_working",
            texts(f"Still working on it; letter sent with a new date of {d}." for d in new_dates),
            texts(json.dumps({"new_date": d}) for d in new_dates),
        )
        rows = np.flatnonzero(con["response_at"] != _NULL)
        add(
            rows,
            con["response_at"][rows],
            actor[rows],
            "written_response",
            "Written response sent to the patient.",
        )
        rows = np.flatnonzero(resolved)
        add(rows, con["resolved_at"][rows], actor[rows], "resolved", con["resolution"][rows])
        rows = np.flatnonzero(con["closed_at"] != _NULL)
        closer = np.where(
            rng.random(len(rows)) < 0.7,
            actor[rows],
            self.managers[rng.integers(0, len(self.managers), len(rows))],
        )
        add(rows, con["closed_at"][rows], closer, "closed", "Closed.", clip=False)

        rows = np.concatenate([p[0] for p in parts])
        when = np.concatenate([p[1] for p in parts])
        seq = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(parts)])
        order = np.lexsort((seq, when, rows))
        rows, when = rows[order], when[order]
        kind = np.concatenate([p[3] for p in parts])[order]
        # Every event but notes and contacts changed the concern row: version follows.
        changes = np.bincount(
            rows, weights=~np.isin(kind, ["created", "note", "follow_up"]), minlength=n
        )
        con["version"] = changes.astype(np.int64) + 1
        last = opened.copy()
        np.maximum.at(last, rows, when)
        con["updated_at"] = last
        self.progress(
            f"concern_event: {len(rows):,} events planned in {time.perf_counter() - t0:.1f} s"
        )
        return {
            "id": _ints(np.arange(1, len(rows) + 1)),
            "concern_id": _ints(con["id"][rows]),
            "occurred_at": _times(when),
            "actor_id": _ints(np.concatenate([p[2] for p in parts])[order]),
            "kind": kind.tolist(),
            "detail": np.concatenate([p[4] for p in parts])[order].tolist(),
            "data": np.concatenate([p[5] for p in parts])[order].tolist(),
        }

    # -- encounter volumes -----------------------------------------------------------------

    def _encounter_volumes(self) -> None:
        t0 = time.perf_counter()
        rng = self.rng
        first_month = self.first_day.astype("datetime64[M]")
        last_month = self.today.astype("datetime64[M]")
        months = np.arange(first_month, last_month + 1)
        # Scale so complaints run at a few per 1,000 encounters at any size.
        scale = (
            self.spec.concerns
            / SIZES["reference"].concerns
            * (SIZES["reference"].days / self.spec.days)
        )
        month_of_year = months.astype(np.int64) % 12
        season = 1 + 0.08 * np.cos(2 * np.pi * (month_of_year - 0.5) / 12)
        dept = np.repeat(np.arange(len(self.dept_ids)), len(months))
        month = np.tile(np.arange(len(months)), len(self.dept_ids))
        volume = self.dept_encounters[dept] * scale * season[month] * rng.normal(1, 0.05, len(dept))
        self._copy(
            "encounter_volume",
            {
                "department_id": _ints(self.dept_ids[dept]),
                "month": _dates(months[month].astype("datetime64[D]")),
                "encounters": _ints(np.maximum(np.rint(volume), 0).astype(np.int64)),
            },
            t0,
        )

    # -- COPY --------------------------------------------------------------------------------

    def _copy(self, table: str, columns: dict[str, list[str]], t0: float) -> None:
        copy_started = time.perf_counter()
        n = self._copy_raw(table, columns)
        self.counts[table] = n
        done = time.perf_counter()
        self.progress(
            f"{table}: {n:,} rows in {done - t0:.1f} s (COPY {done - copy_started:.1f} s)"
        )

    def _copy_raw(self, table: str, columns: dict[str, list[str]]) -> int:
        names = list(columns)
        data = [columns[c] for c in names]
        n = len(data[0])
        sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        for start in range(0, n, _CHUNK):
            rows = zip(*(col[start : start + _CHUNK] for col in data), strict=True)
            buf = io.StringIO("\n".join(map("\t".join, rows)) + "\n")
            self.cur.copy_expert(sql, buf, size=1 << 20)
        return n


_CHUNK = 100_000
# Every table generate() writes to.
LOADED_TABLES = (
    "department",
    "app_user",
    "patient",
    "survey_instrument",
    "survey_question",
    "survey_response",
    "survey_answer",
    "concern",
    "interaction",
    "concern_issue",
    "concern_event",
    "encounter_volume",
)

# ---------------------------------------------------------------------------------------------
# Helpers: time on the facility calendar, drawing, and COPY text format.
# ---------------------------------------------------------------------------------------------


def _to_local(ts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """UTC epoch seconds -> naive local datetime64[s]."""
    idx = pd.DatetimeIndex(ts.astype("datetime64[s]")).tz_localize("UTC").tz_convert(tz)
    return idx.tz_localize(None).values.astype("datetime64[s]")


def _from_local(local: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Naive local datetime64 -> UTC epoch seconds, resolving DST like db.sla does: a repeated
    wall-clock time is the first (daylight) one, a skipped one moves an hour later."""
    idx = pd.DatetimeIndex(local.astype("datetime64[s]")).tz_localize(
        tz, ambiguous=np.ones(len(local), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    return idx.tz_convert("UTC").tz_localize(None).values.astype("datetime64[s]").astype(np.int64)


def _add_local_days(ts: np.ndarray, days, tz: ZoneInfo) -> np.ndarray:
    days = np.broadcast_to(np.asarray(days, dtype=np.int64), ts.shape)
    return _from_local(_to_local(ts, tz) + days.astype("timedelta64[D]"), tz)


def _local_dates(ts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    return _to_local(ts, tz).astype("datetime64[D]")


def _due_at(opened: np.ndarray, hours: np.ndarray, grievance: np.ndarray, tz) -> np.ndarray:
    """db.sla.concern_due_at, vectorised: whole days on the facility calendar, other hours
    elapsed; grievances never later than their 7-day written-response deadline."""
    due = np.full(len(opened), _NULL)
    has = hours >= 0
    days = has & (hours % 24 == 0)
    elapsed = has & ~days
    due[elapsed] = opened[elapsed] + hours[elapsed] * _HOUR
    due[days] = _add_local_days(opened[days], hours[days] // 24, tz)
    capped = has & grievance
    due[capped] = np.minimum(due[capped], _add_local_days(opened[capped], 7, tz))
    return due


def _next_business_day(ts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """db.sla.grievance_acknowledgement_due_at, vectorised: same local time, next weekday."""
    local = _to_local(ts, tz)
    weekday = (local.astype("datetime64[D]").astype(np.int64) - 4) % 7
    step = np.select([weekday == 4, weekday == 5], [3, 2], default=1)
    return _from_local(local + step.astype("timedelta64[D]"), tz)


def _into_office_hours(ts: np.ndarray, tz: ZoneInfo, rng: np.random.Generator) -> np.ndarray:
    """Staff work days: a time outside 07:00-19:00 local moves to the next morning."""
    if not len(ts):
        return ts
    local = _to_local(ts, tz)
    hour = (local - local.astype("datetime64[D]")).astype(np.int64) // _HOUR
    day = local.astype("datetime64[D]")
    night = (hour < 7) | (hour >= 19)
    morning = np.where(hour >= 19, day + np.timedelta64(1, "D"), day).astype("datetime64[s]")
    moved = morning + (8 * _HOUR + rng.integers(0, 2 * _HOUR, len(ts))).astype("timedelta64[s]")
    out = ts.copy()
    if night.any():
        out[night] = _from_local(moved[night], tz)
    return out


def _month_index(days: np.ndarray, first_day: np.datetime64) -> np.ndarray:
    return (days.astype("datetime64[M]") - first_day.astype("datetime64[M]")).astype(np.int64)


def _cutpoints(base: Sequence[float]) -> np.ndarray:
    """Ordered-probit cut points that give `base` answer shares at a latent score of 0."""
    p = np.asarray(base, dtype=float)
    cum = np.cumsum(p / p.sum())[:-1]
    # Thresholds for a latent variable with unit variance (0.8^2 + 0.6^2 = 1).
    return np.array([NormalDist().inv_cdf(min(max(c, 1e-6), 1 - 1e-6)) for c in cum])


def _pick(rng: np.random.Generator, values: list[str], p: list[float], n: int) -> np.ndarray:
    p_arr = np.asarray(p, dtype=float)
    return np.array(values, dtype=object)[rng.choice(len(values), int(n), p=p_arr / p_arr.sum())]


def _choose_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of probabilities."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p))[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "patient"


def _check_copy_safe(text: str) -> None:
    if any(ch in text for ch in "\t\n\r\\"):
        raise ValueError(f"text not safe for COPY: {text!r}")


def _ints(values: np.ndarray, null: np.ndarray | None = None) -> list[str]:
    out = np.asarray(values).astype(np.int64).astype(str)
    if null is not None:
        out = np.where(null, r"\N", out)
    return out.tolist()


def _times(ts: np.ndarray) -> list[str]:
    out = np.datetime_as_string(np.asarray(ts).astype("datetime64[s]"), unit="s")
    return np.where(ts == _NULL, r"\N", out).tolist()


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> list[str]:
    out = np.datetime_as_string(np.asarray(days).astype("datetime64[D]"), unit="D")
    if null is not None:
        out = np.where(null, r"\N", out)
    return out.tolist()


def _bools(values: np.ndarray) -> list[str]:
    return np.where(np.asarray(values, dtype=bool), "t", "f").tolist()


def _texts(values) -> list[str]:
    return [r"\N" if v is None else str(v) for v in values]


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    """Random (version 4 layout) UUIDs from the seeded generator, as 32 hex digits."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = raw.tobytes().hex()
    return [hexed[i : i + 32] for i in range(0, 32 * n, 32)]


for _pool in (
    *[i for v in ISSUES.values() for i in v],
    *PRAISE,
    *IDEAS,
    *QUESTIONS,
    *REPORTERS,
    *FIRST_CONTACT_TAILS,
    *CONCERN_TAILS,
    *INFORMATION,
    *FOLLOW_UP_INBOUND,
    *FOLLOW_UP_OUTBOUND,
    *RESOLUTIONS_GENERAL,
    *[r for v in RESOLUTIONS.values() for r in v],
    *[r for v in RESOLUTIONS_BY_TYPE.values() for r in v],
    *STEPS_TAKEN,
    *RESULTS,
    *NOTES,
    *[c for c, _ in NEGATIVE_COMMENTS],
    *POSITIVE_COMMENTS,
    *NEUTRAL_COMMENTS,
    *[d[0] for d in DEPARTMENTS],
):
    _check_copy_safe(_pool)

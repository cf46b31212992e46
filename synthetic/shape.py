"""What the synthetic hospital looks like: sizes, departments, categories, staff, channels,
languages and the rhythm of contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    # The data set every performance target is measured on (BENCHMARKS.md).
    "reference": Size(
        days=730,
        departments=40,
        patients=500_000,
        interactions=1_000_000,
        concerns=200_000,
        survey_responses=300_000,
    ),
}


def size_for(size: str | float) -> Size:
    """A named size ("demo", "reference"), or a factor times the reference size: more years of
    history at the same daily rate (0.1, 1, 3, 10), the same 40 departments."""
    if isinstance(size, str) and size in SIZES:
        return SIZES[size]
    try:
        factor = float(size)
    except ValueError:
        raise ValueError(f"size must be one of {', '.join(SIZES)} or a factor such as 3") from None
    if not 0 < factor <= 50:
        raise ValueError("the size factor must be above 0 and at most 50")
    ref = SIZES["reference"]
    return Size(
        days=max(7, round(ref.days * factor)),
        departments=ref.departments,
        patients=max(100, round(ref.patients * factor)),
        interactions=max(100, round(ref.interactions * factor)),
        concerns=max(20, round(ref.concerns * factor)),
        survey_responses=max(20, round(ref.survey_responses * factor)),
    )


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

"""Words: templated sentences by category, so summaries read like a Patient Relations log."""

from __future__ import annotations

from synthetic.arrays import _check_copy_safe as check_copy_safe
from synthetic.shape import DEPARTMENTS

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
OVERRIDE_REASONS = (
    "Billing question only; does not dispute care.",
    "Request for information, not a complaint about care.",
)


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
    check_copy_safe(_pool)

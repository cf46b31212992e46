"""When is a complaint a grievance? The CMS rules (42 CFR 482.13(a)(2)) as surveyors apply them.

A grievance is a written or verbal complaint about the patient's care that staff present cannot
resolve at the time, or one about abuse or neglect, or one the patient wants answered in writing;
any written complaint (letter, email, portal, fax) is one, and so is a complaint made after
discharge. A billing question is not, unless it disputes the care. The app proposes; staff may
override with a reason, which is kept on the concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import WRITTEN_CHANNELS

COMPLAINT_TYPES = ("complaint", "grievance")
QUALITY_OF_CARE = "Quality of care"

RULE_ABUSE = "alleges abuse, neglect or harm"
RULE_WRITTEN = "written complaint"
RULE_WRITTEN_RESPONSE = "patient asked for a written response"
RULE_AFTER_DISCHARGE = "complaint made after discharge"
RULE_NOT_RESOLVED = "not resolved at the time by staff present"
RULE_BILLING = "billing question that does not dispute care (not a grievance)"
RULE_RESOLVED_PROMPTLY = "resolved promptly by staff present (not a grievance)"


@dataclass(frozen=True)
class ComplaintFacts:
    """What the executive records about a complaint when opening a concern."""

    channel: str
    resolved_by_staff_present: bool = False
    abuse_or_neglect: bool = False
    after_discharge: bool = False
    written_response_requested: bool = False
    billing_only: bool = False
    premature_discharge: bool = False
    medicare_beneficiary: bool = False
    category_name: str | None = None


@dataclass(frozen=True)
class GrievanceProposal:
    is_grievance: bool
    rule: str  # the rule that decided, in words staff and surveyors use
    qio_referral: bool  # Medicare quality-of-care or premature-discharge concern
    critical: bool  # abuse/neglect/harm: critical severity, flagged at once


def propose_grievance(facts: ComplaintFacts) -> GrievanceProposal:
    """Propose grievance or complaint for a complaint being opened, naming the rule that fired."""
    qio = facts.medicare_beneficiary and (
        facts.premature_discharge or facts.category_name == QUALITY_OF_CARE
    )
    if facts.abuse_or_neglect:
        return GrievanceProposal(True, RULE_ABUSE, qio, critical=True)
    if facts.channel in WRITTEN_CHANNELS:
        return GrievanceProposal(True, RULE_WRITTEN, qio, critical=False)
    if facts.written_response_requested:
        return GrievanceProposal(True, RULE_WRITTEN_RESPONSE, qio, critical=False)
    if facts.after_discharge:
        return GrievanceProposal(True, RULE_AFTER_DISCHARGE, qio, critical=False)
    if facts.billing_only:
        return GrievanceProposal(False, RULE_BILLING, qio, critical=False)
    if facts.resolved_by_staff_present:
        return GrievanceProposal(False, RULE_RESOLVED_PROMPTLY, qio, critical=False)
    return GrievanceProposal(True, RULE_NOT_RESOLVED, qio, critical=False)

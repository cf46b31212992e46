import pytest

from db.grievance import (
    RULE_ABUSE,
    RULE_AFTER_DISCHARGE,
    RULE_BILLING,
    RULE_NOT_RESOLVED,
    RULE_RESOLVED_PROMPTLY,
    RULE_WRITTEN,
    RULE_WRITTEN_RESPONSE,
    ComplaintFacts,
    propose_grievance,
)


@pytest.mark.parametrize(
    ("facts", "grievance", "rule"),
    [
        (ComplaintFacts(channel="letter", resolved_by_staff_present=True), True, RULE_WRITTEN),
        (ComplaintFacts(channel="email"), True, RULE_WRITTEN),
        (ComplaintFacts(channel="portal", billing_only=True), True, RULE_WRITTEN),
        (ComplaintFacts(channel="phone"), True, RULE_NOT_RESOLVED),
        (
            ComplaintFacts(channel="walk-in", resolved_by_staff_present=True),
            False,
            RULE_RESOLVED_PROMPTLY,
        ),
        (
            ComplaintFacts(channel="phone", resolved_by_staff_present=True, abuse_or_neglect=True),
            True,
            RULE_ABUSE,
        ),
        (
            ComplaintFacts(
                channel="phone", resolved_by_staff_present=True, written_response_requested=True
            ),
            True,
            RULE_WRITTEN_RESPONSE,
        ),
        (
            ComplaintFacts(channel="phone", resolved_by_staff_present=True, after_discharge=True),
            True,
            RULE_AFTER_DISCHARGE,
        ),
        (ComplaintFacts(channel="phone", billing_only=True), False, RULE_BILLING),
        (ComplaintFacts(channel="social"), True, RULE_NOT_RESOLVED),
    ],
)
def test_cms_grievance_rules(facts, grievance, rule):
    proposal = propose_grievance(facts)
    assert (proposal.is_grievance, proposal.rule) == (grievance, rule)


def test_abuse_or_neglect_is_critical_and_flagged():
    proposal = propose_grievance(ComplaintFacts(channel="phone", abuse_or_neglect=True))
    assert proposal.critical and proposal.is_grievance
    assert not propose_grievance(ComplaintFacts(channel="letter")).critical


@pytest.mark.parametrize(
    ("medicare", "category", "premature", "qio"),
    [
        (True, "Quality of care", False, True),
        (True, "Environment", True, True),
        (True, "Environment", False, False),
        (False, "Quality of care", True, False),
    ],
)
def test_qio_reminder_for_medicare_quality_or_premature_discharge(
    medicare, category, premature, qio
):
    facts = ComplaintFacts(
        channel="phone",
        medicare_beneficiary=medicare,
        category_name=category,
        premature_discharge=premature,
    )
    assert propose_grievance(facts).qio_referral is qio

"""Masking patient-identifying data for presentation mode and roles that need not see it.

The masking rule: name -> initials, MRN -> last 4 characters, no phone, email or narrative.
"""

from __future__ import annotations

MASKED_TEXT = "(hidden)"


def initials(given_name: str | None, family_name: str | None) -> str:
    """'John', 'Smith' -> 'J. S.'; anonymous -> 'Anonymous'."""
    parts = [p.strip()[0].upper() + "." for p in (given_name, family_name) if p and p.strip()]
    return " ".join(parts) or "Anonymous"


def mrn_tail(mrn: str | None) -> str:
    """'MRN0012345' -> '…2345'."""
    if not mrn:
        return ""
    return "…" + mrn[-4:]

"""Who may do what: every role rule of the desk, in one table, in the hospital's words.

A person holds one or more roles (executive, manager, leadership, admin). What they may do is a
named permission ("works concerns", "sees patient identifiers", ...), and each permission lists
the roles that grant it. The menu (components.navigation), every page's own check
(components.shell.require_permission) and every write function in db/ ask this module, so a rule
changes here and nowhere else. No Streamlit here: the write paths use it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from db.models import ROLES


class Permission(StrEnum):
    """What a person may do on the desk. The value is the sentence shown in messages."""

    # Everyone with an account: Home, My account.
    SIGNS_IN = "signs in"
    # Executives and managers: the first point of contact logs calls, visits and letters.
    LOGS_INTERACTIONS = "logs interactions"
    # Executives and managers work their own and unassigned concerns...
    WORKS_CONCERNS = "works concerns"
    # ...and managers own the whole worklist: they see every concern, act on anyone's, assign.
    WORKS_EVERY_CONCERN = "works every concern"
    # An executive who opens a concern owns it unless they choose another owner.
    OWNS_CONCERNS_THEY_OPEN = "owns the concerns they open"
    # Names, MRNs, dates of birth: only the patient-facing roles.
    SEES_PATIENT_IDENTIFIERS = "sees patient identifiers"
    # Leadership reads the figures on a shared screen: without a patient-facing role as well,
    # presentation mode is always on.
    PRESENTS_ON_A_SHARED_SCREEN = "presents on a shared screen"
    VIEWS_DASHBOARD = "views the dashboard"
    VIEWS_SATISFACTION = "views satisfaction"
    # Typing in a paper survey and importing a vendor's file.
    ENTERS_SURVEYS = "enters surveys"
    READS_WEEKLY_SUMMARY = "reads the weekly summary"
    # Files with patient-level rows (worklist, identified weekly rows, the overdue list).
    EXPORTS = "exports patient-level rows"
    ADMINISTERS = "administers"


# The one table: permission -> the roles that grant it.
GRANTED_TO: dict[Permission, frozenset[str]] = {
    Permission.SIGNS_IN: frozenset(ROLES),
    Permission.LOGS_INTERACTIONS: frozenset({"executive", "manager"}),
    Permission.WORKS_CONCERNS: frozenset({"executive", "manager"}),
    Permission.WORKS_EVERY_CONCERN: frozenset({"manager"}),
    Permission.OWNS_CONCERNS_THEY_OPEN: frozenset({"executive"}),
    Permission.SEES_PATIENT_IDENTIFIERS: frozenset({"executive", "manager"}),
    Permission.PRESENTS_ON_A_SHARED_SCREEN: frozenset({"leadership"}),
    Permission.VIEWS_DASHBOARD: frozenset({"manager", "leadership", "admin"}),
    Permission.VIEWS_SATISFACTION: frozenset({"manager", "leadership", "admin"}),
    Permission.ENTERS_SURVEYS: frozenset({"manager"}),
    Permission.READS_WEEKLY_SUMMARY: frozenset({"manager", "leadership"}),
    Permission.EXPORTS: frozenset({"manager"}),
    Permission.ADMINISTERS: frozenset({"admin"}),
}


class HoldsRoles(Protocol):
    roles: frozenset[str]


class NotPermitted(PermissionError):
    """The person's roles do not grant this; the message says what it takes."""


def _roles_of(who: HoldsRoles | Iterable[str]) -> frozenset[str]:
    roles = getattr(who, "roles", who)
    return frozenset(roles or ())


def allows(who: HoldsRoles | Iterable[str], permission: Permission) -> bool:
    """True when `who` (a staff member, or a list of role keys) holds a role granting it."""
    return bool(_roles_of(who) & GRANTED_TO[permission])


def roles_with(permission: Permission) -> tuple[str, ...]:
    """The role keys granting `permission`, in the usual role order (for SQL and pickers)."""
    return tuple(role for role in ROLES if role in GRANTED_TO[permission])


def refusal(permission: Permission) -> str:
    """The sentence shown when someone lacks `permission`."""
    holders = [f"{role}s" if role != "leadership" else role for role in roles_with(permission)]
    names = " and ".join(holders) if len(holders) < 3 else ", ".join(holders)
    return f"Only {names} may do this ({permission.value})."


def require(who: HoldsRoles, permission: Permission) -> None:
    """Raise NotPermitted unless `who` holds a role granting `permission`. Every write function
    calls this first, whatever the page showed."""
    if not allows(who, permission):
        raise NotPermitted(refusal(permission))


def permissions_of(who: HoldsRoles | Iterable[str]) -> frozenset[Permission]:
    """Everything `who` may do (shown on My account)."""
    return frozenset(p for p in Permission if allows(who, p))

"""The app's page list: every page, its menu entry and the roles that may open it.

The router (app.py) registers only the pages a person's roles allow, and pages that link to
others (Home) read the same list, so neither imports the other. To add a page, add a
`PageSpec` here (menu order is the order below) and check the role again in the page itself
with `components.shell.require_roles`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page: its file, menu title and icon, address, the roles that may open it, and the
    menu section it is listed under."""

    path: str
    title: str
    icon: str
    url_path: str
    roles: tuple[str, ...]
    section: str


# Every page of the app, with the roles that may open it.
PAGES: tuple[PageSpec, ...] = (
    # First, so it is where managers, leadership and admins land.
    PageSpec(
        "pages/dashboard.py",
        "Dashboard",
        ":material/monitoring:",
        "dashboard",
        ("manager", "leadership", "admin"),
        "Desk",
    ),
    # Where executives land.
    PageSpec(
        "pages/log_interaction.py",
        "Log interaction",
        ":material/call:",
        "log-interaction",
        ("executive", "manager"),
        "Desk",
    ),
    PageSpec(
        "pages/open_concerns.py",
        "Open concerns",
        ":material/assignment_late:",
        "concerns",
        ("executive", "manager"),
        "Desk",
    ),
    PageSpec(
        "pages/satisfaction.py",
        "Satisfaction",
        ":material/sentiment_satisfied:",
        "satisfaction",
        ("manager", "leadership", "admin"),
        "Desk",
    ),
    PageSpec(
        "pages/patients.py",
        "Patients",
        ":material/person_search:",
        "patients",
        ("executive", "manager"),
        "Desk",
    ),
    PageSpec(
        "pages/weekly_summary.py",
        "Weekly summary",
        ":material/summarize:",
        "weekly-summary",
        ("manager", "leadership"),
        "Desk",
    ),
    PageSpec(
        "pages/admin.py",
        "Admin",
        ":material/admin_panel_settings:",
        "admin",
        ("admin",),
        "Administration",
    ),
    PageSpec(
        "pages/account.py",
        "My account",
        ":material/account_circle:",
        "account",
        ("executive", "manager", "leadership", "admin"),
        "Administration",
    ),
    PageSpec(
        "pages/home.py",
        "Home",
        ":material/home:",
        "home",
        ("executive", "manager", "leadership", "admin"),
        "Desk",
    ),
)


def pages_for(roles: frozenset[str] | set[str]) -> dict[str, list[PageSpec]]:
    """Section -> pages that a person holding `roles` may open, in menu order."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if set(spec.roles) & set(roles):
            sections.setdefault(spec.section, []).append(spec)
    return sections

"""The app's page list: every page, its menu entry and the permission it takes to open it.

The router (app.py) registers only the pages a person's roles allow, and pages that link to
others (Home) read the same list, so neither imports the other. To add a page, add a
`PageSpec` here (menu order is the order below) and check the same permission again in the page
itself with `components.shell.require_permission`. Which roles grant a permission is decided in
db.permissions only.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.permissions import Permission, allows, roles_with


@dataclass(frozen=True)
class PageSpec:
    """One page: its file, menu title and icon, address, the permission it takes to open it,
    and the menu section it is listed under."""

    path: str
    title: str
    icon: str
    url_path: str
    permission: Permission
    section: str

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may open the page (from db.permissions)."""
        return roles_with(self.permission)


# Every page of the app, with the permission it takes to open it.
PAGES: tuple[PageSpec, ...] = (
    # First, so it is where managers, leadership and admins land.
    PageSpec(
        "pages/dashboard.py",
        "Dashboard",
        ":material/monitoring:",
        "dashboard",
        Permission.VIEWS_DASHBOARD,
        "Desk",
    ),
    # Where executives land.
    PageSpec(
        "pages/log_interaction.py",
        "Log interaction",
        ":material/call:",
        "log-interaction",
        Permission.LOGS_INTERACTIONS,
        "Desk",
    ),
    PageSpec(
        "pages/open_concerns.py",
        "Open concerns",
        ":material/assignment_late:",
        "concerns",
        Permission.WORKS_CONCERNS,
        "Desk",
    ),
    PageSpec(
        "pages/satisfaction.py",
        "Satisfaction",
        ":material/sentiment_satisfied:",
        "satisfaction",
        Permission.VIEWS_SATISFACTION,
        "Desk",
    ),
    PageSpec(
        "pages/patients.py",
        "Patients",
        ":material/person_search:",
        "patients",
        Permission.SEES_PATIENT_IDENTIFIERS,
        "Desk",
    ),
    PageSpec(
        "pages/weekly_summary.py",
        "Weekly summary",
        ":material/summarize:",
        "weekly-summary",
        Permission.READS_WEEKLY_SUMMARY,
        "Desk",
    ),
    PageSpec(
        "pages/admin.py",
        "Admin",
        ":material/admin_panel_settings:",
        "admin",
        Permission.ADMINISTERS,
        "Administration",
    ),
    PageSpec(
        "pages/account.py",
        "My account",
        ":material/account_circle:",
        "account",
        Permission.SIGNS_IN,
        "Administration",
    ),
    PageSpec(
        "pages/home.py",
        "Home",
        ":material/home:",
        "home",
        Permission.SIGNS_IN,
        "Desk",
    ),
)


def pages_for(roles: frozenset[str] | set[str]) -> dict[str, list[PageSpec]]:
    """Section -> pages that a person holding `roles` may open, in menu order."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if allows(roles, spec.permission):
            sections.setdefault(spec.section, []).append(spec)
    return sections

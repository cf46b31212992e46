"""Demo mode: the four demo accounts (one role each) shown on the sign-in page.

Created only on the embedded database in demo mode, never when DATABASE_URL is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AppUser, Department
from db.users import create_user

DEMO_PASSWORD = "demo1234"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    job_title: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoUser("exec", "Priya Nair", "Patient Relations Executive", ("executive",)),
    DemoUser("manager", "Daniel Okafor", "Patient Relations Manager", ("manager",)),
    DemoUser("leader", "Helen Marsh", "Director of Patient Experience", ("leadership",)),
    DemoUser("admin", "Sam Reyes", "Systems Administrator", ("admin",)),
)


def ensure_demo_accounts(*, session: Session) -> list[str]:
    """Create any missing demo account; returns the usernames created."""
    existing = set(session.scalars(select(AppUser.username)))
    first_department = session.scalar(select(Department.id).order_by(Department.id).limit(1))
    created = []
    for demo in DEMO_USERS:
        if demo.username in existing:
            continue
        create_user(
            session=session,
            username=demo.username,
            display_name=demo.display_name,
            password=DEMO_PASSWORD,
            roles=demo.roles,
            email=f"{demo.username}@demo.invalid",
            home_department_id=first_department,
        )
        created.append(demo.username)
    return created

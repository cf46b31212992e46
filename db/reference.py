"""Reference lists the forms offer: active departments and categories."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Category, Department


def active_departments(*, session: Session) -> dict[int, str]:
    """id -> name of the departments contacts and concerns can be filed under, in the
    administrator's order (then by name)."""
    rows = session.execute(
        select(Department.id, Department.name)
        .where(Department.active)
        .order_by(Department.sort_order, Department.name)
    ).all()
    return dict(rows)


def active_categories(*, session: Session) -> dict[int, str]:
    """id -> name of the categories in use, in the taxonomy's order."""
    rows = session.execute(
        select(Category.id, Category.name)
        .where(Category.active)
        .order_by(Category.sort_order, Category.name)
    ).all()
    return dict(rows)

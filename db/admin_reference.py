"""Departments and categories as the administrator manages them: add, rename, reorder, deactivate.

Nothing here deletes: a department or category that was ever used stays in history and in
reports of past periods; deactivating one only takes it out of the pickers (db.reference).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from db.admin import record_admin_change, require_admin
from db.models import (
    CATEGORY_DOMAINS,
    AppUser,
    Category,
    Concern,
    ConcernIssue,
    Department,
    Interaction,
    SurveyResponse,
)
from db.users import StaffMember
from db.validation import InvalidInput

NAME_MIN, NAME_MAX = 2, 120


@dataclass(frozen=True)
class ReferenceItem:
    """A department or category row of the admin list."""

    id: int
    name: str
    active: bool
    sort_order: int
    used: bool
    domain: str | None = None
    description: str = ""


def _department_used(dept_id):
    return (
        exists().where(Interaction.department_id == dept_id)
        | exists().where(Concern.department_id == dept_id)
        | exists().where(SurveyResponse.department_id == dept_id)
        | exists().where(AppUser.home_department_id == dept_id)
    )


def _category_used(cat_id):
    return (
        exists().where(Interaction.category_id == cat_id)
        | exists().where(ConcernIssue.category_id == cat_id)
        | exists().where(Concern.category_id == cat_id)
    )


def departments_for_admin(*, session: Session) -> list[ReferenceItem]:
    """Every department, active or not, in picker order, with whether any record uses it."""
    rows = session.execute(
        select(
            Department.id,
            Department.name,
            Department.active,
            Department.sort_order,
            _department_used(Department.id),
        ).order_by(Department.sort_order, Department.name)
    ).all()
    return [ReferenceItem(*row) for row in rows]


def categories_for_admin(*, session: Session) -> list[ReferenceItem]:
    """Every category, active or not, in the taxonomy's order, with whether any record uses it."""
    rows = session.execute(
        select(
            Category.id,
            Category.name,
            Category.active,
            Category.sort_order,
            _category_used(Category.id),
            Category.domain,
            Category.description,
        ).order_by(Category.sort_order, Category.name)
    ).all()
    return [ReferenceItem(*row) for row in rows]


def _check_name(session: Session, model, name: str, own_id: int | None) -> str:
    clean = " ".join(name.split())
    if not NAME_MIN <= len(clean) <= NAME_MAX:
        raise InvalidInput({"name": f"Use {NAME_MIN} to {NAME_MAX} characters."})
    clash = session.scalar(
        select(model.id).where(func.lower(model.name) == clean.lower(), model.id != (own_id or 0))
    )
    if clash is not None:
        raise InvalidInput({"name": f"{clean!r} already exists."})
    return clean


def _next_position(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.sort_order))) or 0) + 1


def add_department(*, session: Session, actor: StaffMember, name: str) -> int:
    """A new active department, last in the pickers."""
    require_admin(actor)
    clean = _check_name(session, Department, name, None)
    dept = Department(name=clean, active=True, sort_order=_next_position(session, Department))
    session.add(dept)
    session.flush()
    record_admin_change(
        session=session,
        actor=actor,
        entity="department",
        entity_id=dept.id,
        change="add department",
        before={},
        after={"name": clean, "active": True, "sort_order": dept.sort_order},
    )
    return dept.id


def add_category(
    *, session: Session, actor: StaffMember, domain: str, name: str, description: str = ""
) -> int:
    """A new active category in one of the HCAT domains, last in the pickers."""
    require_admin(actor)
    if domain not in CATEGORY_DOMAINS:
        raise InvalidInput({"domain": "Choose a domain."})
    clean = _check_name(session, Category, name, None)
    cat = Category(
        domain=domain,
        name=clean,
        description=description.strip(),
        active=True,
        sort_order=_next_position(session, Category),
    )
    session.add(cat)
    session.flush()
    record_admin_change(
        session=session,
        actor=actor,
        entity="category",
        entity_id=cat.id,
        change="add category",
        before={},
        after={"domain": domain, "name": clean, "description": cat.description, "active": True},
    )
    return cat.id


def _item(session: Session, model, item_id: int):
    item = session.get(model, item_id, with_for_update=True)
    if item is None:
        raise InvalidInput({"name": "That entry no longer exists."})
    return item


def _fields(item) -> dict:
    fields = {"name": item.name, "active": item.active, "sort_order": item.sort_order}
    if isinstance(item, Category):
        fields |= {"domain": item.domain, "description": item.description}
    return fields


def _entity(model) -> str:
    return model.__tablename__


def rename(
    *,
    session: Session,
    actor: StaffMember,
    model: type[Department] | type[Category],
    item_id: int,
    name: str,
    description: str | None = None,
) -> bool:
    """Rename a department or category (history shows the new name); False if unchanged."""
    require_admin(actor)
    item = _item(session, model, item_id)
    before = _fields(item)
    item.name = _check_name(session, model, name, item_id)
    if description is not None and isinstance(item, Category):
        item.description = description.strip()
    return record_admin_change(
        session=session,
        actor=actor,
        entity=_entity(model),
        entity_id=item_id,
        change=f"rename {_entity(model)}",
        before=before,
        after=_fields(item),
    )


def set_active(
    *,
    session: Session,
    actor: StaffMember,
    model: type[Department] | type[Category],
    item_id: int,
    active: bool,
) -> bool:
    """Take a department or category out of the pickers, or bring it back; never deletes."""
    require_admin(actor)
    item = _item(session, model, item_id)
    before = _fields(item)
    if active is False:
        remaining = session.scalar(
            select(func.count()).select_from(model).where(model.active, model.id != item_id)
        )
        if remaining == 0:
            raise InvalidInput({"active": "Keep at least one active entry for the pickers."})
    item.active = active
    return record_admin_change(
        session=session,
        actor=actor,
        entity=_entity(model),
        entity_id=item_id,
        change=f"{'reactivate' if active else 'deactivate'} {_entity(model)}",
        before=before,
        after=_fields(item),
    )


def move(
    *,
    session: Session,
    actor: StaffMember,
    model: type[Department] | type[Category],
    item_id: int,
    steps: int,
) -> bool:
    """Move an entry up (negative steps) or down in the picker order; positions become 1..n."""
    require_admin(actor)
    items = list(
        session.scalars(select(model).order_by(model.sort_order, model.name).with_for_update())
    )
    index = next((i for i, it in enumerate(items) if it.id == item_id), None)
    if index is None:
        raise InvalidInput({"name": "That entry no longer exists."})
    target = max(0, min(len(items) - 1, index + steps))
    if target == index:
        return False
    before = {it.id: it.sort_order for it in items}
    moved = items.pop(index)
    items.insert(target, moved)
    for position, it in enumerate(items, start=1):
        it.sort_order = position
    return record_admin_change(
        session=session,
        actor=actor,
        entity=_entity(model),
        entity_id=item_id,
        change=f"reorder {_entity(model)}",
        before={"sort_order": before[item_id], "position": index + 1},
        after={"sort_order": moved.sort_order, "position": target + 1},
    )

"""The worklist: who sees what, every filter, order by due time; the detail and its audit."""

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.concerns import WorklistFilters, concern_detail, open_concerns
from db.models import AuditLog, Concern
from tests.helpers import NOW, force_status, open_concern


@pytest.fixture
def setup(engine, world, make_staff):
    manager = make_staff("manager")
    mine, theirs = make_staff("executive"), make_staff("executive")
    ids = {
        "mine": open_concern(
            engine, world, mine, owner_id=mine.id, severity="high", summary="Rude porter on ward 4"
        ),
        "theirs": open_concern(engine, world, theirs, owner_id=theirs.id, severity="low"),
        "unassigned": open_concern(
            engine,
            world,
            manager,
            severity="critical",
            department_id=world["cardio"],
            summary="50% off? no",
        ),
        "resolved": open_concern(engine, world, manager),
    }
    force_status(engine, ids["resolved"], "resolved")
    with Session(engine) as s, s.begin():  # one overdue
        s.execute(
            update(Concern)
            .where(Concern.id == ids["theirs"])
            .values(opened_at=NOW - dt.timedelta(days=20), due_at=NOW - dt.timedelta(days=6))
        )
    return {"manager": manager, "mine": mine, "theirs": theirs, "ids": ids, "world": world}


def worklist(engine, staff, **filters):
    with Session(engine) as s:
        return [
            r.id
            for r in open_concerns(
                session=s, staff=staff, filters=WorklistFilters(**filters), now=NOW
            )
        ]


def test_manager_sees_all_open_concerns_soonest_due_first(engine, setup):
    ids = setup["ids"]
    assert worklist(engine, setup["manager"]) == [ids["theirs"], ids["unassigned"], ids["mine"]]


def test_executive_sees_own_and_unassigned(engine, setup):
    ids = setup["ids"]
    assert worklist(engine, setup["mine"]) == [ids["unassigned"], ids["mine"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"overdue_only": True}, ["theirs"]),
        ({"severities": ("critical", "high")}, ["unassigned", "mine"]),
        ({"department_id": "cardio"}, ["unassigned"]),
        ({"unassigned_only": True}, ["unassigned"]),
        ({"owner_id": "mine"}, ["mine"]),
        ({"text": "PORTER"}, ["mine"]),
        ({"text": "50%"}, ["unassigned"]),
        ({"text": "_"}, []),
        ({"statuses": ("in_progress",)}, []),
        ({"statuses": ("resolved",)}, ["theirs", "unassigned", "mine"]),  # not a worklist status
        ({"types": ("complaint",)}, ["theirs", "unassigned", "mine"]),
        ({"types": ("grievance",)}, []),
    ],
)
def test_worklist_filters(engine, setup, filters, expected):
    filters = dict(filters)
    if filters.get("department_id") == "cardio":
        filters["department_id"] = setup["world"]["cardio"]
    if filters.get("owner_id") == "mine":
        filters["owner_id"] = setup["mine"].id
    assert worklist(engine, setup["manager"], **filters) == [setup["ids"][k] for k in expected]


def test_detail_has_issues_timeline_newest_first_and_audits_the_view(engine, setup):
    manager, concern_id = setup["manager"], setup["ids"]["mine"]
    with Session(engine) as s, s.begin():
        detail = concern_detail(session=s, staff=manager, concern_id=concern_id, shows_patient=True)
    assert detail.patient_family_name == "Smith" and len(detail.issues) == 1
    assert [e.kind for e in detail.events] == ["assigned", "created"] or [
        e.kind for e in detail.events
    ] == ["created", "assigned"]
    with Session(engine) as s:
        actions = [
            (a.action, a.entity)
            for a in s.scalars(
                select(AuditLog)
                .where(AuditLog.user_id == manager.id, AuditLog.action.like("view-%"))
                .order_by(AuditLog.id)
            )
        ]
    assert actions == [("view-concern", "concern"), ("view-patient", "patient")]


def test_detail_without_patient_identity_writes_no_view_patient(engine, setup):
    manager = setup["manager"]
    with Session(engine) as s, s.begin():
        concern_detail(
            session=s, staff=manager, concern_id=setup["ids"]["mine"], shows_patient=False
        )
    with Session(engine) as s:
        assert [
            a.action
            for a in s.scalars(
                select(AuditLog).where(
                    AuditLog.user_id == manager.id, AuditLog.action.like("view-%")
                )
            )
        ] == ["view-concern"]

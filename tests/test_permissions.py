"""Who may do what, from one table written out by hand: every role against every page (the menu
the router builds, and the page's own check when its address is opened directly) and against
every write function in db/. A change to db.permissions that this table does not expect fails
here, and so does a page or write path that forgets to ask db.permissions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from components.navigation import PAGES, pages_for
from db import (
    admin_audit,
    admin_reference,
    admin_sla,
    admin_surveys,
    admin_users,
    admin_volumes,
)
from db import concerns as c
from db import satisfaction as sat
from db import survey_import as imp
from db.intake import log_interaction, log_interactions
from db.models import ROLES, AuditLog, Concern, Department, Interaction
from db.permissions import (
    GRANTED_TO,
    NotPermitted,
    Permission,
    allows,
    permissions_of,
    refusal,
    require,
    roles_with,
)
from tests.helpers import APP, NOW, NY, draft, open_concern, sign_in, version_of

E, M, L, A = "executive", "manager", "leadership", "admin"

# THE TABLE: what each role may open or do. Rows are pages (by address) and write paths.
MAY: dict[str, frozenset[str]] = {
    # pages
    "page dashboard": frozenset({M, L, A}),
    "page log-interaction": frozenset({E, M}),
    "page concerns": frozenset({E, M}),
    "page satisfaction": frozenset({M, L, A}),
    "page patients": frozenset({E, M}),
    "page weekly-summary": frozenset({M, L}),
    "page admin": frozenset({A}),
    "page account": frozenset({E, M, L, A}),
    "page home": frozenset({E, M, L, A}),
    # write paths (and the reads that write a PHI audit row)
    "log an interaction": frozenset({E, M}),
    "log interactions in a batch": frozenset({E, M}),
    "read the worklist": frozenset({E, M}),
    "open an unassigned concern": frozenset({E, M}),
    "note on an unassigned concern": frozenset({E, M}),
    "note on another executive's concern": frozenset({M}),
    "assign a concern to someone else": frozenset({M}),
    "take an unassigned concern": frozenset({E, M}),
    "resolve an unassigned concern": frozenset({E, M}),
    "enter a survey response": frozenset({M}),
    "import a survey file": frozenset({M}),
    "save a survey import profile": frozenset({M}),
    "add a department": frozenset({A}),
    "add a survey": frozenset({A}),
    "create a staff account": frozenset({A}),
    "add a public holiday": frozenset({A}),
    "change SLA targets": frozenset({A}),
    "save encounter volumes": frozenset({A}),
    "export the audit log": frozenset({A}),
}
PAGE_ROWS = {key.removeprefix("page "): roles for key, roles in MAY.items() if key[:5] == "page "}


# ---------------------------------------------------------------- the permission table itself


def test_every_permission_is_granted_to_known_roles_only():
    assert set(GRANTED_TO) == set(Permission)
    for permission, roles in GRANTED_TO.items():
        assert roles and roles <= set(ROLES), permission


def test_allows_takes_a_staff_member_or_role_keys(make_staff):
    manager = make_staff("manager")
    assert allows(manager, Permission.WORKS_EVERY_CONCERN)
    assert allows(["executive"], Permission.WORKS_CONCERNS)
    assert not allows(["executive"], Permission.WORKS_EVERY_CONCERN)
    assert not allows([], Permission.SIGNS_IN)
    assert roles_with(Permission.VIEWS_DASHBOARD) == ("manager", "leadership", "admin")
    assert Permission.ENTERS_SURVEYS in permissions_of({"manager"})
    assert Permission.ENTERS_SURVEYS not in permissions_of({"leadership", "admin"})


def test_refusal_says_who_may(make_staff):
    with pytest.raises(NotPermitted) as refused:
        require(make_staff("leadership"), Permission.WORKS_CONCERNS)
    assert str(refused.value) == "Only executives and managers may do this (works concerns)."
    assert refusal(Permission.VIEWS_DASHBOARD) == (
        "Only managers, leadership, admins may do this (views the dashboard)."
    )


def test_several_roles_hold_the_union_of_their_permissions():
    for first in ROLES:
        for second in ROLES:
            assert permissions_of({first, second}) == permissions_of({first}) | permissions_of(
                {second}
            )


# ---------------------------------------------------------------- role x page


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_lists_exactly_the_pages_of_the_table(role):
    listed = {spec.url_path for specs in pages_for({role}).values() for spec in specs}
    assert listed == {page for page, roles in PAGE_ROWS.items() if role in roles}


def test_the_table_names_every_page():
    assert set(PAGE_ROWS) == {spec.url_path for spec in PAGES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", PAGES, ids=[s.url_path for s in PAGES])
def test_a_page_opened_directly_checks_the_role_itself(engine, make_staff, page_as, role, spec):
    """The address typed by hand (or a stale session): the page refuses on its own. (That the
    allowed pages then draw without an error is checked through the router below: outside it,
    Home's links to other pages cannot resolve.)"""
    staff = make_staff(role)
    at = page_as(spec.path, staff, timeout=60).run()
    refused = [e.value for e in at.error if "does not give access" in e.value]
    if role in PAGE_ROWS[spec.url_path]:
        assert not refused
    else:
        assert refused == ["Your role does not give access to this page."]
        assert not at.exception
        assert [t.value for t in at.title] == []  # stopped before drawing anything


@pytest.mark.parametrize("role", ROLES)
def test_the_router_registers_only_the_tables_pages(engine, make_staff, role):
    make_staff(role, username=f"{role}.table")
    at = sign_in(
        AppTest.from_file(APP, default_timeout=60).run(), f"{role}.table", "correct-horse-1"
    )
    # The menu registered by the sign-in run: a page outside it cannot be switched to at all.
    for spec in PAGES:
        if role not in PAGE_ROWS[spec.url_path]:
            with pytest.raises(ValueError):
                at.switch_page(spec.path).run()
    for spec in PAGES:
        if role in PAGE_ROWS[spec.url_path]:
            at.switch_page(spec.path).run()
            assert not at.exception, (spec.path, at.exception)
            assert not [e for e in at.error if "does not give access" in e.value], spec.path


# ---------------------------------------------------------------- role x write


def _survey_file() -> imp.VendorFile:
    rows = [
        "SurveyID,Department,Date,Q_OVERALL,Q_LTR,Comment",
        "T-1,Cardiology,2026-11-20,9,4,",
    ]
    return imp.read_vendor_file(("\r\n".join(rows) + "\r\n").encode())


def _hcahps_mapping(session) -> imp.Mapping:
    hcahps = next(i for i in sat.instruments(session=session) if "HCAHPS" in i.name)
    return imp.Mapping(
        instrument_id=hcahps.id,
        department_column="Department",
        date_column="Date",
        questions={"Q_OVERALL": "OVERALL_RATING", "Q_LTR": "WOULD_RECOMMEND"},
        external_id_column="SurveyID",
        comment_column="Comment",
    )


def _csat_entry(session, world) -> sat.ResponseEntry:
    csat = next(i for i in sat.instruments(session=session) if i.name == "Post-contact CSAT")
    return sat.ResponseEntry(
        instrument_id=csat.id,
        department_id=world["cardio"],
        responded_on=NOW.date(),
        answers={csat.questions[0].id: 4},
    )


Write = Callable[[Session, object, dict], object]

WRITES: dict[str, Write] = {
    "log an interaction": lambda s, st, w: log_interaction(
        session=s, staff=st, draft=draft(w), tz=NY, now=NOW
    ),
    "read the worklist": lambda s, st, w: c.open_concerns(
        session=s, staff=st, filters=c.WorklistFilters(), now=NOW
    ),
    "open an unassigned concern": lambda s, st, w: c.concern_detail(
        session=s, staff=st, concern_id=w["unassigned"], shows_patient=True
    ),
    "note on an unassigned concern": lambda s, st, w: c.add_note(
        session=s, staff=st, concern_id=w["unassigned"], seen_version=w["v_unassigned"], note="x"
    ),
    "note on another executive's concern": lambda s, st, w: c.add_note(
        session=s, staff=st, concern_id=w["owned"], seen_version=w["v_owned"], note="x"
    ),
    "assign a concern to someone else": lambda s, st, w: c.assign(
        session=s,
        staff=st,
        concern_id=w["unassigned"],
        seen_version=w["v_unassigned"],
        owner_id=w["owner"].id,
    ),
    "take an unassigned concern": lambda s, st, w: c.assign(
        session=s,
        staff=st,
        concern_id=w["unassigned"],
        seen_version=w["v_unassigned"],
        owner_id=st.id,
    ),
    "resolve an unassigned concern": lambda s, st, w: c.resolve(
        session=s,
        staff=st,
        concern_id=w["unassigned"],
        seen_version=w["v_unassigned"],
        resolution="Apologised and explained the wait",
        resolved_at=NOW,
    ),
    "enter a survey response": lambda s, st, w: sat.save_response(
        session=s, staff=st, entry=_csat_entry(s, w), tz=NY, now=NOW
    ),
    "import a survey file": lambda s, st, w: imp.import_file(
        session=s,
        staff=st,
        vendor_file=_survey_file(),
        mapping=_hcahps_mapping(s),
        tz=NY,
        now=NOW,
    ),
    "save a survey import profile": lambda s, st, w: imp.save_profile(
        session=s, staff=st, name="Vendor inpatient", mapping=_hcahps_mapping(s)
    ),
    "log interactions in a batch": lambda s, st, w: log_interactions(
        session=s, staff=st, drafts=[draft(w)], tz=NY, now=NOW
    ),
    "add a survey": lambda s, st, w: admin_surveys.add_instrument(
        session=s, actor=st, name="Food survey", description=""
    ),
    "add a department": lambda s, st, w: admin_reference.add_department(
        session=s, actor=st, name="Oncology"
    ),
    "create a staff account": lambda s, st, w: admin_users.create_account(
        session=s,
        actor=st,
        username="new.person",
        display_name="New Person",
        email=None,
        roles=["executive"],
        home_department_id=None,
    ),
    "add a public holiday": lambda s, st, w: admin_sla.add_holiday(
        session=s, actor=st, day=dt.date(2026, 12, 25), name="Christmas Day"
    ),
    "change SLA targets": lambda s, st, w: admin_sla.update_grievance_rule(
        session=s,
        actor=st,
        acknowledgement_business_days=2,
        written_response_days=8,
        business_weekdays=[1, 2, 3, 4, 5],
    ),
    "save encounter volumes": lambda s, st, w: admin_volumes.save_encounter_volumes(
        session=s,
        actor=st,
        cells=[admin_volumes.VolumeCell(w["cardio"], dt.date(2026, 10, 1), 1200)],
    ),
    "export the audit log": lambda s, st, w: admin_audit.export_audit_csv(
        session=s, actor=st, filters=admin_audit.AuditFilter(), tz=NY
    ),
}


def test_the_table_names_every_write():
    assert set(WRITES) == {key for key in MAY if not key.startswith("page ")}


def _footprint(engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (AuditLog, Interaction, Concern, Department)
        )


@pytest.fixture
def desk(engine, make_staff) -> dict:
    """The desk world with one unassigned concern and one owned by another executive."""
    from tests.helpers import seed_world

    world = seed_world(engine)
    with Session(engine) as s, s.begin():
        sat.seed_standard_instruments(session=s)
    opener = make_staff("manager")
    owner = make_staff("executive")
    world["owner"] = owner
    world["unassigned"] = open_concern(engine, world, opener)
    world["owned"] = open_concern(engine, world, opener, owner_id=owner.id)
    world["v_unassigned"] = version_of(engine, world["unassigned"])
    world["v_owned"] = version_of(engine, world["owned"])
    return world


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_each_write_refuses_exactly_the_roles_the_table_refuses(
    engine, make_staff, desk, role, write
):
    staff = make_staff(role)
    before = _footprint(engine)
    if role in MAY[write]:
        with Session(engine) as s, s.begin():
            WRITES[write](s, staff, desk)
    else:
        with pytest.raises(PermissionError), Session(engine) as s, s.begin():
            WRITES[write](s, staff, desk)
        assert _footprint(engine) == before, "a refused write left something behind"


def test_a_refused_write_names_the_permission(engine, make_staff, desk):
    with pytest.raises(NotPermitted, match="logs interactions"), Session(engine) as s:
        log_interaction(
            session=s,
            staff=make_staff("admin"),
            draft=draft(desk, client_submission_id=uuid.uuid4()),
            tz=NY,
            now=NOW,
        )


def test_my_account_says_what_the_roles_allow(engine, make_staff, page_as):
    at = page_as("pages/account.py", make_staff("leadership", "admin")).run()
    (caption,) = [c.value for c in at.caption if "let you" in c.value]
    assert caption.startswith("Your roles (admin, leadership) let you: presents on a shared")
    assert "administers" in caption and "views satisfaction" in caption
    assert "works concerns" not in caption and "signs in" not in caption

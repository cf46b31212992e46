"""Hostile text typed by staff or patients is shown as the characters typed, in every display.

Each payload goes into every user-text field a page shows (patient name and language, summary,
note, override reason, department and staff names); then every element of the page is checked:
no element that interprets markdown or links (markdown, caption, alerts, headings, st.table)
may carry the text at all, and the st.html elements that do carry it must hold it escaped, so
it appears verbatim and nothing becomes a link, an image or formatting.
"""

import datetime as dt
import html
import re

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from components.wording import shortened
from db import concerns as c
from db.models import AppUser, Concern, Department, Patient
from tests.displayed import html_texts
from tests.helpers import NOW, open_concern, seed_world, version_of

PAYLOADS = {
    "markdown image": "![zq beacon](http://ext.invalid/p.png)",
    "javascript link": "[zq click me](javascript:alert(1))",
    "bold": "**zq bold**",
    "bare URL": "zq see http://ext.invalid/x or www.ext.invalid",
    "HTML": '<img src="http://ext.invalid/i.png">zq<b>html</b><a href="http://ext.invalid">x</a>',
}
TOKEN = "zq"
# Elements whose text Streamlit interprets as markdown (and whose URLs it turns into links).
INTERPRETING = {"markdown", "caption", "alert", "heading", "table", "title", "header", "subheader"}
INTERPRETING |= {"success", "warning", "error", "info", "exception", "latex", "json"}
# The one link the app itself puts in an st.html table: a concern's address, built from its
# number (components.safe.Link). Anything else that looks like a link is the payload's.
APP_LINK = re.compile(r'<a href="concerns\?concern=\d+" target="_blank">#\d+</a>')


def _elements(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _elements(child)
    else:
        yield node


def _assert_only_inert(at, payload: str, where: str) -> None:
    assert not at.exception, where
    shown = False
    for element in _elements(at._tree):
        kind = element.type
        body = str(getattr(element, "proto", ""))
        if kind in INTERPRETING:
            assert TOKEN not in body, f"{where}: user text in an interpreting {kind}: {body[:200]}"
        if kind == "html":
            raw = APP_LINK.sub("", element.proto.body)
            for tag in ("<img", "<a ", "<b>", 'href="', 'src="'):
                assert tag not in raw, f"{where}: {tag} rendered: {raw[:200]}"
            shown = shown or html.escape(payload) in raw
    assert shown, f"{where}: the payload was not shown as text"


@pytest.fixture
def hostile_world(engine, make_staff, request):
    payload = request.param
    world = seed_world(engine)
    staff = make_staff("executive", "manager", home_department_id=world["ed"])
    with Session(engine) as s, s.begin():
        s.execute(
            update(Patient)
            .where(Patient.id == world["smith"])
            .values(family_name=payload[:100], given_name=payload[:100], preferred_language=payload)
        )
        s.execute(update(Department).where(Department.id == world["ed"]).values(name=payload))
        s.execute(update(AppUser).where(AppUser.id == staff.id).values(display_name=payload))
    concern_id = open_concern(engine, world, staff, summary=payload, owner_id=staff.id)
    with Session(engine) as s, s.begin():
        s.execute(
            update(Concern)
            .where(Concern.id == concern_id)
            .values(
                grievance_rule="Written complaint about care",
                grievance_override_reason=payload,
            )
        )
    with Session(engine) as s, s.begin():
        c.add_note(
            session=s,
            staff=staff,
            concern_id=concern_id,
            seen_version=version_of(engine, concern_id),
            note=payload,
        )
    return payload, world, staff, concern_id


ALL = pytest.mark.parametrize(
    "hostile_world", list(PAYLOADS.values()), ids=list(PAYLOADS), indirect=True
)


@ALL
def test_log_page_warning_today_table_and_save_confirmation(page_as, hostile_world, clock):
    payload, world, staff, _ = hostile_world
    clock(NOW)
    at = page_as("pages/log_interaction.py", staff).run()
    at.text_input(key="log0_patient_query").input("MRN0000001").run()
    # The warning about the patient's open concern, and My interactions today.
    _assert_only_inert(at, payload, "log page")
    # The open concern's summary, cut at a word boundary.
    assert any(shortened(payload, 80) in w for w in html_texts(at, "warning"))
    at.text_area(key="log0_summary").input(payload)
    at.button(key="FormSubmitter:log0_form-Save").click().run()
    # The save confirmation names the patient.
    _assert_only_inert(at, payload, "save confirmation")
    assert any(payload[:100] in t for t in html_texts(at, "success"))


@ALL
def test_concern_detail_lines_rule_caption_and_timeline(page_as, hostile_world, clock):
    payload, world, staff, concern_id = hostile_world
    clock(NOW + dt.timedelta(minutes=5))
    at = page_as("pages/open_concerns.py", staff)
    at.query_params["concern"] = str(concern_id)
    at.run()
    _assert_only_inert(at, payload, "concern detail")
    texts = "\n".join(html_texts(at))
    assert f"overridden: {payload}" in texts  # the CMS rule caption
    assert f"Owner {payload}" in texts and f"Department {payload}" in texts


@ALL
def test_patient_header_lines_and_history(page_as, hostile_world):
    payload, world, staff, _ = hostile_world
    at = page_as("pages/patients.py", staff).run()
    at.text_input(key="patients_lookup_query").input("MRN0000001").run()
    # Also the sidebar, which shows the staff member's name.
    _assert_only_inert(at, payload, "patient record")
    assert f"{payload[:100]}, {payload[:100]}" in html_texts(at)


def test_presentation_mode_hides_the_override_reason(page_as, engine, make_staff):
    world = seed_world(engine)
    staff = make_staff("manager")
    concern_id = open_concern(engine, world, staff)
    with Session(engine) as s, s.begin():
        s.execute(
            update(Concern)
            .where(Concern.id == concern_id)
            .values(
                grievance_rule="Written complaint about care",
                grievance_override_reason="Patient said the word Delgado",
            )
        )
    at = page_as("pages/open_concerns.py", staff)
    at.query_params["concern"] = str(concern_id)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception
    everything = "\n".join(str(getattr(e, "proto", "")) for e in _elements(at._tree))
    assert "Written complaint about care" in everything
    assert "Delgado" not in everything


def test_a_table_link_escapes_both_its_text_and_its_address():
    from components.safe import Link, _cell_html

    cell = _cell_html(Link('#1"><img src=x>', 'concerns?concern=1" onclick="alert(1)'))
    assert cell == (
        '<a href="concerns?concern=1&quot; onclick=&quot;alert(1)" target="_blank">'
        "#1&quot;&gt;&lt;img src=x&gt;</a>"
    )

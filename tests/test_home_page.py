from streamlit.testing.v1 import AppTest

from components.safe import escape_markdown
from tests.displayed import html_texts
from tests.helpers import APP, sign_in


def test_home_greets_staff_with_roles_facility_and_links_to_their_pages(engine, make_staff):
    staff = make_staff("manager", "admin", username="dokafor")
    at = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert any(staff.display_name in t for t in html_texts(at))
    assert any("admin, manager" in m for m in html_texts(at))
    assert any("Riverside General Hospital" in m for m in html_texts(at))


def test_escape_markdown_neutralises_links_and_images():
    escaped = escape_markdown("![x](http://evil) [click](javascript:alert(1)) **bold**")
    assert "](" not in escaped.replace("\\]\\(", "")
    assert escaped.count("\\*") == 4

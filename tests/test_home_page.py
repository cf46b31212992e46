from components.safe import escape_markdown


def test_home_greets_staff_with_roles_and_facility(page_as, make_staff):
    staff = make_staff("manager", "admin")
    at = page_as("pages/home.py", staff).run()
    assert not at.exception
    assert staff.display_name in at.title[0].value.replace("\\", "")
    assert any("admin, manager" in m.value for m in at.markdown)
    assert any("Riverside General Hospital" in m.value for m in at.markdown)


def test_escape_markdown_neutralises_links_and_images():
    escaped = escape_markdown("![x](http://evil) [click](javascript:alert(1)) **bold**")
    assert "](" not in escaped.replace("\\]\\(", "")
    assert escaped.count("\\*") == 4

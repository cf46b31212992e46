"""The worklist's text search is audited; its downloadable table carries summaries only for
roles that may export."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditLog
from tests.helpers import open_concern, seed_world

PAGE = "pages/open_concerns.py"


def test_a_worklist_text_search_is_audited(page_as, engine, make_staff):
    world = seed_world(engine)
    manager = make_staff("manager")
    open_concern(engine, world, manager, summary="Cold food on ward 4")
    at = page_as(PAGE, manager)
    at.query_params["q"] = "cold food"
    at.run()
    assert not at.exception
    with Session(engine) as s:
        rows = [(a.action, a.detail) for a in s.scalars(select(AuditLog))]
    assert ("search-concern", {"results": 1, "length": 9}) in rows
    assert "cold" not in str(rows).lower()


def test_executives_get_no_summaries_in_the_downloadable_table(page_as, engine, make_staff):
    world = seed_world(engine)
    executive = make_staff("executive")
    manager = make_staff("manager")
    open_concern(engine, world, executive, summary="Cold food on ward 4")
    frame = page_as(PAGE, executive).run().dataframe[0].value
    assert "Summary" not in frame.columns
    frame = page_as(PAGE, manager).run().dataframe[0].value
    assert list(frame["Summary"]) == ["Cold food on ward 4"]

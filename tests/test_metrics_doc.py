"""docs/metrics.md defines every KPI the dashboard shows, and every tile points to its section."""

from __future__ import annotations

import re

from components.kpi_tiles import DEFINED_IN, DEFINITIONS_FILE, definition_pointer
from tests.conftest import ROOT

SECTIONS = set(re.findall(r"^## (.+)$", (ROOT / DEFINITIONS_FILE).read_text(), re.MULTILINE))


def test_every_tile_names_a_section_of_the_definitions():
    assert set(DEFINED_IN.values()) <= SECTIONS
    for needed in ("Rules shared by every KPI", "Mean score and top-box %"):
        assert needed in SECTIONS
    assert definition_pointer("Net Promoter Score").endswith(
        "docs/metrics.md, section “Net Promoter Score”."
    )
    assert definition_pointer("Not a tile") == ""


def test_every_dashboard_tile_carries_its_pointer(page_as, make_staff, engine, clock):
    import datetime as dt

    clock(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC))
    at = page_as("pages/dashboard.py", make_staff("manager")).run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert sorted(labels) == sorted(DEFINED_IN)
    for metric in at.metric:
        assert definition_pointer(metric.label) in metric.proto.help, metric.label

"""components/url_state.py: the readers and the URL merge as plain functions, and in AppTest a
widget that starts from the URL and writes its change back, and a redraw after the URL changed
from elsewhere."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components import url_state


@pytest.mark.parametrize(
    ("params", "expected"),
    [({}, None), ({"dept": "7"}, 7), ({"dept": "seven"}, None), ({"dept": ["3", "4"]}, 4)],
)
def test_whole_number(params, expected):
    assert url_state.whole_number(params, "dept") == expected


def test_listed_keeps_allowed_values_once_in_order():
    params = {"status": "new,bogus,in_progress,new,"}
    assert url_state.listed(params, "status", ("new", "in_progress")) == ["new", "in_progress"]
    assert url_state.listed({}, "status", ("new",)) == []
    assert url_state.joined(["new", "in_progress"]) == "new,in_progress"


def test_one_of_compares_as_text_and_falls_back():
    assert url_state.one_of({"trend": "52"}, "trend", (13, 26, 52), 26) == 52
    assert url_state.one_of({"trend": "51"}, "trend", (13, 26, 52), 26) == 26
    assert url_state.one_of({}, "trend", (13, 26, 52), 26) == 26


def test_text_and_flag():
    assert url_state.text({"q": "cold food"}, "q") == "cold food"
    assert url_state.text({}, "q", "x") == "x"
    assert url_state.flag({"overdue": "1"}, "overdue")
    assert not url_state.flag({"overdue": "yes"}, "overdue")


def test_merged_sets_removes_and_keeps_the_rest():
    current = {"present": "1", "q": "old", "dept": "2"}
    assert url_state.merged(current, {"q": "new", "dept": "", "owner": None}) == {
        "present": "1",
        "q": "new",
    }


def _filters_page():
    import streamlit as st

    from components import url_state

    sizes = ("small", "large")
    size = st.selectbox(
        "Size",
        sizes,
        index=sizes.index(url_state.one_of(st.query_params, "size", sizes, "small")),
        key=url_state.widget_key("demo", "size"),
    )
    if st.button("Large from elsewhere", key="elsewhere"):
        url_state.update_url({"size": "large"})
        url_state.redraw("demo")
        st.rerun()
    url_state.update_url({"size": None if size == "small" else size})


def test_a_widget_starts_from_the_url_and_writes_back():
    at = AppTest.from_function(_filters_page)
    at.query_params["size"] = "large"
    at.query_params["present"] = "1"
    at.run()
    assert at.selectbox(key="demo_size_0").value == "large"
    at.selectbox(key="demo_size_0").select("small").run()
    assert "size" not in at.query_params
    assert at.query_params["present"] in ("1", ["1"])  # not the page's to remove


def test_redraw_draws_the_widget_afresh_from_the_url():
    at = AppTest.from_function(_filters_page).run()
    assert at.selectbox(key="demo_size_0").value == "small"
    at.button(key="elsewhere").click().run()
    assert at.selectbox(key="demo_size_1").value == "large"
    assert at.query_params["size"] in ("large", ["large"])


def test_show_exactly_tidies_the_url_but_keeps_what_it_is_told_to():
    def page():
        import streamlit as st

        from components import url_state

        url_state.show_exactly({"period": "last_week", "from": ""}, keep=("present",))
        st.write("ok")

    at = AppTest.from_function(page)
    at.query_params.update({"period": "nonsense", "junk": "1", "present": "1"})
    at.run()
    assert not at.exception
    flat = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert flat == {"period": "last_week", "present": "1"}

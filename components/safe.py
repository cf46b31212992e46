"""Showing user-typed text as text.

Streamlit renders markdown in titles, st.write, st.markdown, captions and labels. Text typed by
staff or patients must never become a link, an image or formatting there: escape it first, or
show it with st.text / st.dataframe, which never interpret it.
"""

from __future__ import annotations

import re

# Every character markdown (and Streamlit's :icon:/:color[...]: and $math$ extensions) treats as
# syntax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def escape_markdown(text: str | None) -> str:
    """`text` with every markdown control character backslash-escaped; newlines kept."""
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))

import pytest

from components.wording import counted, plural_of, shortened


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (1, "inquiry", "1 inquiry"),
        (4, "inquiry", "4 inquiries"),
        (0, "contact", "0 contacts"),
        (1, "contact", "1 contact"),
        (2, "day", "2 days"),
        (3, "box", "3 boxes"),
        (1200, "grievance", "1,200 grievances"),
    ],
)
def test_counted_nouns(n, word, expected):
    assert counted(n, word) == expected


def test_phrases_take_their_own_plural():
    assert counted(1, "window ended", "windows ended") == "1 window ended"
    assert counted(2, "window ended", "windows ended") == "2 windows ended"
    assert plural_of("person") == "people"


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short", 20, "short"),
        ("Waited four hours in the ED without an update", 25, "Waited four hours in …"),
        ("line one\nline two", 40, "line one line two"),
        ("x" * 30, 10, "x" * 9 + "…"),
    ],
)
def test_shortened_never_cuts_inside_a_word(text, width, expected):
    assert shortened(text, width) == expected
    assert len(shortened(text, width)) <= width

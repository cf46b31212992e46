"""The URL is the view: widgets start from the query string and their changes are written back.

A page whose filters live in the URL can be bookmarked, shared and reloaded and shows the same
thing. The pattern, used by the Dashboard and the Open concerns worklist:

1. read each filter from the URL with the readers below (`text`, `whole_number`, `flag`,
   `listed`, `one_of`); they take the query-parameter mapping, so they are plain functions a
   test can call with a dict, and a malformed value falls back to the default instead of failing;
2. draw each widget with that value as its starting value (`index=`, `default=`, `value=`);
3. write the view back, either after drawing (`update_url(...)`, from the widgets' return values)
   or from `on_change` callbacks (`show_exactly(...)` when the whole URL is one canonical form,
   as the Dashboard's is);
4. when something other than the widget changes the URL (a click on a chart bar), call
   `redraw(prefix)`: widgets keyed with `widget_key(prefix, name)` get a new key and are drawn
   afresh from the URL instead of keeping the value the browser remembered.

Why not Streamlit's own ``bind="query-params"`` (in the installed Streamlit 1.67)? It binds one
widget to one parameter named after the widget's key and drops a parameter that equals the
widget's default. Our views have parameters that depend on each other (a custom period writes
``from``/``to``; choosing a preset removes them), write a canonical full URL so a half-typed link
is tidied, and are changed by chart clicks, while a bound parameter can only be changed through
the widget's session state. For a future page whose filters are independent of each other,
binding natively is the simpler choice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TypeVar

import streamlit as st

T = TypeVar("T")
Params = Mapping[str, str | list[str]]

LIST_SEPARATOR = ","


def _single(params: Params, name: str) -> str | None:
    # st.query_params gives the last value of a repeated parameter; AppTest and plain dicts may
    # hold a list, which is read the same way.
    value = params.get(name)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def text(params: Params, name: str, default: str = "") -> str:
    """The parameter as typed, or `default` when it is absent."""
    value = _single(params, name)
    return default if value is None else value


def whole_number(params: Params, name: str) -> int | None:
    """A whole number from the URL (a record id, a department id), or None if absent or not one."""
    value = _single(params, name)
    try:
        return int(value) if value else None
    except ValueError:
        return None


def flag(params: Params, name: str) -> bool:
    """An on/off switch: on only when the parameter is "1"."""
    return _single(params, name) == "1"


def listed(params: Params, name: str, allowed: Collection[str]) -> list[str]:
    """A comma-separated list (``?status=new,in_progress``), keeping only allowed values in the
    order given and dropping repeats."""
    chosen: list[str] = []
    for value in (_single(params, name) or "").split(LIST_SEPARATOR):
        if value in allowed and value not in chosen:
            chosen.append(value)
    return chosen


def one_of(params: Params, name: str, allowed: Collection[T], default: T) -> T:
    """The value among `allowed` the URL names (compared as text, so ids work), else `default`."""
    value = _single(params, name)
    for option in allowed:
        if str(option) == value:
            return option
    return default


def joined(values: Iterable[object]) -> str:
    """The URL form of a list: the reverse of `listed`."""
    return LIST_SEPARATOR.join(str(v) for v in values)


def merged(current: Params, changes: Mapping[str, str | None]) -> dict[str, str]:
    """`current` with `changes` applied: a value sets its parameter, "" or None removes it, and
    parameters not named in `changes` stay as they are."""
    result = {name: v for name in current if (v := _single(current, name)) is not None}
    for name, value in changes.items():
        if value:
            result[name] = value
        else:
            result.pop(name, None)
    return result


def update_url(changes: Mapping[str, str | None]) -> None:
    """Write the named parameters into the URL (empty removes one), leaving the others alone.

    Writes only if something differs: every write is a message to the browser.
    """
    wanted = merged(st.query_params.to_dict(), changes)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def show_exactly(wanted: Mapping[str, str], *, keep: Iterable[str] = ()) -> None:
    """Make the URL exactly `wanted`, plus the parameters in `keep` if the URL has them (such as
    ``present``, which belongs to the frame, not the page). Tidies a malformed or partial link."""
    current = st.query_params.to_dict()
    full = {name: current[name] for name in keep if current.get(name)}
    full.update({name: value for name, value in wanted.items() if value})
    if current != full:
        st.query_params.from_dict(full)


def _version_key(prefix: str) -> str:
    return f"{prefix}_url_version"


def widget_key(prefix: str, name: str) -> str:
    """The key of a widget drawn from the URL, e.g. ``dash_period_0``; it changes after
    `redraw(prefix)`."""
    return f"{prefix}_{name}_{st.session_state.get(_version_key(prefix), 0)}"


def redraw(prefix: str) -> None:
    """Draw the widgets keyed by `widget_key(prefix, ...)` afresh from the URL on the next run.

    A widget keeps the value the browser holds for its key whatever `index=`/`value=` says, so
    after the URL was changed by something else (a chart click) the keys must change.
    """
    st.session_state[_version_key(prefix)] = st.session_state.get(_version_key(prefix), 0) + 1

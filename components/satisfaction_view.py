"""What the Satisfaction page shows, as held in the URL, and the control chart it draws.

Plain functions (no Streamlit), so the rules are tested directly:
- `view_from_params` reads survey, question ("all" questions of the survey, or one), measure,
  department, period (or custom from/to dates), trend length, baseline, rebase week and run
  length from the query string (anything malformed falls back to the default, except custom
  dates, which are kept with a message per field); `params_from_view` writes it back.
- `measures_for` says which measures a choice allows: top-box % always; the mean only when the
  questions pooled share one scale; NPS only for the likelihood-to-recommend question.
- `control_chart_for` builds the db.spc chart of a weekly series: XmR for means and NPS,
  Laney p' for top-box proportions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components import url_state
from db import periods, spc
from db.satisfaction import MEAN, MEASURES, NPS, TOP_BOX, Instrument, Question, WeekScore

ALL_QUESTIONS = "all"


@dataclass(frozen=True)
class SatisfactionView:
    instrument: Instrument | None
    question: Question | None  # None: every question of the instrument
    measure: str
    filters: periods.DashboardFilters  # period, department, trend weeks
    baseline_from: dt.date | None = None
    baseline_to: dt.date | None = None  # inclusive Monday
    rebase: dt.date | None = None
    run_length: int = spc.DEFAULT_RUN_LENGTH
    # Custom dates as the URL gives them, and what is wrong with them by field ("from", "to"):
    # kept so the page shows the dates as typed with a message instead of another period.
    custom_from: dt.date | None = None
    custom_to: dt.date | None = None
    date_problems: Mapping[str, str] | None = None


def measures_for(instrument: Instrument | None, question: Question | None) -> list[str]:
    """Measures that make sense for the choice, in menu order."""
    if instrument is None:
        return [TOP_BOX]
    questions = [question] if question else list(instrument.questions)
    found = [TOP_BOX]
    if len({(q.scale_min, q.scale_max) for q in questions}) == 1:
        found.insert(0, MEAN)
    if question is not None and question.is_likelihood_to_recommend:
        found.append(NPS)
    return found


def _day(params: Mapping, name: str) -> dt.date | None:
    value = url_state.text(params, name)
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _monday(params: Mapping, name: str) -> dt.date | None:
    day = _day(params, name)
    return day - dt.timedelta(days=day.weekday()) if day else None


def view_from_params(
    params: Mapping, instruments: Sequence[Instrument], *, today: dt.date, tz_name: str
) -> SatisfactionView:
    """The view a URL asks for; a malformed or stale value falls back to its default."""
    by_id = {i.id: i for i in instruments}
    chosen = url_state.one_of(params, "survey", list(by_id), next(iter(by_id), None))
    instrument = by_id.get(chosen)
    question = None
    if instrument is not None:
        question = url_state.one_of(params, "question", [q.id for q in instrument.questions], None)
        question = instrument.question(question)
    allowed = measures_for(instrument, question)
    measure = url_state.one_of(params, "measure", allowed, allowed[0])
    filters = periods.filters_from_params(params, today=today, tz_name=tz_name)
    run = url_state.one_of(params, "run", spc.RUN_LENGTHS, spc.DEFAULT_RUN_LENGTH)
    custom_from, custom_to, date_problems = None, None, None
    if url_state.text(params, "period") == periods.CUSTOM:
        custom_from, custom_to = _day(params, "from"), _day(params, "to")
        date_problems = periods.custom_dates_problems(custom_from, custom_to) or None
        for name, day in (("from", custom_from), ("to", custom_to)):
            if day is None and url_state.text(params, name):
                date_problems = {**(date_problems or {}), name: "Not a date: use YYYY-MM-DD."}
    return SatisfactionView(
        instrument,
        question,
        measure,
        filters,
        _monday(params, "base_from"),
        _monday(params, "base_to"),
        _monday(params, "rebase"),
        run,
        custom_from,
        custom_to,
        date_problems,
    )


def params_from_view(view: SatisfactionView) -> dict[str, str]:
    """The query string that reproduces `view` (defaults left out)."""
    params = periods.params_from_filters(view.filters)
    if view.date_problems:
        # Refused custom dates stay in the URL as typed, beside their message.
        params["period"] = periods.CUSTOM
        for name, day in (("from", view.custom_from), ("to", view.custom_to)):
            if day is not None:
                params[name] = day.isoformat()
    if view.instrument is not None:
        params["survey"] = str(view.instrument.id)
    if view.question is not None:
        params["question"] = str(view.question.id)
    params["measure"] = view.measure
    for name, day in (
        ("base_from", view.baseline_from),
        ("base_to", view.baseline_to),
        ("rebase", view.rebase),
    ):
        if day is not None:
            params[name] = day.isoformat()
    if view.run_length != spc.DEFAULT_RUN_LENGTH:
        params["run"] = str(view.run_length)
    return params


def _index(weeks: Sequence[WeekScore], monday: dt.date | None) -> int | None:
    if monday is None:
        return None
    return next((i for i, w in enumerate(weeks) if w.week_start == monday), None)


def control_chart_for(view: SatisfactionView, weeks: Sequence[WeekScore]) -> spc.ControlChart:
    """The control chart of the weekly series `weeks` for the view's measure, with its
    baseline (the first weeks by default, or the one the view picks) and rebase."""
    labels = [w.label for w in weeks]
    direction = (
        spc.Direction.HIGHER_IS_BETTER
        if view.question is None or view.question.higher_is_better
        else spc.Direction.LOWER_IS_BETTER
    )
    baseline = None
    start, stop = _index(weeks, view.baseline_from), _index(weeks, view.baseline_to)
    if start is not None:
        baseline = (start, (stop + 1) if stop is not None and stop >= start else len(weeks))
    rebase = _index(weeks, view.rebase)
    options = {
        "direction": direction,
        "baseline": baseline,
        "rebase_at": [rebase] if rebase else [],
        "run_length": view.run_length,
    }
    if view.measure == TOP_BOX:
        return spc.laney_chart(
            [w.successes or 0 for w in weeks], [w.n for w in weeks], labels, **options
        )
    return spc.xmr_chart([w.value for w in weeks], labels, counts=[w.n for w in weeks], **options)


def measure_label(measure: str) -> str:
    return MEASURES[measure]


VARIATION_TEXT = {
    spc.Variation.COMMON_CAUSE: "Common cause variation",
    spc.Variation.IMPROVEMENT_HIGH: "Special cause: improvement (higher)",
    spc.Variation.IMPROVEMENT_LOW: "Special cause: improvement (lower)",
    spc.Variation.CONCERN_HIGH: "Special cause: concern (higher)",
    spc.Variation.CONCERN_LOW: "Special cause: concern (lower)",
    spc.Variation.NO_LIMITS: "Too few weeks for control limits",
}
VARIATION_ICON = {
    spc.Variation.COMMON_CAUSE: ":material/remove:",
    spc.Variation.IMPROVEMENT_HIGH: ":material/trending_up:",
    spc.Variation.IMPROVEMENT_LOW: ":material/trending_down:",
    spc.Variation.CONCERN_HIGH: ":material/trending_up:",
    spc.Variation.CONCERN_LOW: ":material/trending_down:",
    spc.Variation.NO_LIMITS: ":material/more_horiz:",
}


def variation_badge(variation: spc.Variation) -> tuple[str, str, str]:
    """(text, icon, colour) for the variation icon next to a tile."""
    colour = {
        spc.Variation.IMPROVEMENT_HIGH: "blue",
        spc.Variation.IMPROVEMENT_LOW: "blue",
        spc.Variation.CONCERN_HIGH: "orange",
        spc.Variation.CONCERN_LOW: "orange",
    }.get(variation, "gray")
    return VARIATION_TEXT[variation], VARIATION_ICON[variation], colour

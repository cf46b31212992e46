"""Survey instruments and the survey responses with their answers."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from synthetic.arrays import (
    _HOUR,
    _cutpoints,
    _dates,
    _from_local,
    _ints,
    _month_index,
    _texts,
    _times,
)
from synthetic.shape import (
    CATEGORY_KEYS,
)
from synthetic.texts import (
    NEGATIVE_COMMENTS,
    NEUTRAL_COMMENTS,
    POSITIVE_COMMENTS,
)

# Surveys
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    code: str
    wording: str
    scale_min: int
    scale_max: int
    scale_labels: str
    top_box_min: int
    # Probability of each answer from scale_min to scale_max for an average department.
    base: tuple[float, ...]
    is_likelihood_to_recommend: bool = False
    recovery_max: int | None = None


_ALWAYS = "Never..Always"
_RATING = (0.005, 0.003, 0.004, 0.008, 0.01, 0.025, 0.03, 0.07, 0.15, 0.2, 0.495)
_CSAT = "Very dissatisfied..Very satisfied"
INSTRUMENTS: tuple[tuple[str, str, str, tuple[Question, ...]], ...] = (
    (
        "Inpatient experience (HCAHPS-style)",
        "inpatient",
        "Internal survey modelled on HCAHPS questions. Scores are unadjusted for patient mix.",
        (
            Question(
                "NURSE_COURTESY",
                "During this hospital stay, how often did nurses treat you with courtesy and "
                "respect?",
                1,
                4,
                _ALWAYS,
                4,
                (0.02, 0.04, 0.12, 0.82),
            ),
            Question(
                "NURSE_LISTEN",
                "During this hospital stay, how often did nurses listen carefully to you?",
                1,
                4,
                _ALWAYS,
                4,
                (0.02, 0.06, 0.18, 0.74),
            ),
            Question(
                "DOCTOR_EXPLAIN",
                "During this hospital stay, how often did doctors explain things in a way you "
                "could understand?",
                1,
                4,
                _ALWAYS,
                4,
                (0.03, 0.06, 0.17, 0.74),
            ),
            Question(
                "CALL_BUTTON",
                "After you pressed the call button, how often did you get help as soon as you "
                "wanted it?",
                1,
                4,
                _ALWAYS,
                4,
                (0.04, 0.12, 0.24, 0.60),
            ),
            Question(
                "QUIET_AT_NIGHT",
                "During this hospital stay, how often was the area around your room quiet at "
                "night?",
                1,
                4,
                _ALWAYS,
                4,
                (0.06, 0.13, 0.25, 0.56),
            ),
            Question(
                "CLEAN_ROOM",
                "During this hospital stay, how often were your room and bathroom kept clean?",
                1,
                4,
                _ALWAYS,
                4,
                (0.04, 0.08, 0.19, 0.69),
            ),
            Question(
                "OVERALL_RATING",
                "Using any number from 0 to 10, where 0 is the worst hospital possible and 10 is "
                "the best hospital possible, what number would you use to rate this hospital "
                "during your stay?",
                0,
                10,
                "0 Worst..10 Best",
                9,
                _RATING,
                recovery_max=6,
            ),
            Question(
                "LIKELY_TO_RECOMMEND",
                "How likely is it that you would recommend this hospital to a friend or family "
                "member?",
                0,
                10,
                "0 Not at all likely..10 Extremely likely",
                9,
                (0.01, 0.004, 0.005, 0.007, 0.009, 0.02, 0.025, 0.06, 0.13, 0.19, 0.54),
                is_likelihood_to_recommend=True,
            ),
        ),
    ),
    (
        "Outpatient CSAT",
        "outpatient",
        "Short satisfaction survey after clinic, emergency and imaging visits.",
        (
            Question(
                "OVERALL_SATISFACTION",
                "Overall, how satisfied were you with your visit today?",
                1,
                5,
                _CSAT,
                5,
                (0.03, 0.04, 0.09, 0.26, 0.58),
                recovery_max=2,
            ),
            Question(
                "WAIT_TIME",
                "How satisfied were you with the time you waited to be seen?",
                1,
                5,
                _CSAT,
                5,
                (0.06, 0.08, 0.16, 0.28, 0.42),
                recovery_max=2,
            ),
            Question(
                "STAFF_COURTESY",
                "How satisfied were you with the courtesy of our staff?",
                1,
                5,
                _CSAT,
                5,
                (0.02, 0.03, 0.07, 0.23, 0.65),
                recovery_max=2,
            ),
            Question(
                "PROVIDER_EXPLAINED",
                "How satisfied were you with how well your provider explained your care?",
                1,
                5,
                _CSAT,
                5,
                (0.02, 0.03, 0.08, 0.25, 0.62),
                recovery_max=2,
            ),
        ),
    ),
)
_INSTRUMENT_BY_KIND = {"inpatient": 0, "emergency": 1, "outpatient": 1}
_SURVEYED_SUPPORT = {"Patient Access and Registration"}


class SurveysMixin:
    """Draws survey responses and answers (part of the builder in synthetic/builder.py)."""

    def _survey_questions(self) -> None:
        t0 = time.perf_counter()
        q_rows = {
            k: []
            for k in (
                "id",
                "instrument_id",
                "code",
                "wording",
                "position",
                "scale_min",
                "scale_max",
                "scale_labels",
                "top_box_min",
                "is_likelihood_to_recommend",
                "recovery_max",
            )
        }
        qid = 0
        self.instrument_questions: list[list[tuple[int, Question]]] = []
        for i, (_name, _kind, _desc, questions) in enumerate(INSTRUMENTS, start=1):
            listed = []
            for pos, q in enumerate(questions, start=1):
                qid += 1
                listed.append((qid, q))
                for key, value in (
                    ("id", qid),
                    ("instrument_id", i),
                    ("code", q.code),
                    ("wording", q.wording),
                    ("position", pos),
                    ("scale_min", q.scale_min),
                    ("scale_max", q.scale_max),
                    ("scale_labels", q.scale_labels),
                    ("top_box_min", q.top_box_min),
                    ("is_likelihood_to_recommend", "t" if q.is_likelihood_to_recommend else "f"),
                    ("recovery_max", q.recovery_max),
                ):
                    q_rows[key].append(value)
            self.instrument_questions.append(listed)
        self._copy(
            "survey_instrument",
            {
                "id": [str(i) for i in range(1, len(INSTRUMENTS) + 1)],
                "name": [x[0] for x in INSTRUMENTS],
                "description": [x[2] for x in INSTRUMENTS],
                "active": ["t"] * len(INSTRUMENTS),
            },
            t0,
        )
        t0 = time.perf_counter()
        self._copy("survey_question", {k: _texts(v) for k, v in q_rows.items()}, t0)

    def _survey_responses(self) -> None:
        """The current span's survey responses and answers, and the service-recovery concerns
        they open (kept in self.survey_concerns for the contacts)."""
        t0 = time.perf_counter()
        rng = self.rng
        instrument_of_dept = np.array(
            [
                _INSTRUMENT_BY_KIND.get(kind, 1 if name in _SURVEYED_SUPPORT else -1)
                for name, kind in zip(self.dept_names, self.dept_kind, strict=True)
            ]
        )
        surveyed = np.flatnonzero(instrument_of_dept >= 0)
        p = self.dept_weight[surveyed] / self.dept_weight[surveyed].sum()
        n = self.spec.survey_responses
        dept = surveyed[rng.choice(len(surveyed), n, p=p)]
        instrument = instrument_of_dept[dept]
        days = self._days(n, seasonal=0.0)
        responded = self.first_day + days.astype("timedelta64[D]")
        month = _month_index(responded, self.first_day)
        months = int(month.max()) + 1
        # Scores: a department level, a slow random walk, a winter dip, and two real shifts
        # (one unit improves after an initiative, one declines) for control charts to find.
        n_dept = len(self.dept_ids)
        # A department's level and walk carry on from one span of history to the next.
        if self.day_offset == 0:
            self.survey_level = rng.normal(0.0, 0.22, n_dept)
            self.survey_walk = np.zeros(n_dept)
        level = self.survey_level
        walk = self.survey_walk[:, None] + np.cumsum(
            rng.normal(0.0, 0.035, (n_dept, months)), axis=1
        )
        self.survey_walk = walk[:, -1]
        month_of_year = (self.first_day.astype("datetime64[M]") + np.arange(months)).astype(
            int
        ) % 12
        winter = (
            -0.10
            * np.cos(2 * np.pi * month_of_year / 12) ** 2
            * ((month_of_year <= 2) | (month_of_year == 11))
        )
        shift = level[:, None] + walk + winter[None, :]
        if months >= 4 and len(surveyed) >= 2:
            up, down = rng.choice(surveyed, 2, replace=False)
            at = int(rng.integers(months // 3, 2 * months // 3 + 1))
            shift[up, at:] += 0.45
            shift[down, at:] -= 0.40
        latent = rng.standard_normal(n) + shift[dept, month]
        answer_cols: dict[str, list[np.ndarray]] = {"response": [], "question": [], "value": []}
        low = np.zeros(n, dtype=bool)
        worst = np.full(n, np.inf)
        for inst, listed in enumerate(self.instrument_questions):
            rows = np.flatnonzero(instrument == inst)
            for qid_, q in listed:
                cut = _cutpoints(q.base)
                z = 0.8 * latent[rows] + 0.6 * rng.standard_normal(len(rows))
                value = q.scale_min + np.searchsorted(cut, z)
                answered = rng.random(len(rows)) >= 0.03
                answer_cols["response"].append(rows[answered])
                answer_cols["question"].append(np.full(answered.sum(), qid_))
                answer_cols["value"].append(value[answered])
                rel = (value - q.scale_min) / (q.scale_max - q.scale_min)
                worst[rows] = np.minimum(worst[rows], np.where(answered, rel, np.inf))
                if q.recovery_max is not None:
                    low[rows] |= answered & (value <= q.recovery_max)
        comment_p = np.where(worst <= 0.5, 0.35, np.where(worst < 1.0, 0.15, 0.10))
        has_comment = rng.random(n) < comment_p
        negative = has_comment & (worst <= 0.5)
        positive = has_comment & (worst >= 0.99)
        neutral = has_comment & ~negative & ~positive
        comment = np.full(n, None, dtype=object)
        neg_idx = rng.integers(0, len(NEGATIVE_COMMENTS), n)
        comment[negative] = np.array([c for c, _ in NEGATIVE_COMMENTS], dtype=object)[
            neg_idx[negative]
        ]
        comment[positive] = np.array(POSITIVE_COMMENTS, dtype=object)[
            rng.integers(0, len(POSITIVE_COMMENTS), positive.sum())
        ]
        comment[neutral] = np.array(NEUTRAL_COMMENTS, dtype=object)[
            rng.integers(0, len(NEUTRAL_COMMENTS), neutral.sum())
        ]
        # Vendors deliver results days after the visit; a manager imports them in office hours.
        imported = rng.random(n) < 0.8
        lag_days = np.where(imported, rng.integers(3, 15, n), rng.integers(0, 4, n))
        created_local = (responded + lag_days.astype("timedelta64[D]")).astype("datetime64[s]") + (
            rng.integers(8 * _HOUR, 17 * _HOUR, n)
        ).astype("timedelta64[s]")
        created = _from_local(created_local, self.tz)
        day_start = _from_local(responded.astype("datetime64[s]"), self.tz)
        # Results not imported by now arrived today instead.
        late = created > self.now
        created[late] = day_start[late] + (
            rng.random(late.sum()) * np.maximum(self.now - day_start[late], 1)
        ).astype(np.int64)
        created = np.minimum(created, self.now)
        patient = np.where(rng.random(n) < 0.6, self._some_patients(n) + 1, 0)
        ids = np.arange(1, n + 1, dtype=np.int64) + self.id_base["survey_response"]
        vendor = np.where(instrument == 0, "HC", "OP")
        external = [
            f"{v}-{i:09d}" if imp else None
            for v, i, imp in zip(
                vendor.tolist(), (ids * 7 + 1_000).tolist(), imported.tolist(), strict=True
            )
        ]
        entered_by = self.managers[rng.integers(0, len(self.managers), n)]
        self._copy(
            "survey_response",
            {
                "id": _ints(ids),
                "instrument_id": _ints(instrument + 1),
                "department_id": _ints(self.dept_ids[dept]),
                "responded_on": _dates(responded),
                "patient_id": _ints(patient, null=patient == 0),
                "comment": _texts(comment),
                "external_id": _texts(external),
                "entered_by": _ints(entered_by),
                "created_at": _times(created),
            },
            t0,
        )
        t0 = time.perf_counter()
        resp = np.concatenate(answer_cols["response"])
        order = np.lexsort((np.concatenate(answer_cols["question"]), resp))
        self._copy(
            "survey_answer",
            {
                "response_id": _ints(ids[resp][order]),
                "question_id": _ints(np.concatenate(answer_cols["question"])[order]),
                "value": _ints(np.concatenate(answer_cols["value"])[order]),
            },
            t0,
        )
        # Low score with a comment: a service-recovery concern (the service-recovery rule).
        recovery = np.flatnonzero(low & negative)
        self.survey_concerns = {
            "response_id": ids[recovery],
            "opened_at": created[recovery],
            "dept": dept[recovery],
            "patient": patient[recovery],
            "comment": comment[recovery],
            "category": np.array([CATEGORY_KEYS.index(k) for _c, k in NEGATIVE_COMMENTS])[
                neg_idx[recovery]
            ],
            "instrument": instrument[recovery],
        }

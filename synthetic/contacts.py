"""Interactions: when contacts happen, on which channel, what they say, and which open concerns."""

from __future__ import annotations

import time

import numpy as np

from db.models import WRITTEN_CHANNELS
from synthetic import rules
from synthetic.arrays import (
    _DAY,
    _HOUR,
    _choose_rows,
    _from_local,
    _ints,
    _pick,
    _times,
    _uuids,
)
from synthetic.shape import (
    _CONCERN_LIKELIHOOD,
    _HOURS_ONLINE,
    _HOURS_STAFFED,
    _HOURS_WEEKEND,
    _WEEKDAY_FACTOR,
    CATEGORY_KEYS,
    CHANNEL_MIX,
)
from synthetic.texts import (
    CONCERN_TAILS,
    FIRST_CONTACT_TAILS,
    IDEAS,
    INFORMATION,
    INFORMATION_ASKERS,
    INFORMATION_TAILS,
    ISSUES,
    OVERRIDE_REASONS,
    PRAISE,
    QUESTIONS,
    REPORTERS,
)


class ContactsMixin:
    """Draws every contact and the concerns they open (part of the builder)."""

    def _plan_contacts_and_concerns(self) -> None:
        """Draw every contact and concern; ids follow time order, as in a live system."""
        rng, spec = self.rng, self.spec
        sc = self.survey_concerns
        n_survey = len(sc["response_id"])
        n_opened = max(0, spec.concerns - n_survey)
        n_added = int(round(spec.interactions * 0.08))
        n_primary = spec.interactions - n_added
        if n_opened > n_primary:
            raise ValueError("size asks for more concerns than interactions")

        # Primary contacts: when, how, where, about what, and who took them.
        channels = list(CHANNEL_MIX)
        channel = rng.choice(len(channels), n_primary, p=np.array(list(CHANNEL_MIX.values())))
        occurred = self._contact_times(channel, channels)
        dept = rng.choice(len(self.dept_ids), n_primary, p=self.dept_weight)
        category = _choose_rows(rng, self.dept_category_p[dept])
        social = channel == channels.index("social")
        anonymous = rng.random(n_primary) < np.where(social, 0.45, 0.08)
        patient = np.where(anonymous, 0, self._some_patients(n_primary) + 1)
        logged_by = self.all_staff[rng.choice(len(self.all_staff), n_primary, p=self.logger_p)]
        # Which contacts open a concern: written ones more often (Gumbel top-k, no replacement).
        weight = np.array([_CONCERN_LIKELIHOOD[c] for c in channels])[channel]
        keys = rng.exponential(size=n_primary) / weight
        opened_mask = np.zeros(n_primary, dtype=bool)
        if n_opened:
            opened_mask[np.argpartition(keys, n_opened - 1)[:n_opened]] = True
        # 0 resolved-first-contact, 1 concern-opened, 3 information-only (2 is added-to-concern).
        outcome = np.where(opened_mask, 1, np.where(rng.random(n_primary) < 0.62, 0, 3))
        outbound = (
            ~opened_mask
            & (rng.random(n_primary) < 0.06)
            & np.isin(channel, [channels.index("phone"), channels.index("email")])
        )
        summary, issue_idx = self._contact_summaries(category, outcome, opened_mask, outbound)

        # Concern types from the channel (CMS practice: written complaints are grievances).
        c_idx = np.flatnonzero(opened_mask)
        m = len(c_idx)
        written = np.isin(channel[c_idx], [channels.index(c) for c in WRITTEN_CHANNELS])
        c_type = np.where(
            written,
            _pick(
                rng,
                ["grievance", "compliment", "inquiry", "suggestion", "complaint"],
                [0.66, 0.12, 0.10, 0.06, 0.06],
                m,
            ),
            np.where(
                social[c_idx],
                _pick(
                    rng,
                    ["complaint", "compliment", "suggestion", "inquiry"],
                    [0.75, 0.15, 0.05, 0.05],
                    m,
                ),
                _pick(
                    rng,
                    ["complaint", "grievance", "compliment", "inquiry", "suggestion"],
                    [0.60, 0.12, 0.11, 0.11, 0.06],
                    m,
                ),
            ),
        )
        rule = np.full(m, None, dtype=object)
        override = np.full(m, None, dtype=object)
        rule[written & (c_type == "grievance")] = rules.grievance_rule("written")
        # A written billing question: the rule fired, staff overrode it with a reason.
        overridden = written & (c_type == "complaint")
        rule[overridden] = rules.grievance_rule("written")
        override[overridden] = np.array(OVERRIDE_REASONS, dtype=object)[
            rng.integers(0, len(OVERRIDE_REASONS), overridden.sum())
        ]
        verbal = ~written & (c_type == "grievance")
        scenarios, shares = zip(*rules.VERBAL_GRIEVANCE_MIX, strict=True)
        verbal_rules = [rules.grievance_rule(s) for s in scenarios]
        rule[verbal] = _pick(rng, verbal_rules, list(shares), verbal.sum())

        # Survey-comment concerns (written, after the visit) join; all sorted by opened_at.
        s_type = np.where(rng.random(n_survey) < 0.3, "grievance", "complaint").astype(object)
        s_rule = np.where(s_type == "grievance", rules.grievance_rule("written"), None).astype(
            object
        )
        s_summary = np.array(["Survey comment: " + str(c) for c in sc["comment"]], dtype=object)
        con = {
            "opened_at": np.concatenate([occurred[c_idx], sc["opened_at"]]),
            "type": np.concatenate([c_type, s_type]).astype(object),
            "dept": np.concatenate([dept[c_idx], sc["dept"]]),
            "category": np.concatenate([category[c_idx], sc["category"]]),
            "patient": np.concatenate([patient[c_idx], sc["patient"]]),
            "rule": np.concatenate([rule, s_rule]),
            "override": np.concatenate([override, np.full(n_survey, None, dtype=object)]),
            "primary": np.concatenate([c_idx, np.full(n_survey, -1)]),
            "survey": np.concatenate([np.zeros(m, np.int64), sc["response_id"]]),
            "summary": np.concatenate([summary[c_idx], s_summary]),
            "issue": np.concatenate([issue_idx[c_idx], np.full(n_survey, -1)]),
            "comment": np.concatenate([np.full(m, None, dtype=object), sc["comment"]]),
            "created_by": np.concatenate(
                [logged_by[c_idx], self.managers[rng.integers(0, len(self.managers), n_survey)]]
            ),
        }
        order = np.argsort(con["opened_at"], kind="stable")
        con = {k: v[order] for k, v in con.items()}
        n_c = len(order)
        con["id"] = np.arange(1, n_c + 1, dtype=np.int64) + self.id_base["concern"]
        from_contact = con["primary"] >= 0

        # Compliments, suggestions and inquiries read differently from complaints.
        for ctype, phrases, lead in (
            ("compliment", PRAISE, "wants to thank the team for"),
            ("suggestion", IDEAS, "suggests"),
            ("inquiry", QUESTIONS, "asks"),
        ):
            rows = np.flatnonzero(from_contact & (con["type"] == ctype))
            who = np.array(["Patient", "Family member", "Caller"], dtype=object)[
                rng.integers(0, 3, len(rows))
            ]
            what = np.array(phrases, dtype=object)[rng.integers(0, len(phrases), len(rows))]
            con["summary"][rows] = [f"{w} {lead} {p}." for w, p in zip(who, what, strict=True)]
            con["issue"][rows] = -1
            summary[con["primary"][rows]] = con["summary"][rows]

        self._concern_details(con)
        self._concern_owners(con)
        added = self._follow_up_contacts(con, n_added)

        # All interactions together, in time order, ids in that order.
        outcome_names = np.array(
            ["resolved-first-contact", "concern-opened", "added-to-concern", "information-only"],
            dtype=object,
        )
        primary_concern = np.zeros(n_primary, dtype=np.int64)
        primary_concern[con["primary"][from_contact]] = con["id"][from_contact]
        all_time = np.concatenate([occurred, added["occurred"]])
        inter = {
            "occurred": all_time,
            "channel": np.concatenate(
                [np.array(channels, dtype=object)[channel], added["channel"]]
            ),
            "direction": np.concatenate(
                [np.where(outbound, "outbound", "inbound").astype(object), added["direction"]]
            ),
            "patient": np.concatenate([patient, added["patient"]]),
            "dept": np.concatenate([dept, added["dept"]]),
            "category": np.concatenate([category, added["category"]]),
            "summary": np.concatenate([summary, added["summary"]]),
            "outcome": np.concatenate(
                [outcome_names[outcome], np.full(n_added, "added-to-concern", dtype=object)]
            ),
            "concern": np.concatenate([primary_concern, added["concern"]]),
            "logged_by": np.concatenate([logged_by, added["logged_by"]]),
        }
        i_order = np.argsort(all_time, kind="stable")
        inter = {k: v[i_order] for k, v in inter.items()}
        inter_id = np.empty(len(i_order), dtype=np.int64)
        # id of the k-th drawn contact
        inter_id[i_order] = np.arange(1, len(i_order) + 1) + self.id_base["interaction"]
        con["opened_by"] = np.where(from_contact, inter_id[np.maximum(con["primary"], 0)], 0)
        self.con, self.inter, self.added = con, inter, added

    def _copy_interactions(self) -> None:
        t0 = time.perf_counter()
        inter, rng = self.inter, self.rng
        n = len(inter["occurred"])
        duration = self._durations(inter["channel"])
        # Logged when the contact ended, a few minutes later.
        created_at = inter["occurred"] + duration * 60 + rng.integers(30, 600, n)
        created_at = np.maximum(np.minimum(created_at, self.now), inter["occurred"])
        self._copy(
            "interaction",
            {
                "id": _ints(np.arange(1, n + 1) + self.id_base["interaction"]),
                "occurred_at": _times(inter["occurred"]),
                "channel": inter["channel"].tolist(),
                "direction": inter["direction"].tolist(),
                "patient_id": _ints(inter["patient"], null=inter["patient"] == 0),
                "department_id": _ints(self.dept_ids[inter["dept"]]),
                "category_id": _ints(self.category_ids[inter["category"]]),
                "summary": inter["summary"].tolist(),
                "duration_minutes": _ints(duration),
                "outcome": inter["outcome"].tolist(),
                "concern_id": _ints(inter["concern"], null=inter["concern"] == 0),
                "logged_by": _ints(inter["logged_by"]),
                "client_submission_id": _uuids(rng, n),
                "created_at": _times(created_at),
            },
            t0,
        )

    def _contact_times(self, channel: np.ndarray, channels: list[str]) -> np.ndarray:
        rng = self.rng
        n = len(channel)
        days = self._days(n, seasonal=0.12)
        day = self.first_day + days.astype("timedelta64[D]")
        weekday = (day.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-01: Thursday
        online = np.isin(channel, [channels.index(c) for c in ("email", "portal", "social")])
        hour = np.empty(n, dtype=np.int64)
        for mask, weights in (
            (weekday >= 5, _HOURS_WEEKEND),
            ((weekday < 5) & online, _HOURS_ONLINE),
            ((weekday < 5) & ~online, _HOURS_STAFFED),
        ):
            hour[mask] = rng.choice(24, mask.sum(), p=weights / weights.sum())
        local = day.astype("datetime64[s]") + (hour * _HOUR + rng.integers(0, _HOUR, n)).astype(
            "timedelta64[s]"
        )
        occurred = _from_local(local, self.tz)
        # Today's contacts cannot be later than now.
        late = occurred > self.now
        if late.any():
            today_start = _from_local(self.today.astype("datetime64[s]")[None], self.tz)[0]
            span = max(int(self.now - today_start), 1)
            occurred[late] = today_start + rng.integers(0, span, late.sum())
        return occurred

    def _days(self, n: int, *, seasonal: float) -> np.ndarray:
        """Day offsets from the (span's) first day, following the weekly, seasonal and growth
        pattern; growth counts from the first day of the whole history."""
        rng = self.rng
        days = np.arange(self.spec.days)
        date = self.first_day + days.astype("timedelta64[D]")
        weekday = (date.astype(np.int64) - 4) % 7
        day_of_year = (date - date.astype("datetime64[Y]")).astype(np.int64)
        weight = (
            _WEEKDAY_FACTOR[weekday]
            * (1 + seasonal * np.cos(2 * np.pi * (day_of_year - 20) / 365.25))
            * (1 + 0.06 * (days + self.day_offset) / 365)
            * rng.gamma(60, 1 / 60, len(days))
        )
        # Today is only partly over.
        if self.day_offset + self.spec.days == self.history.days:
            weight[-1] *= max(0.05, (int(self.now) % _DAY) / _DAY)
        return rng.choice(len(days), n, p=weight / weight.sum())

    def _contact_summaries(self, category, outcome, opened, outbound):
        rng = self.rng
        n = len(category)
        summary = np.empty(n, dtype=object)
        issue_idx = np.full(n, -1)
        info = outcome == 3
        asker = np.array(INFORMATION_ASKERS, dtype=object)[rng.integers(0, 4, info.sum())]
        what = np.array(INFORMATION, dtype=object)[rng.integers(0, len(INFORMATION), info.sum())]
        tail = np.array(INFORMATION_TAILS, dtype=object)[rng.integers(0, 3, info.sum())]
        summary[info] = [f"{a} {w} {t}".rstrip() for a, w, t in zip(asker, what, tail, strict=True)]
        for k, key in enumerate(CATEGORY_KEYS):
            issues = ISSUES[key]
            for tails, mask in (
                (FIRST_CONTACT_TAILS, (category == k) & (outcome == 0)),
                (CONCERN_TAILS, (category == k) & opened),
            ):
                m = int(mask.sum())
                if not m:
                    continue
                pool = np.array(
                    [f"{r} {i}. {t}" for r in REPORTERS for i in issues for t in tails],
                    dtype=object,
                )
                pick = rng.integers(0, len(pool), m)
                summary[mask] = pool[pick]
                issue_idx[mask] = (pick // len(tails)) % len(issues)
        out = np.flatnonzero(outbound)
        summary[out] = ["Returned call. " + s for s in summary[out]]
        return summary, issue_idx

    def _durations(self, channel: np.ndarray) -> np.ndarray:
        median = np.select(
            [channel == "phone", channel == "walk-in", channel == "letter", channel == "social"],
            [7.0, 14.0, 10.0, 4.0],
            default=6.0,
        )
        minutes = np.rint(median * self.rng.lognormal(0.0, 0.6, len(channel)))
        return np.clip(minutes, 1, 120).astype(np.int64)

"""Concerns: severity, clocks, resolution, grievance paperwork, issues and timelines."""

from __future__ import annotations

import json
import time

import numpy as np

from synthetic import rules
from synthetic.arrays import (
    _DAY,
    _HOUR,
    _NULL,
    _bools,
    _capitalise,
    _choose_rows,
    _dates,
    _into_office_hours,
    _ints,
    _local_dates,
    _pick,
    _texts,
    _times,
)
from synthetic.shape import (
    CATEGORY_KEYS,
)
from synthetic.texts import (
    FOLLOW_UP_INBOUND,
    FOLLOW_UP_OUTBOUND,
    ISSUES,
    NOTES,
    RESOLUTIONS,
    RESOLUTIONS_BY_TYPE,
    RESOLUTIONS_GENERAL,
    RESULTS,
    STEPS_TAKEN,
)


class ConcernsMixin:
    """Details, owners, issues and timeline events of the concerns (part of the builder)."""

    def _concern_details(self, con: dict[str, np.ndarray]) -> None:
        """Severity, clocks, resolution and grievance paperwork, consistent with `now`."""
        rng, tz, now = self.rng, self.tz, self.now
        n = len(con["id"])
        ctype = con["type"]
        severity = np.empty(n, dtype=object)
        for t, p in (
            ("complaint", [0.30, 0.45, 0.20, 0.05]),
            ("grievance", [0.10, 0.45, 0.35, 0.10]),
            ("compliment", [1.0, 0, 0, 0]),
            ("suggestion", [0.7, 0.3, 0, 0]),
            ("inquiry", [0.6, 0.4, 0, 0]),
        ):
            rows = ctype == t
            severity[rows] = _pick(rng, ["low", "medium", "high", "critical"], p, rows.sum())
        safety = con["category"] == CATEGORY_KEYS.index("safety")
        severity[safety & (severity == "low") & (ctype != "compliment")] = "medium"
        # Abuse or neglect allegations: critical grievances, flagged at once.
        abuse = (
            np.isin(
                con["category"], [CATEGORY_KEYS.index("safety"), CATEGORY_KEYS.index("respect")]
            )
            & np.isin(ctype, ["complaint", "grievance"])
            & (rng.random(n) < 0.03)
        )
        ctype[abuse] = "grievance"
        severity[abuse] = "critical"
        con["rule"][abuse] = rules.grievance_rule("abuse")
        con["override"][abuse] = None
        con["abuse"] = abuse
        medicare = np.concatenate([[False], self.patient_medicare])[con["patient"]]
        con["qio"] = (
            medicare
            & (con["category"] == CATEGORY_KEYS.index("quality"))
            & np.isin(ctype, ["complaint", "grievance"])
        )
        con["severity"] = severity

        opened = con["opened_at"]
        grievance = ctype == "grievance"
        due = rules.due_times(opened, ctype, severity, self.sla, tz)
        ack_due = np.full(n, _NULL)
        ack_due[grievance] = rules.acknowledgement_due_times(opened[grievance], tz)
        con["due"], con["ack_due"] = due, ack_due

        # Resolution time as a share of the clock: lognormal, departments differ, and the team
        # gets a little quicker over the two years. Most finish on time; a slow minority runs
        # past the clock (about 15% late in all) and a few are stuck for months.
        has_clock = due != _NULL
        window = np.where(has_clock, due - opened, 2 * _DAY).astype(float)
        progress_in_period = (opened - self.start) / max(1, int(now - self.start))
        mu = (
            np.log(0.52)
            + self.dept_speed[con["dept"]]
            + 0.18 * (0.5 - progress_in_period)
            - 0.08 * grievance
        )
        ratio = np.exp(mu + 0.45 * rng.standard_normal(n))
        slow = rng.random(n) < 0.065
        ratio[slow] = 1 + np.exp(mu[slow] + 0.8 * rng.standard_normal(slow.sum()))
        stuck = rng.random(n) < 0.008
        ratio[stuck] = rng.uniform(3, 10, stuck.sum())
        resolve_at = opened + np.maximum(ratio * window, 15 * 60).astype(np.int64)
        resolve_at = _into_office_hours(resolve_at, tz, rng)
        resolve_at = np.maximum(resolve_at, opened + 15 * 60)
        resolved = resolve_at <= now
        close_at = resolve_at + (rng.lognormal(np.log(3 * _DAY), 0.7, n)).astype(np.int64)
        closed = resolved & (close_at <= now)
        status = np.empty(n, dtype=object)
        status[closed] = "closed"
        status[resolved & ~closed] = "resolved"
        open_ = ~resolved
        age = now - opened
        young = open_ & (age < _DAY)
        status[young] = _pick(rng, ["new", "in_progress"], [0.6, 0.4], young.sum())
        older = open_ & ~young
        status[older] = _pick(
            rng,
            ["new", "in_progress", "escalated", "awaiting_patient"],
            [0.06, 0.56, 0.18, 0.20],
            older.sum(),
        )
        # Praise, questions and ideas are not escalated and wait on nobody.
        simple = older & np.isin(ctype, ["compliment", "inquiry", "suggestion"])
        status[simple] = _pick(rng, ["new", "in_progress"], [0.2, 0.8], simple.sum())
        con["status"] = status
        con["resolved_at"] = np.where(resolved, resolve_at, _NULL)
        con["closed_at"] = np.where(closed, close_at, _NULL)
        con["resolution"] = np.where(resolved, self._resolutions(con), None)

        # Grievance paperwork: acknowledgement, written response, "still working" notices.
        end = np.where(resolved, resolve_at, now)
        ack_at = opened + rng.lognormal(np.log(5 * _HOUR), 0.9, n).astype(np.int64)
        ack_at = _into_office_hours(ack_at, tz, rng)
        ack_at = np.minimum(ack_at, end)
        acknowledged = grievance & (ack_at <= now) & (rng.random(n) < 0.97)
        con["ack_at"] = np.where(acknowledged, np.maximum(ack_at, opened), _NULL)
        responded = grievance & resolved & (rng.random(n) < 0.97)
        con["response_at"] = np.where(responded, resolve_at, _NULL)
        seven_days = rules.response_due_times(opened, tz)
        notice_at = opened + rng.uniform(5.5, 7.0, n) * _DAY
        notice = (
            grievance
            & (end > seven_days)
            & (notice_at.astype(np.int64) <= end)
            & (rng.random(n) < 0.9)
        )
        con["notice_at"] = np.where(notice, notice_at.astype(np.int64), _NULL)
        new_date = _local_dates(seven_days, tz) + rng.integers(7, 15, n).astype("timedelta64[D]")
        con["notice_date"] = new_date
        con["notice"] = notice

    def _resolutions(self, con) -> np.ndarray:
        rng = self.rng
        n = len(con["id"])
        text = np.empty(n, dtype=object)
        for k, key in enumerate(CATEGORY_KEYS):
            pool = np.array(RESOLUTIONS_GENERAL + RESOLUTIONS[key], dtype=object)
            rows = con["category"] == k
            text[rows] = pool[rng.integers(0, len(pool), rows.sum())]
        for ctype, pool in RESOLUTIONS_BY_TYPE.items():
            rows = con["type"] == ctype
            text[rows] = np.array(pool, dtype=object)[rng.integers(0, len(pool), rows.sum())]
        return text

    def _concern_owners(self, con) -> None:
        rng = self.rng
        n = len(con["id"])
        choice = rng.random(n)
        other = self.executives[rng.integers(0, len(self.executives), n)]
        manager = self.managers[rng.integers(0, len(self.managers), n)]
        owner = np.where(choice < 0.7, con["created_by"], np.where(choice < 0.93, other, manager))
        # Survey concerns are created by a manager and handed to an associate.
        owner = np.where(con["primary"] < 0, np.where(choice < 0.8, other, manager), owner)
        unassigned = (con["status"] == "new") & (rng.random(n) < 0.5)
        con["owner"] = np.where(unassigned, 0, owner)

    def _follow_up_contacts(self, con, n_added: int) -> dict[str, np.ndarray]:
        rng, now = self.rng, self.now
        end = np.where(con["resolved_at"] != _NULL, con["resolved_at"], now)
        span = (end - con["opened_at"]).astype(float)
        eligible = (con["type"] != "compliment") & (span > _HOUR)
        weight = np.where(eligible, np.sqrt(np.maximum(span, 0)), 0.0)
        if n_added and weight.sum() == 0:
            weight = np.ones(len(span))
        pick = (
            rng.choice(len(span), n_added, p=weight / weight.sum())
            if n_added
            else np.array([], dtype=np.int64)
        )
        occurred = con["opened_at"][pick] + (
            rng.uniform(0.05, 1.0, n_added) * np.maximum(span[pick], 60)
        ).astype(np.int64)
        occurred = np.minimum(occurred, end[pick])
        outbound = rng.random(n_added) < 0.6
        channel = np.where(
            outbound,
            _pick(rng, ["phone", "email"], [0.8, 0.2], n_added),
            _pick(rng, ["phone", "email", "portal"], [0.7, 0.2, 0.1], n_added),
        ).astype(object)
        summary = np.where(
            outbound,
            np.array(FOLLOW_UP_OUTBOUND, dtype=object)[
                rng.integers(0, len(FOLLOW_UP_OUTBOUND), n_added)
            ],
            np.array(FOLLOW_UP_INBOUND, dtype=object)[
                rng.integers(0, len(FOLLOW_UP_INBOUND), n_added)
            ],
        )
        owner = con["owner"][pick]
        logged_by = np.where(
            outbound & (owner > 0),
            owner,
            self.all_staff[rng.choice(len(self.all_staff), n_added, p=self.logger_p)],
        )
        return {
            "pick": pick,
            "occurred": occurred,
            "channel": channel,
            "direction": np.where(outbound, "outbound", "inbound").astype(object),
            "patient": con["patient"][pick],
            "dept": con["dept"][pick],
            "category": con["category"][pick],
            "summary": summary,
            "concern": con["id"][pick],
            "logged_by": logged_by,
            "outbound": outbound,
        }

    def _copy_concerns(self) -> None:
        t0 = time.perf_counter()
        rng, con = self.rng, self.con
        n = len(con["id"])
        responded = con["response_at"] != _NULL
        contact = np.array(
            [
                f"{self.staff_names.get(int(o), 'Patient Relations')}, Patient Relations"
                for o in con["owner"].tolist()
            ],
            dtype=object,
        )
        steps = np.array(STEPS_TAKEN, dtype=object)[rng.integers(0, len(STEPS_TAKEN), n)]
        result = np.array(RESULTS, dtype=object)[rng.integers(0, len(RESULTS), n)]
        completed = _local_dates(np.where(responded, con["response_at"], con["opened_at"]), self.tz)
        self._copy(
            "concern",
            {
                "id": _ints(con["id"]),
                "type": con["type"].tolist(),
                "severity": con["severity"].tolist(),
                "status": con["status"].tolist(),
                "summary": con["summary"].tolist(),
                "category_id": _ints(self.category_ids[con["category"]]),
                "department_id": _ints(self.dept_ids[con["dept"]]),
                "owner_id": _ints(con["owner"], null=con["owner"] == 0),
                "patient_id": _ints(con["patient"], null=con["patient"] == 0),
                "opened_by_interaction_id": _ints(con["opened_by"], null=con["opened_by"] == 0),
                "source_survey_response_id": _ints(con["survey"], null=con["survey"] == 0),
                "created_by": _ints(con["created_by"]),
                "grievance_rule": _texts(con["rule"]),
                "grievance_override_reason": _texts(con["override"]),
                "abuse_neglect_flag": _bools(con["abuse"]),
                "qio_referral_flag": _bools(con["qio"]),
                "opened_at": _times(con["opened_at"]),
                "due_at": _times(con["due"]),
                "acknowledgement_due_at": _times(con["ack_due"]),
                "acknowledged_at": _times(con["ack_at"]),
                "written_response_at": _times(con["response_at"]),
                "response_contact_person": _texts(np.where(responded, contact, None)),
                "response_steps_taken": _texts(np.where(responded, steps, None)),
                "response_result": _texts(np.where(responded, result, None)),
                "response_completed_on": _dates(completed, null=~responded),
                "still_working_notice_at": _times(con["notice_at"]),
                "still_working_new_date": _dates(con["notice_date"], null=~con["notice"]),
                "resolved_at": _times(con["resolved_at"]),
                "resolution": _texts(con["resolution"]),
                "closed_at": _times(con["closed_at"]),
                "version": _ints(con["version"]),
                "updated_at": _times(con["updated_at"]),
            },
            t0,
        )

    # -- issues and events -----------------------------------------------------------------

    def _issues(self) -> None:
        t0 = time.perf_counter()
        rng, con = self.rng, self.con
        n = len(con["id"])
        count = rng.choice([1, 2, 3], n, p=[0.3, 0.4, 0.3])
        concern = np.repeat(np.arange(n), count)
        first = np.ones(len(concern), dtype=bool)
        first[1:] = concern[1:] != concern[:-1]
        position = np.arange(len(concern)) - np.repeat(np.cumsum(count) - count, count) + 1
        # Further issues: other categories, drawn from the department's usual mix.
        category = _choose_rows(rng, self.dept_category_p[con["dept"][concern]])
        category[first] = con["category"][concern[first]]
        for pos in (2, 3):
            rows = np.flatnonzero(position == pos)
            earlier = [con["category"][concern[rows]]]
            if pos == 3:
                earlier.append(category[rows - 1])
            for _ in range(7):
                clash = np.zeros(len(rows), dtype=bool)
                for e in earlier:
                    clash |= category[rows] == e
                if not clash.any():
                    break
                category[rows[clash]] = (
                    category[rows[clash]] + 1 + rng.integers(0, len(CATEGORY_KEYS) - 1, clash.sum())
                ) % len(CATEGORY_KEYS)
        sev_index = np.searchsorted(
            ["critical", "high", "low", "medium"], con["severity"][concern]
        )  # alphabetical order of the four severities
        hcat_p = np.array(
            [[0.02, 0.18, 0.80], [0.10, 0.45, 0.45], [0.75, 0.22, 0.03], [0.30, 0.55, 0.15]]
        )
        p = hcat_p[sev_index]
        p[~first] = (p[~first] + np.array([0.3, 0.1, 0.0])) / 1.4
        hcat = _choose_rows(rng, p) + 1
        clinical = np.isin(category, [0, 1])
        harm_names = np.array(["none", "minimal", "minor", "moderate", "major", "catastrophic"])
        harm_p = np.where(
            (hcat == 3)[:, None],
            np.array([0.20, 0.20, 0.25, 0.23, 0.10, 0.02]),
            np.array([0.50, 0.27, 0.16, 0.06, 0.01, 0.0]),
        )
        harm = np.where(clinical, harm_names[_choose_rows(rng, harm_p)], None).astype(object)
        description = np.empty(len(concern), dtype=object)
        for k, key in enumerate(CATEGORY_KEYS):
            pool = np.array([_capitalise(i) + "." for i in ISSUES[key]], dtype=object)
            rows = category == k
            description[rows] = pool[rng.integers(0, len(pool), rows.sum())]
        known = first & (con["issue"][concern] >= 0)
        for k, key in enumerate(CATEGORY_KEYS):
            rows = np.flatnonzero(known & (category == k))
            pool = np.array([_capitalise(i) + "." for i in ISSUES[key]], dtype=object)
            description[rows] = pool[con["issue"][concern[rows]]]
        from_survey = first & (con["comment"][concern] != None)  # noqa: E711
        description[from_survey] = con["comment"][concern[from_survey]]
        # Praise, ideas and questions carry no harm coding.
        not_harm = np.isin(con["type"][concern], ["compliment", "suggestion", "inquiry"])
        harm[not_harm] = None
        self._copy(
            "concern_issue",
            {
                "id": _ints(np.arange(1, len(concern) + 1) + self.id_base["concern_issue"]),
                "concern_id": _ints(con["id"][concern]),
                "position": _ints(position),
                "category_id": _ints(self.category_ids[category]),
                "hcat_severity": _ints(hcat),
                "harm_level": _texts(harm),
                "description": description.tolist(),
            },
            t0,
        )

    def _plan_events(self) -> dict[str, list[str]]:
        """Each concern's timeline, consistent with its status, clocks and paperwork.

        Also sets the concern's version and updated_at from the timeline. Returns COPY columns.
        """
        t0 = time.perf_counter()
        rng, con, now, tz = self.rng, self.con, self.now, self.tz
        n = len(con["id"])
        opened = con["opened_at"]
        resolved = con["resolved_at"] != _NULL
        end = np.maximum(np.where(resolved, con["resolved_at"], now), opened)
        span = (end - opened).astype(float)
        owner = con["owner"]
        actor = np.where(owner > 0, owner, con["created_by"])
        status = con["status"]
        parts: list[tuple[np.ndarray, ...]] = []  # (concern row, time, actor, kind, detail, data)

        def add(rows, when, who, kind, detail, data=None, *, clip=True):
            rows = np.asarray(rows, dtype=np.int64)
            if not len(rows):
                return
            when = np.asarray(when, dtype=np.int64)
            if clip:
                when = np.clip(when, opened[rows], end[rows])
            size = len(rows)
            parts.append(
                (
                    rows,
                    when,
                    np.broadcast_to(np.asarray(who), (size,)),
                    np.full(size, kind, dtype=object),
                    detail if isinstance(detail, np.ndarray) else np.full(size, detail, object),
                    data if data is not None else np.full(size, "{}", dtype=object),
                )
            )

        def between(rows, lo, hi):
            t = opened[rows] + (rng.uniform(lo, hi, len(rows)) * span[rows]).astype(np.int64)
            return _into_office_hours(t, tz, rng)

        def texts(values):
            return np.array(list(values), dtype=object)

        rows = np.arange(n)
        add(
            rows,
            opened,
            con["created_by"],
            "created",
            np.where(
                con["primary"] >= 0,
                "Opened from a patient contact.",
                "Opened from a survey comment for service recovery.",
            ).astype(object),
            texts(
                json.dumps({"type": t, "severity": s})
                for t, s in zip(con["type"].tolist(), con["severity"].tolist(), strict=True)
            ),
        )
        # Handed to someone other than the person who opened it.
        rows = np.flatnonzero((owner > 0) & (owner != con["created_by"]))
        lag = np.minimum(rng.lognormal(np.log(1.5 * _HOUR), 1.0, len(rows)), 0.1 * span[rows])
        add(
            rows,
            opened[rows] + lag.astype(np.int64),
            self.managers[rng.integers(0, len(self.managers), len(rows))],
            "assigned",
            texts(f"Assigned to {self.staff_names[o]}." for o in owner[rows].tolist()),
            texts(json.dumps({"owner_id": o}) for o in owner[rows].tolist()),
        )
        rows = np.flatnonzero(con["ack_at"] != _NULL)
        add(
            rows,
            con["ack_at"][rows],
            actor[rows],
            "acknowledged",
            "Acknowledgement letter sent to the patient.",
        )
        is_open = ~resolved
        worked = (status != "new") & (is_open | (rng.random(n) < 0.1))
        rows = np.flatnonzero(worked)
        add(
            rows,
            between(rows, 0.05, 0.3),
            actor[rows],
            "status_changed",
            "Status changed from new to in progress.",
            np.full(len(rows), '{"from": "new", "to": "in_progress"}', dtype=object),
        )
        escalated = (status == "escalated") | (resolved & worked & (rng.random(n) < 0.2))
        rows = np.flatnonzero(escalated)
        add(
            rows,
            between(rows, 0.3, 0.6),
            actor[rows],
            "escalated",
            texts(
                f"Escalated to {self.dept_names[d]} leadership." for d in con["dept"][rows].tolist()
            ),
            np.full(len(rows), '{"from": "in_progress", "to": "escalated"}', dtype=object),
        )
        waiting = (status == "awaiting_patient") | (resolved & worked & (rng.random(n) < 0.2))
        rows = np.flatnonzero(waiting)
        before = np.where(escalated[rows], "escalated", "in_progress").tolist()
        add(
            rows,
            between(rows, 0.6, 0.9),
            actor[rows],
            "status_changed",
            texts(
                f"Status changed from {b.replace('_', ' ')} to awaiting patient." for b in before
            ),
            texts(json.dumps({"from": b, "to": "awaiting_patient"}) for b in before),
        )
        notes = rng.poisson(np.where(con["type"] == "compliment", 0.02, 0.1))
        rows = np.repeat(np.arange(n), notes)
        add(
            rows,
            between(rows, 0.1, 0.95),
            actor[rows],
            "note",
            np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), len(rows))],
        )
        # Outbound follow-up contacts are recorded on the timeline; inbound ones show up as
        # linked interactions.
        a = self.added
        out = np.flatnonzero(a["outbound"])
        add(
            a["pick"][out],
            a["occurred"][out],
            a["logged_by"][out],
            "follow_up",
            texts("Follow-up: " + s for s in a["summary"][out]),
        )
        rows = np.flatnonzero(con["notice"])
        new_dates = np.datetime_as_string(con["notice_date"][rows]).tolist()
        add(
            rows,
            con["notice_at"][rows],
            actor[rows],
            "still_working",
            texts(f"Still working on it; letter sent with a new date of {d}." for d in new_dates),
            texts(json.dumps({"new_date": d}) for d in new_dates),
        )
        rows = np.flatnonzero(con["response_at"] != _NULL)
        add(
            rows,
            con["response_at"][rows],
            actor[rows],
            "written_response",
            "Written response sent to the patient.",
        )
        rows = np.flatnonzero(resolved)
        add(rows, con["resolved_at"][rows], actor[rows], "resolved", con["resolution"][rows])
        rows = np.flatnonzero(con["closed_at"] != _NULL)
        closer = np.where(
            rng.random(len(rows)) < 0.7,
            actor[rows],
            self.managers[rng.integers(0, len(self.managers), len(rows))],
        )
        add(rows, con["closed_at"][rows], closer, "closed", "Closed.", clip=False)

        rows = np.concatenate([p[0] for p in parts])
        when = np.concatenate([p[1] for p in parts])
        seq = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(parts)])
        order = np.lexsort((seq, when, rows))
        rows, when = rows[order], when[order]
        kind = np.concatenate([p[3] for p in parts])[order]
        # Every event but notes and contacts changed the concern row: version follows.
        changes = np.bincount(
            rows, weights=~np.isin(kind, ["created", "note", "follow_up"]), minlength=n
        )
        con["version"] = changes.astype(np.int64) + 1
        last = opened.copy()
        np.maximum.at(last, rows, when)
        con["updated_at"] = last
        self.progress(
            f"concern_event: {len(rows):,} events planned in {time.perf_counter() - t0:.1f} s"
        )
        return {
            "id": _ints(np.arange(1, len(rows) + 1) + self.id_base["concern_event"]),
            "concern_id": _ints(con["id"][rows]),
            "occurred_at": _times(when),
            "actor_id": _ints(np.concatenate([p[2] for p in parts])[order]),
            "kind": kind.tolist(),
            "detail": np.concatenate([p[4] for p in parts])[order].tolist(),
            "data": np.concatenate([p[5] for p in parts])[order].tolist(),
        }

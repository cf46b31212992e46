"""Departments, Patient Relations staff and patients."""

from __future__ import annotations

import secrets
import time

import numpy as np

from db.users import hash_password
from synthetic.arrays import (
    _DAY,
    _bools,
    _check_copy_safe,
    _dates,
    _email_part,
    _ints,
    _texts,
    _times,
)
from synthetic.shape import (
    _AREA_CODES,
    _CATEGORY_MIX,
    _CATEGORY_MIX_BY_NAME,
    DEPARTMENTS,
    LANGUAGES,
    STAFF,
)

# Patients drawn at once: twice the reference size's, so every size up to 2 x the reference
# draws them in one block.
PATIENT_BLOCK = 1_000_000


class PeopleMixin:
    """Draws departments, staff and patients (part of the builder in synthetic/builder.py)."""

    def _departments(self) -> None:
        t0 = time.perf_counter()
        chosen = DEPARTMENTS[: self.spec.departments]
        self.dept_names = [d[0] for d in chosen]
        self.dept_kind = [d[1] for d in chosen]
        self.dept_weight = np.array([d[2] for d in chosen])
        self.dept_weight /= self.dept_weight.sum()
        self.dept_encounters = np.array([d[3] for d in chosen], dtype=float)
        self.dept_ids = np.arange(1, len(chosen) + 1, dtype=np.int64)
        mix = np.array(
            [
                _CATEGORY_MIX_BY_NAME.get(name, _CATEGORY_MIX[kind])
                for name, kind in zip(self.dept_names, self.dept_kind, strict=True)
            ],
            dtype=float,
        )
        self.dept_category_p = mix / mix.sum(axis=1, keepdims=True)
        # How quickly each department answers Patient Relations: ratio on the SLA clock.
        self.dept_speed = self.rng.normal(0.0, 0.25, len(chosen))
        self._copy(
            "department",
            {
                "id": _ints(self.dept_ids),
                "name": list(self.dept_names),
                "active": ["t"] * len(chosen),
            },
            t0,
        )

    def _staff(self) -> None:
        t0 = time.perf_counter()
        password_hash = hash_password(secrets.token_urlsafe(32))
        home = [self.dept_ids[i % min(6, len(self.dept_ids))] for i in range(len(STAFF))]
        for (username, name, role), department in zip(STAFF, home, strict=True):
            self.cur.execute(
                "INSERT INTO app_user (username, display_name, email, password_hash, roles, "
                "home_department_id) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (username) DO NOTHING",
                (
                    username,
                    name,
                    f"{username}@hospital.example",
                    password_hash,
                    [role],
                    int(department),
                ),
            )
        self.cur.execute(
            "SELECT username, id FROM app_user WHERE username = ANY(%s)",
            ([s[0] for s in STAFF],),
        )
        ids = dict(self.cur.fetchall())
        self.staff_names = {ids[u]: n for u, n, _r in STAFF}
        self.executives = np.array([ids[u] for u, _n, r in STAFF if r == "executive"])
        self.managers = np.array([ids[u] for u, _n, r in STAFF if r == "manager"])
        self.all_staff = np.concatenate([self.executives, self.managers])
        # Some associates take far more calls than others.
        w = np.linspace(1.6, 0.7, len(self.executives))
        self.logger_p = np.concatenate([w, np.full(len(self.managers), 0.35)])
        self.logger_p /= self.logger_p.sum()
        self.counts["app_user"] = len(STAFF)
        self.progress(f"app_user: {len(STAFF)} staff rows in {time.perf_counter() - t0:.1f} s")

    # -- patients --------------------------------------------------------------------------

    def _patients(self) -> None:
        """Patients, PATIENT_BLOCK at a time (the text of their names, phones and e-mails is
        most of the memory they take), sharing one pool of first and family names."""
        t0 = time.perf_counter()
        total = self.spec.patients
        pool = min(3_000, max(200, total // 2))
        female = [self.faker.first_name_female() for _ in range(pool)]
        male = [self.faker.first_name_male() for _ in range(pool)]
        family_pool = [self.faker.last_name() for _ in range(2 * pool)]
        for name in (*female, *male, *family_pool):
            _check_copy_safe(name)
        self.patient_ids = np.arange(1, total + 1, dtype=np.int64)
        self.patient_medicare = np.zeros(total, dtype=bool)
        last_mrn = 1_000_000
        for first in range(0, total, PATIENT_BLOCK):
            n = min(PATIENT_BLOCK, total - first)
            last_mrn = self._patient_block(first, n, female, male, family_pool, last_mrn)
        self.counts["patient"] = total
        self.progress(f"patient: {total:,} rows in {time.perf_counter() - t0:.1f} s")

    def _patient_block(self, first: int, n: int, female, male, family_pool, last_mrn: int) -> int:
        """Patients first + 1 .. first + n; returns the highest MRN number used."""
        rng, pool = self.rng, len(female)
        t0 = time.perf_counter()
        is_female = rng.random(n) < 0.52
        given_idx = rng.integers(0, pool, n)
        given = np.where(
            is_female,
            np.array(female, dtype=object)[given_idx],
            np.array(male, dtype=object)[given_idx],
        )
        family = np.array(family_pool, dtype=object)[rng.integers(0, 2 * pool, n)]
        # MRNs: unique 7-digit numbers in random order.
        mrn_numbers = last_mrn + np.cumsum(rng.integers(1, 17, n))
        last_mrn = int(mrn_numbers[-1])
        rng.shuffle(mrn_numbers)
        mrn = ["MRN" + str(x) for x in mrn_numbers.tolist()]
        # Hospital patients skew old; about one in ten is a child.
        child = rng.random(n) < 0.10
        age_years = np.where(child, rng.uniform(0, 18, n), 18 + rng.beta(1.6, 1.5, n) * 82)
        dob = self.today - (age_years * 365.25).astype(np.int64).astype("timedelta64[D]")
        medicare = np.where(age_years >= 65, rng.random(n) < 0.93, rng.random(n) < 0.02)
        has_phone = rng.random(n) < 0.95
        area = np.array(_AREA_CODES)[rng.integers(0, len(_AREA_CODES), n)].tolist()
        exchange = rng.integers(201, 999, n).tolist()
        line = rng.integers(0, 10_000, n).tolist()
        dashed = (rng.random(n) < 0.15).tolist()
        phone = [
            (f"{a}-{e}-{ln:04d}" if d else f"({a}) {e}-{ln:04d}") if p else None
            for a, e, ln, d, p in zip(area, exchange, line, dashed, has_phone.tolist(), strict=True)
        ]
        has_email = (rng.random(n) < 0.45) & ~child
        suffix = rng.integers(1, 99, n).tolist()
        domain = np.array(["example.com", "example.org", "example.net"])[
            rng.integers(0, 3, n)
        ].tolist()
        given_l, family_l = given.tolist(), family.tolist()
        email = [
            f"{_email_part(g)}.{_email_part(f)}{s}@{d}" if e else None
            for g, f, s, d, e in zip(
                given_l, family_l, suffix, domain, has_email.tolist(), strict=True
            )
        ]
        languages = list(LANGUAGES)
        lang_p = np.array(list(LANGUAGES.values()))
        language = np.array(languages)[rng.choice(len(languages), n, p=lang_p / lang_p.sum())]
        created = self.start - rng.integers(0, 5 * 365 * _DAY, n)
        self.patient_medicare[first : first + n] = medicare
        self._copy_raw(
            "patient",
            {
                "id": _ints(self.patient_ids[first : first + n]),
                "mrn": mrn,
                "given_name": given_l,
                "family_name": family_l,
                "date_of_birth": _dates(dob),
                "phone": _texts(phone),
                "email": _texts(email),
                "preferred_language": language.tolist(),
                "medicare_beneficiary": _bools(medicare),
                "created_at": _times(created),
            },
        )
        if n < len(self.patient_ids):
            self.progress(f"patient: {first + n:,} rows in {time.perf_counter() - t0:.1f} s")
        return last_mrn

    def _some_patients(self, n: int) -> np.ndarray:
        """Patient indexes with a long tail: a few people contact the hospital many times."""
        idx = (self.rng.random(n) ** 1.3 * self.spec.patients).astype(np.int64)
        return np.minimum(idx, self.spec.patients - 1)

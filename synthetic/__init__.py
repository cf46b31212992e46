"""Synthetic hospital data for the demo and for benchmarks at the reference size.

`generate(engine, size="demo" | "reference", seed=N)` fills an empty, migrated database with a
realistic hospital: departments, patients, a handful of Patient Relations staff, two years (or
six months) of interactions with weekly, daily and seasonal rhythm, the concerns they opened with
their issues and timelines, survey responses with answers, and monthly encounter volumes.

A history longer than the reference size's two years is drawn one two-year span at a time,
oldest first (builder.SPAN_DAYS), and patients a million at a time, so the generator's memory is
that of one span whatever the size: about 2 GB, where drawing 20 years at once would need about
17 GB. Spans share departments, staff and patients, split the contacts, concerns and survey
responses by their expected volume, and continue the ids, the growth trend and each department's
survey-score walk. A history of two years or less is one span, drawn exactly as before.

Every random draw comes from one seeded numpy Generator (plus a seeded Faker for the name pools),
so the same seed and the same `now` give identical rows. Rows are written with PostgreSQL COPY in
one transaction, with ids assigned here (concern and interaction refer to each other). As
pg_restore does, the foreign keys and plain indexes of the loaded tables are set aside during the
load and put back from their catalogue definitions before commit: re-adding a foreign key checks
every row in one join instead of one lookup per row. CHECKs, unique keys and triggers (the
survey-answer scale check, the dashboard summaries) run on every row as for any other write.

Development, demo and benchmark tooling, not part of the running app: it lives outside db/ and
calls the app's own rules (db.sla for due times and business days, db.grievance for the CMS
grievance rules) through synthetic/rules.py rather than repeating them.

Modules, by what they make: shape (sizes, departments, staff, rhythms), texts (phrase pools),
people, surveys, contacts, concerns (the builder's parts), arrays (numpy and COPY helpers),
builder (`generate` and the load).
"""

from synthetic.builder import generate
from synthetic.shape import SIZES, STAFF, Size, size_for

__all__ = ["SIZES", "STAFF", "Size", "generate", "size_for"]
